import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel

/// cloudsigma: one backup scheduler per Scheduler document when it can run natively; otherwise the controller runs it.
struct CloudSigmaDefinition: ProviderDefinition {
    var noun: String { "scheduler" }
    var bindsDrives: Bool { true }
    var objectKind: PolicyKind { .scheduler }

    static let options = SchedulerOptionRules([
        .init(key: "window") { TimeWindow(parsing: $0) == nil ? "is not a window such as 07:00-19:00" : nil }
    ])

    /// Its options, and a timezone from the list cloudsigma accepts.
    func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic] {
        var problems = Self.options.problems(of: scheduler, on: target)
        let timezone = scheduler.spec.schedule.timezone
        if !CloudSigmaTimezones.allowed.contains(timezone) {
            problems.append(
                Diagnostic(
                    scheduler.spec.timezoneLocation, "timezone '\(timezone)' is not accepted by cloudsigma target '\(target.name)'",
                    hint: Suggestion.didYouMean(timezone, in: CloudSigmaTimezones.allowed)
                        + "use a name from the cloudsigma list of allowed timezones, e.g. Europe/Zurich or Etc/UTC"))
        }
        return problems
    }
    var wireFormat: any SchedulerWireFormat { CloudSigmaSchedulerMapping.Format() }

    func connect(
        _ target: PolicyDocument<TargetSpec>, logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        connection: ConnectionOptions
    ) throws(ProviderError) -> any Provider {
        try CloudSigmaProvider.make(for: target, logger: logger, environment: environment, observe: observe, connection: connection)
    }

    /// A file per scheduler: its RetentionPolicy, Scheduler and a DriveBinding of the drives bound to it.
    func importFiles(
        _ unmanaged: [(live: LiveScheduler, state: SchedulerState)], live: LiveState, target: String,
        taken: inout Set<String>
    ) -> ImportedPolicies {
        var imported = ImportedPolicies()
        for (scheduler, state) in unmanaged {
            let name = MappingChecks.claimName(scheduler.displayName, &taken)
            let drives = live.drives.filter { $0.schedulerID == scheduler.id }
            imported.files.append(
                .init(
                    name: name, text: PolicyWriter.document(name: name, target: target, state: state, drives: drives),
                    summary: "scheduler \(scheduler.displayName), \(scheduler.id)"
                        + (drives.isEmpty ? "" : ", \(drives.count) drive\(drives.count == 1 ? "" : "s")")))
        }
        return imported
    }

    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, mapping: inout TargetMapping)
        -> [DesiredScheduler]
    {
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
                mapping.error(
                    "scheduler \(document.name) cannot run natively: \(limitation) "
                        + "(set scheduling: auto or controller on target \(target.name))",
                    subject: .init("scheduler", document.name), location: document.location)
                placement = .controller(reason: limitation)
            case (.auto, true, let limitation?):
                placement = .controller(reason: limitation)
            default:
                placement = .native
            }
            let reason: String? = if case .controller(let why) = placement { why } else { nil }
            mapping.placements.append(.init(scheduler: document.name, mode: placement == .native ? .native : .controller, reason: reason))
            return DesiredScheduler(
                name: document.name, state: state, adopt: document.spec.adopt, protect: document.spec.protect,
                placement: placement, onTarget: placement == .native, comparison: .schedulerFields)
        }
    }
}
