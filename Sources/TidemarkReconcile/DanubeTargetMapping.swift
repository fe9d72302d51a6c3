import Foundation
import TidemarkPolicy
import TidemarkProviders
import TidemarkSchedule

/// danube: a backup definition per Scheduler and VM disk its DriveBindings select. Native when the schedule has an
/// exact UTC cron form and the retention is `{last: N}`; otherwise the definition is inactive and the controller
/// takes and deletes the backups.
struct DanubeTargetMapping: TargetMapping {
    /// The inactive definition of a controller-run scheduler still needs a schedule.
    static let inactiveSchedule = "0 0 * * *"

    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, plan: inout TargetPlan) -> [DesiredScheduler] {
        var desired: [DesiredScheduler] = []
        for document in policies.schedulers where document.spec.target.value == target.name {
            let spec = document.spec
            guard let node = spec.options["node"], !node.isEmpty else {
                plan.errors.append("scheduler \(document.name): danube needs options.node, the backup node that stores the backups")
                continue
            }
            let rules = policies.resolve(spec.retention)?.rules ?? []
            let cron = NativeSchedule.utcCron(spec.schedule, from: now)
            let last = MappingChecks.onlyLast(rules)
            let limitation: String? = switch (cron, last) {
            case (.failure(let why), _): "danube schedules in UTC cron only: \(why)"
            case (_, nil): "danube keeps a number of backups only ({last: N}); these rules are enforced by tidemark"
            default: nil
            }
            let placement: SchedulingPlacement
            switch (target.spec.scheduling, limitation) {
            case (.controller, _): placement = .controller(reason: "the target's scheduling is controller")
            case (.native, let limitation?):
                plan.errors.append("scheduler \(document.name) cannot run natively: \(limitation) (set scheduling: auto or controller on target \(target.name))")
                continue
            case (.auto, let limitation?): placement = .controller(reason: limitation)
            default: placement = .native
            }
            let native = placement == .native
            let controllerReason: String? = if case .controller(let why) = placement { "\(why); the definition is inactive" } else { nil }
            let cronText = if case .success(let text) = cron { text } else { Self.inactiveSchedule }
            let retention = last.map(String.init) ?? String(RetentionBound.count(rules, schedule: spec.schedule, now: now))
            plan.placements.append(.init(scheduler: document.name, mode: native ? "native" : "controller",
                                         reason: native ? "cron \"\(cronText)\" in UTC, retention \(retention)"
                                            : controllerReason))
            let drives = live.drives.filter { drive in
                policies.driveBindings.contains { $0.spec.target.value == target.name && $0.spec.scheduler.value == document.name && $0.spec.drives.selects(drive) }
            }
            if drives.isEmpty { plan.warnings.append("scheduler \(document.name): no DriveBinding selects a VM disk, so no definition is made") }
            for drive in drives {
                var options = [DanubeMapping.driveKey: drive.id, DanubeMapping.node: node, DanubeMapping.zpool: spec.options["zpool"] ?? "zones",
                               DanubeMapping.schedule: cronText, DanubeMapping.retention: retention, DanubeMapping.bwlimit: spec.options["bwlimit"] ?? ""]
                for key in DanubeMapping.createOnly { options[key] = spec.options[key] }
                let state = SchedulerState(displayName: spec.displayName ?? document.name, type: .backup, enabled: native && spec.enabled, schedule: spec.schedule,
                                           retentionName: "", retention: rules, notifications: Notifications(), remoteLocation: "", window: nil,
                                           options: options)
                desired.append(DesiredScheduler(name: DanubeMapping.objectName(scheduler: document.name, drive: drive.id), state: state,
                                                adopt: spec.adopt, protect: spec.protect, placement: placement, onTarget: true))
            }
        }
        return desired
    }
}
