import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// One scheduler the controller runs itself, with the drives bound to it; the planner derives them from the documents
/// and the placements it decided, so `tidemark run` never reads them back from plan text.
public struct ControllerJob: Sendable {
    public var scheduler: String
    public var target: String
    public var schedule: ScheduleSpec
    public var retention: RetentionPolicySpec?
    public var driveIDs: [String]
    public var missed: MissedSlots
    public var startingDeadline: TimeInterval
    /// The API schedules natively and the controller only enforces retention over the backups of the objects in
    /// `driveIDs` (a plan's checkpoints, a job's backups) after each slot.
    public var retentionOnly: Bool

    public init(
        scheduler: String, target: String, schedule: ScheduleSpec, retention: RetentionPolicySpec?, driveIDs: [String],
        missed: MissedSlots = .once, startingDeadline: TimeInterval = 3600, retentionOnly: Bool = false
    ) {
        self.retentionOnly = retentionOnly
        self.scheduler = scheduler
        self.target = target
        self.schedule = schedule
        self.retention = retention
        self.driveIDs = driveIDs
        self.missed = missed
        self.startingDeadline = startingDeadline
    }

    /// The jobs of one target: its schedulers the plan places in the controller, each with the live drives its
    /// bindings select, and the natively scheduled objects whose retention the controller enforces. Disabled
    /// schedulers take no snapshots.
    static func jobs(target: String, plan: TargetPlan, policies: PolicySet, live: LiveState, instance: String) -> [ControllerJob] {
        slotJobs(target: target, plan: plan, policies: policies, live: live)
            + retentionJobs(
                target: target, plan: plan, policies: policies,
                live: live, instance: instance)
    }

    static func retentionJobs(target: String, plan: TargetPlan, policies: PolicySet, live: LiveState, instance: String) -> [ControllerJob] {
        plan.placements.filter { $0.mode == .native && $0.retention == .controller }.compactMap { placement -> ControllerJob? in
            let source: (ScheduleSpec, RetentionReference?)? =
                policies.scheduler(named: placement.scheduler).map { ($0.spec.schedule, $0.spec.retention) }
                ?? policies.backupPlan(named: placement.scheduler).map { ($0.spec.schedule, $0.spec.retention) }
            guard let (schedule, retention) = source else { return nil }
            let objects = live.schedulers.filter {
                $0.marker?.instance == instance && ($0.marker?.target ?? target) == target && $0.marker?.name == placement.scheduler
            }.map(\.id)
            guard !objects.isEmpty else { return nil }
            return ControllerJob(
                scheduler: placement.scheduler, target: target, schedule: schedule, retention: policies.resolve(retention),
                driveIDs: objects.sorted(), retentionOnly: true)
        }
    }

    static func slotJobs(target: String, plan: TargetPlan, policies: PolicySet, live: LiveState) -> [ControllerJob] {
        let controlled = Set(plan.placements.filter { $0.mode == .controller }.map(\.scheduler))
        var drives: [String: Set<String>] = [:]
        for binding in policies.driveBindings where binding.spec.target.value == target && controlled.contains(binding.spec.scheduler.value)
        {
            for drive in live.drives where binding.spec.drives.selects(drive) {
                drives[binding.spec.scheduler.value, default: []].insert(drive.id)
            }
        }
        return plan.placements.filter { controlled.contains($0.scheduler) }.compactMap { placement -> ControllerJob? in
            guard let document = policies.scheduler(named: placement.scheduler), document.spec.enabled else { return nil }
            return ControllerJob(
                scheduler: document.name, target: target, schedule: document.spec.schedule,
                retention: policies.resolve(document.spec.retention), driveIDs: (drives[placement.scheduler] ?? []).sorted(),
                missed: document.spec.missed, startingDeadline: TimeInterval(document.spec.startingDeadline))
        }
    }
}
