import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// freezer: one job per Scheduler, run by the freezer agent on the job's client at a fixed interval from a start date.
///
/// A schedule that is not one fixed interval (daylight saving time moves it, or its gaps differ) is an error, not a
/// controller job: a job `event` carries no slot, so the controller could not tell a slot's backup from another's
/// and could neither avoid a second run nor notice a lost one.
struct FreezerDefinition: ProviderDefinition {
    var noun: String { "job" }
    var bindsDrives: Bool { false }
    var objectNoun: String { "client" }

    /// The registered clients, and any a job names.
    func protectableObjects(live: LiveState, schedulers: [SchedulerState]) -> [LiveDrive] {
        let named = schedulers.compactMap { $0.options[FreezerMapping.clientID] }.filter { !$0.isEmpty }
        return Set(live.clients).union(named).sorted().map { LiveDrive(id: $0, name: $0) }
    }

    func protectedObjects(by state: SchedulerState) -> [String] {
        state.options[FreezerMapping.clientID].map { [$0] } ?? []
    }

    /// A backup is of its job's client.
    func objects(of snapshot: LiveSnapshot, live: LiveState) -> [String]? {
        live.schedulers.first { $0.id == snapshot.driveID }.map { $0.state.map(protectedObjects(by:)) ?? [] }
    }
    var objectKind: PolicyKind { .scheduler }

    static let modes = ["fs", "mongo", "mysql", "sqlserver", "cinder", "glance", "cindernative", "nova"]
    static let storages = ["local", "swift", "ssh", "s3", "ftp", "ftps"]
    static let options = SchedulerOptionRules([
        .init(key: "clientId", required: true) { $0.isEmpty ? "is empty; name the client the freezer agent registered" : nil },
        .init(key: "container", required: true) { $0.isEmpty ? "is empty; name the storage container" : nil },
        .init(key: "backupName"),
        .init(key: "pathToBackup"),
        .init(key: "storage") { storages.contains($0) ? nil : "must be one of \(storages.joined(separator: ", "))" },
        .init(key: "mode") { modes.contains($0) ? nil : "must be one of \(modes.joined(separator: ", "))" },
    ])

    func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic] {
        Self.options.problems(of: scheduler, on: target)
    }
    var wireFormat: any SchedulerWireFormat { FreezerMapping.Format() }

    func connect(
        _ target: PolicyDocument<TargetSpec>, logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        connection: ConnectionOptions
    ) throws(ProviderError) -> any Provider {
        try FreezerProvider.make(for: target, logger: logger, environment: environment, observe: observe, connection: connection)
    }

    /// A Scheduler per job whose interval and start date have a calendar form.
    func importFiles(
        _ unmanaged: [(live: LiveScheduler, state: SchedulerState)], live: LiveState, target: String,
        taken: inout Set<String>
    ) -> ImportedPolicies {
        var imported = ImportedPolicies()
        for (job, state) in unmanaged {
            let name = PolicyWriter.name(for: job.displayName, taken: taken)
            guard let text = PolicyWriter.freezerJob(name: name, target: target, description: job.displayName, state: state) else {
                imported.skipped.append("job \(job.displayName) (\(job.id)): its interval and start date have no calendar form")
                continue
            }
            taken.insert(name)
            imported.files.append(.init(name: name, text: text, summary: "job \(job.displayName), \(job.id)"))
        }
        return imported
    }

    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, mapping: inout TargetMapping)
        -> [DesiredScheduler]
    {
        MappingChecks.rejectBindings(
            target: target, policies: policies, why: "freezer jobs run on their client (options.clientId); there are no drives to bind",
            mapping: &mapping)
        return policies.schedulers.filter { $0.spec.target.value == target.name }.compactMap { document -> DesiredScheduler? in
            let spec = document.spec
            guard let client = spec.options["clientId"], let container = spec.options["container"] else {
                mapping.error(
                    "scheduler \(document.name): freezer needs options.clientId (the agent's client) and options.container",
                    subject: .init("scheduler", document.name), location: document.location)
                return nil
            }
            if !live.clients.contains(client) {
                mapping.error(
                    "scheduler \(document.name): client \(client) is not registered on target \(target.name); "
                        + "start the freezer agent on that host (it registers the client) before applying",
                    subject: .init("scheduler", document.name), location: document.location)
                return nil
            }
            if target.spec.scheduling == .controller {
                mapping.error(
                    "scheduler \(document.name): target \(target.name) says scheduling: controller, but tidemark cannot run freezer jobs "
                        + "slot by slot (a job event carries no slot); use scheduling: auto or native",
                    subject: .init("scheduler", document.name), location: document.location)
                return nil
            }
            let interval: (seconds: Int, start: Date)
            switch NativeSchedule.interval(spec.schedule, from: now) {
            case .success(let found): interval = found
            case .failure(let why):
                mapping.error(
                    "scheduler \(document.name): freezer runs a job at a fixed interval from a start date, and this schedule has "
                        + "none: \(why); use 'every' over the whole day or one daily time, "
                        + "in a timezone without daylight saving time (e.g. Etc/UTC)",
                    subject: .init("scheduler", document.name), location: document.location)
                return nil
            }
            let rules = policies.resolve(spec.retention)?.rules ?? []
            var removeOlderThan = ""
            let intervalText = FreezerMapping.intervalText(seconds: interval.seconds)
            let reason = "every \(intervalText) from \(FreezerMapping.dateText(interval.start)) UTC"
            if rules.count == 1, case .age(.days, let days) = rules[0] {
                removeOlderThan = String(days)
                mapping.placements.append(
                    .init(
                        scheduler: document.name, mode: .native, reason: reason, retention: .native,
                        retentionReason: "remove_older_than \(days)"))
            } else if rules.isEmpty {
                mapping.placements.append(.init(scheduler: document.name, mode: .native, reason: reason))
            } else {
                mapping.placements.append(
                    .init(
                        scheduler: document.name, mode: .native, reason: reason, retention: .controller,
                        retentionReason: "only {period: days, quantity: N} is native (remove_older_than); tidemark deletes expired backups")
                )
            }
            var options = [
                FreezerMapping.clientID: client, "container": container, "backup_name": spec.options["backupName"] ?? document.name,
                "path_to_backup": spec.options["pathToBackup"] ?? "", FreezerMapping.interval: intervalText,
                FreezerMapping.startDate: FreezerMapping.dateText(interval.start), FreezerMapping.removeOlderThan: removeOlderThan,
            ]
            // Not given: a create takes freezer's defaults (FreezerMapping.createDefaults), an adopted job keeps its own.
            for (option, field) in [("storage", "storage"), ("mode", "mode")] { options[field] = spec.options[option] }
            options = options.filter { !$0.value.isEmpty || $0.key == FreezerMapping.removeOlderThan || $0.key == "path_to_backup" }
            let state = SchedulerState(
                displayName: document.name, type: .backup, enabled: spec.enabled, schedule: spec.schedule,
                retentionName: "", retention: rules, notifications: Notifications(), remoteLocation: "", window: nil,
                options: options)
            return DesiredScheduler(
                name: document.name, state: state, adopt: spec.adopt, protect: spec.protect, placement: .native, onTarget: true,
                comparison: .options,
                adoptName: spec.displayName ?? document.name)
        }
    }
}
