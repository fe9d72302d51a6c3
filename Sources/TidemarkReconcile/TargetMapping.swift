import Foundation
import TidemarkPolicy
import TidemarkProviders

/// How the documents for one target become desired live objects on its provider, and where each one runs.
protocol TargetMapping {
    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, plan: inout TargetPlan) -> [DesiredScheduler]
}

extension ProviderKind {
    var mapping: any TargetMapping {
        switch self {
        case .cloudsigma: CloudSigmaTargetMapping()
        case .scheduledBackup: ScheduledBackupTargetMapping()
        case .danube: DanubeTargetMapping()
        case .freezer: FreezerTargetMapping()
        }
    }
}

/// Checks for the pieces every provider-specific mapping shares.
enum MappingChecks {
    /// The single `{last: N}` rule of a retention, if that is all it says.
    static func onlyLast(_ rules: [RetentionRule]) -> Int? {
        if rules.count == 1, case .last(let count) = rules[0] { return count }
        return nil
    }

    /// DriveBindings aimed at a provider without drives.
    static func rejectBindings(target: PolicyDocument<TargetSpec>, policies: PolicySet, why: String, plan: inout TargetPlan) {
        for binding in policies.driveBindings where binding.spec.target.value == target.name {
            plan.errors.append("drive binding \(binding.name): \(why)")
        }
    }
}
