import Foundation
import TidemarkPolicy
import TidemarkProviders

/// cloudsigma: one backup scheduler per Scheduler document when it can run natively; otherwise the controller runs it.
struct CloudSigmaTargetMapping: TargetMapping {
    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, plan: inout TargetPlan) -> [DesiredScheduler] {
        policies.schedulers.filter { $0.spec.target.value == target.name }.map { document in
            let state = DesiredScheduler.state(of: document, in: policies)
            let placement: SchedulingPlacement
            let limitation = CloudSigmaProvider.nativeLimitation(state)
            switch (target.spec.scheduling, live.nativeScheduling, limitation) {
            case (.controller, _, _):
                placement = .controller(reason: "the target's scheduling is controller")
            case (_, false, _):
                placement = .controller(reason: "the target has no native scheduler (/backupschedulers/ answers 404)")
            case (.native, true, let limitation?):
                plan.errors.append("scheduler \(document.name) cannot run natively: \(limitation) (set scheduling: auto or controller on target \(target.name))")
                placement = .controller(reason: limitation)
            case (.auto, true, let limitation?):
                placement = .controller(reason: limitation)
            default:
                placement = .native
            }
            let reason: String? = if case .controller(let why) = placement { why } else { nil }
            plan.placements.append(.init(scheduler: document.name, mode: placement == .native ? "native" : "controller", reason: reason))
            return DesiredScheduler(name: document.name, state: state, adopt: document.spec.adopt, protect: document.spec.protect,
                                    placement: placement, onTarget: placement == .native)
        }
    }
}
