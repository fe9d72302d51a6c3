import Foundation
import TidemarkPolicy
import TidemarkProviders
import TidemarkReconcile

/// One scheduler the controller runs itself, with the drives bound to it.
public struct ControllerJob: Sendable {
    public var scheduler: String
    public var target: String
    public var schedule: ScheduleSpec
    public var retention: RetentionPolicySpec?
    public var driveIDs: [String]
    public var missed: MissedSlots
    public var startingDeadline: TimeInterval

    public init(scheduler: String, target: String, schedule: ScheduleSpec, retention: RetentionPolicySpec?, driveIDs: [String],
                missed: MissedSlots = .once, startingDeadline: TimeInterval = 3600) {
        self.scheduler = scheduler
        self.target = target
        self.schedule = schedule
        self.retention = retention
        self.driveIDs = driveIDs
        self.missed = missed
        self.startingDeadline = startingDeadline
    }

    /// The jobs of one target: its schedulers the plan places in the controller, each with the live drives its
    /// bindings select. Disabled schedulers take no snapshots.
    public static func jobs(target: String, plan: TargetPlan, policies: PolicySet, live: LiveState) -> [ControllerJob] {
        let controlled = Set(plan.placements.filter { $0.mode == "controller" }.map(\.scheduler))
        var drives: [String: Set<String>] = [:]
        for binding in policies.driveBindings where binding.spec.target.value == target && controlled.contains(binding.spec.scheduler.value) {
            for drive in live.drives where binding.spec.drives.selects(drive) { drives[binding.spec.scheduler.value, default: []].insert(drive.id) }
        }
        return plan.placements.filter { controlled.contains($0.scheduler) }.compactMap { placement -> ControllerJob? in
            guard let document = policies.scheduler(named: placement.scheduler), document.spec.enabled else { return nil }
            return ControllerJob(scheduler: document.name, target: target, schedule: document.spec.schedule,
                                 retention: policies.resolve(document.spec.retention), driveIDs: (drives[placement.scheduler] ?? []).sorted(),
                                 missed: document.spec.missed, startingDeadline: TimeInterval(document.spec.startingDeadline))
        }
    }
}
