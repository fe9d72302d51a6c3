import TidemarkPolicy
import TidemarkProviderModel

/// A scheduler protecting an object, as requirements see it: when it fires and what its retention keeps.
struct Protection: Sendable, Hashable {
    /// The policy name of a managed scheduler, or the live name of another.
    var scheduler: String
    var type: SchedulerType
    var enabled: Bool
    /// Nil when the live object's settings cannot be read as a schedule.
    var schedule: ScheduleSpec?
    /// Nil keeps every snapshot.
    var retention: RetentionPolicySpec?

    init(scheduler: String, type: SchedulerType, enabled: Bool, schedule: ScheduleSpec?, retention: RetentionPolicySpec?) {
        self.scheduler = scheduler
        self.type = type
        self.enabled = enabled
        self.schedule = schedule
        self.retention = retention
    }

    /// What a scheduler in the neutral form protects with.
    init(scheduler: String, state: SchedulerState?) {
        self.init(
            scheduler: scheduler, type: state?.type ?? .snapshot, enabled: state?.enabled ?? true, schedule: state?.schedule,
            retention: state.map { $0.retention.isEmpty ? nil : RetentionPolicySpec(rules: $0.retention) } ?? nil)
    }
}

/// An object requirements may select (a drive, VM disk, resource or client) and the schedulers protecting it.
struct ProtectedObject: Sendable, Hashable {
    var object: LiveDrive
    var protections: [Protection]
}
