/// A backup plan of a scheduled-backup target: resources, when, and how many backups are kept.
public struct BackupPlanSpec: Sendable, Hashable {
    public var target: Reference
    /// The plan's name on the API; defaults to the document's name.
    public var displayName: String?
    public var mode: BackupMode
    public var resources: [BackupResource]
    public var schedule: ScheduleSpec
    public var retention: RetentionReference?
    public var suspended: Bool
    public var adopt: Bool
    public var protect: Bool
}

/// Full backups every time, or incrementals between full ones (seed 002 `backup_mode`).
public enum BackupMode: String, Sendable, Hashable, CaseIterable {
    case full, frequency
}

/// A resource a plan backs up.
public struct BackupResource: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var type: String

    public init(id: String, name: String?, type: String) {
        self.id = id
        self.name = name
        self.type = type
    }
}

extension BackupPlanSpec {
    static let keys = ["target", "displayName", "mode", "resources", "schedule", "retention", "suspended", "adopt", "protect"]

    static func decode(_ spec: MappingReader) -> BackupPlanSpec? {
        let log = spec.log
        let target = spec.string("target", required: true)
        let displayName = spec.string("displayName")?.value
        let mode = spec.choice("mode", as: BackupMode.self) ?? .full
        var resources: [BackupResource] = []
        if let items = spec.list("resources", required: true) {
            if items.isEmpty {
                log.error(spec.keyLocation("resources"), "'resources' is empty", hint: "list the resources to back up")
            }
            for item in items {
                guard let reader = MappingReader(item, context: "resource", allowed: ["id", "name", "type"], log: log),
                    let id = reader.string("id", required: true), let type = reader.string("type", required: true)
                else { continue }
                resources.append(BackupResource(id: id.value, name: reader.string("name")?.value, type: type.value))
            }
        }
        let schedule = spec.node("schedule", required: true).flatMap { ScheduleSpec.decode($0, log: log) }
        let retention = spec.node("retention").flatMap { RetentionReference.decode($0, log: log) }
        let suspended = spec.bool("suspended") ?? false
        let adopt = spec.bool("adopt") ?? false
        let protect = spec.bool("protect") ?? false
        guard let target, let schedule, !resources.isEmpty else { return nil }
        return BackupPlanSpec(
            target: target, displayName: displayName, mode: mode, resources: resources, schedule: schedule.spec,
            retention: retention, suspended: suspended, adopt: adopt, protect: protect)
    }
}
