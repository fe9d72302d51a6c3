/// A backup scheduler: when snapshots or backups are taken on a target, and how long they are kept.
public struct SchedulerSpec: Sendable, Hashable {
    public var target: Reference
    public var type: SchedulerType
    public var displayName: String?
    public var enabled: Bool
    public var schedule: ScheduleSpec
    /// Where `schedule.timezone` is written, for target-specific timezone checks.
    public var timezoneLocation: SourceLocation
    public var retention: RetentionReference?
    public var notifications: Notifications
    /// The remote location code, for type backup.
    public var remoteLocation: String
    /// Provider-specific fields (Danube, Freezer), validated by the provider.
    public var options: [String: String]
    public var adopt: Bool
    public var protect: Bool

    public init(target: Reference, type: SchedulerType = .snapshot, displayName: String? = nil, enabled: Bool = true, schedule: ScheduleSpec,
                timezoneLocation: SourceLocation, retention: RetentionReference?, notifications: Notifications = Notifications(),
                remoteLocation: String = "", options: [String: String] = [:], adopt: Bool = false, protect: Bool = false) {
        self.target = target
        self.type = type
        self.displayName = displayName
        self.enabled = enabled
        self.schedule = schedule
        self.timezoneLocation = timezoneLocation
        self.retention = retention
        self.notifications = notifications
        self.remoteLocation = remoteLocation
        self.options = options
        self.adopt = adopt
        self.protect = protect
    }
}

/// What a scheduler takes (cloudsigma's `type`).
public enum SchedulerType: String, Sendable, Hashable, CaseIterable {
    case snapshot, backup, dr, migration
}

/// Email notifications for actions of the backup and retention policies.
public struct Notifications: Sendable, Hashable {
    public var backup: Bool
    public var retention: Bool

    public init(backup: Bool = true, retention: Bool = true) {
        self.backup = backup
        self.retention = retention
    }
}

extension SchedulerSpec {
    static let keys = ["target", "type", "displayName", "enabled", "schedule", "retention", "notifications",
                       "remoteLocation", "options", "adopt", "protect"]

    static func decode(_ spec: MappingReader) -> SchedulerSpec? {
        let target = spec.string("target", required: true)
        let type = spec.choice("type", as: SchedulerType.self) ?? .snapshot
        let displayName = spec.string("displayName")?.value
        let enabled = spec.bool("enabled") ?? true
        let schedule = spec.node("schedule", required: true).flatMap { ScheduleSpec.decode($0, log: spec.log) }
        let retention = spec.node("retention").flatMap { RetentionReference.decode($0, log: spec.log) }
        var notifications = Notifications()
        if let node = spec.node("notifications"),
           let reader = MappingReader(node, context: "notifications", allowed: ["backup", "retention"], log: spec.log) {
            notifications.backup = reader.bool("backup") ?? true
            notifications.retention = reader.bool("retention") ?? true
        }
        let remoteLocation = spec.string("remoteLocation")?.value ?? ""
        let options = spec.node("options").map { decodeOptions($0, log: spec.log) } ?? [:]
        let adopt = spec.bool("adopt") ?? false
        let protect = spec.bool("protect") ?? false
        guard let target, let schedule else { return nil }
        return SchedulerSpec(target: target, type: type, displayName: displayName, enabled: enabled,
                             schedule: schedule.spec, timezoneLocation: schedule.timezoneLocation,
                             retention: retention, notifications: notifications, remoteLocation: remoteLocation,
                             options: options, adopt: adopt, protect: protect)
    }

    private static func decodeOptions(_ node: YAMLNode, log: DiagnosticLog) -> [String: String] {
        guard case .mapping(let pairs, _) = node else {
            log.error(node.location, "'options' must be a mapping, found \(node.kindDescription)")
            return [:]
        }
        var options: [String: String] = [:]
        for (key, value) in pairs {
            guard let name = key.scalarText, let text = value.scalarText else {
                log.error(value.location, "options values must be scalars, found \(value.kindDescription)")
                continue
            }
            options[name] = text
        }
        return options
    }
}

extension RetentionReference {
    static func decode(_ node: YAMLNode, log: DiagnosticLog) -> RetentionReference? {
        switch node {
        case .scalar(let name, _, let location):
            return .named(Reference(name, location))
        case .mapping(let pairs, _) where pairs.contains(where: { RetentionPolicySpec.keys.contains($0.key.scalarText ?? "") }):
            guard let reader = MappingReader(node, context: "inline retention", allowed: RetentionPolicySpec.keys, log: log) else {
                return nil
            }
            return RetentionPolicySpec.decode(reader).map(RetentionReference.inline)
        case .mapping:
            return RetentionRule.decode(node, log: log).map { .inline(RetentionPolicySpec(rules: [$0])) }
        case .sequence:
            log.error(node.location, "retention must be a RetentionPolicy name or a mapping with rules, found a list",
                      hint: "write retention: {rules: [...]} or a single rule such as {last: 14}")
            return nil
        }
    }
}
