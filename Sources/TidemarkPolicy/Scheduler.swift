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
    /// Provider-specific fields (Danube, Freezer), checked against the target's provider when the policies load.
    public var options: [String: String]
    /// Where each option's key is written, and where `options` itself is (for missing required options).
    public var optionLocations: [String: SourceLocation]
    public var optionsLocation: SourceLocation?
    public var adopt: Bool
    public var protect: Bool
    /// In controller mode: what to do with slots that came due while the controller was not running.
    public var missed: MissedSlots
    /// In controller mode: how late a slot may still be taken, in seconds.
    public var startingDeadline: Int

    public init(
        target: Reference, type: SchedulerType = .snapshot, displayName: String? = nil, enabled: Bool = true, schedule: ScheduleSpec,
        timezoneLocation: SourceLocation, retention: RetentionReference?, notifications: Notifications = Notifications(),
        remoteLocation: String = "", options: [String: String] = [:], optionLocations: [String: SourceLocation] = [:],
        optionsLocation: SourceLocation? = nil, adopt: Bool = false, protect: Bool = false, missed: MissedSlots = .once,
        startingDeadline: Int = 3600
    ) {
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
        self.optionLocations = optionLocations
        self.optionsLocation = optionsLocation
        self.adopt = adopt
        self.protect = protect
        self.missed = missed
        self.startingDeadline = startingDeadline
    }
}

/// Slots missed while the controller was down: one catch-up run for the newest (within the deadline), or none.
public enum MissedSlots: String, Sendable, Hashable, CaseIterable {
    case once, skip
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
    static let keys = [
        "target", "type", "displayName", "enabled", "schedule", "retention", "notifications",
        "remoteLocation", "options", "adopt", "protect", "missed", "startingDeadline",
    ]

    static func decode(_ spec: MappingReader) -> SchedulerSpec? {
        let target = spec.string("target", required: true)
        let type = spec.choice("type", as: SchedulerType.self) ?? .snapshot
        let displayName = spec.string("displayName")?.value
        let enabled = spec.bool("enabled") ?? true
        let schedule = spec.node("schedule", required: true).flatMap { ScheduleSpec.decode($0, log: spec.log) }
        let retention = spec.node("retention").flatMap { RetentionReference.decode($0, log: spec.log) }
        var notifications = Notifications()
        if let node = spec.node("notifications"),
            let reader = MappingReader(node, context: "notifications", allowed: ["backup", "retention"], log: spec.log)
        {
            notifications.backup = reader.bool("backup") ?? true
            notifications.retention = reader.bool("retention") ?? true
        }
        let remoteLocation = spec.string("remoteLocation")?.value ?? ""
        let optionsNode = spec.node("options")
        let options = optionsNode.map { decodeOptions($0, log: spec.log) } ?? [:]
        let adopt = spec.bool("adopt") ?? false
        let protect = spec.bool("protect") ?? false
        let missed = spec.choice("missed", as: MissedSlots.self) ?? .once
        let deadline = spec.string("startingDeadline").map { decodeDeadline($0, log: spec.log) } ?? 3600
        guard let target, let schedule, let deadline else { return nil }
        return SchedulerSpec(
            target: target, type: type, displayName: displayName, enabled: enabled,
            schedule: schedule.spec, timezoneLocation: schedule.timezoneLocation,
            retention: retention, notifications: notifications, remoteLocation: remoteLocation,
            options: options.mapValues(\.value), optionLocations: options.mapValues(\.location),
            optionsLocation: optionsNode?.location ?? spec.location, adopt: adopt, protect: protect, missed: missed,
            startingDeadline: deadline)
    }

    /// `30m`, `2h` or `1d`, from one minute to seven days, in seconds.
    private static func decodeDeadline(_ text: Located<String>, log: DiagnosticLog) -> Int? {
        let units = ["m": 60, "h": 3600, "d": 86400]
        let digits = text.value.dropLast()
        guard let unit = text.value.last.flatMap({ units[String($0)] }), !digits.isEmpty, digits.allSatisfy(\.isNumber),
            let amount = Int(digits), (60...7 * 86400).contains(amount * unit)
        else {
            log.error(text.location, "invalid startingDeadline '\(text.value)'", hint: "use a duration from 1m to 7d, e.g. 30m, 2h or 1d")
            return nil
        }
        return amount * unit
    }

    private static func decodeOptions(_ node: YAMLNode, log: DiagnosticLog) -> [String: Located<String>] {
        guard case .mapping(let pairs, _) = node else {
            log.error(node.location, "'options' must be a mapping, found \(node.kindDescription)")
            return [:]
        }
        var options: [String: Located<String>] = [:]
        for (key, value) in pairs {
            guard let name = key.scalarText, let text = value.scalarText else {
                log.error(value.location, "options values must be scalars, found \(value.kindDescription)")
                continue
            }
            options[name] = Located(text, key.location)
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
            log.error(
                node.location, "retention must be a RetentionPolicy name or a mapping with rules, found a list",
                hint: "write retention: {rules: [...]} or a single rule such as {last: 14}")
            return nil
        }
    }
}
