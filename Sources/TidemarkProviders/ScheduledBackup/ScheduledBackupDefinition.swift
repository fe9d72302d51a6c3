import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// scheduled-backup: one backup plan per BackupPlan document, scheduled natively by a UTC cron pattern. The API cannot
/// take a checkpoint on demand, so a schedule without an exact UTC cron form is an error, never a controller job.
struct ScheduledBackupDefinition: ProviderDefinition {
    var noun: String { "plan" }
    var bindsDrives: Bool { false }
    var objectNoun: String { "resource" }

    /// The resources the plans name (the API lists no others); a resource's type counts as a tag.
    func protectableObjects(live: LiveState, schedulers: [SchedulerState]) -> [LiveDrive] {
        var seen: [String: LiveDrive] = [:]
        for resource in schedulers.flatMap(\.resources) where seen[resource.id] == nil {
            seen[resource.id] = LiveDrive(id: resource.id, name: resource.name ?? resource.id, tags: [resource.type])
        }
        return seen.values.sorted { $0.id < $1.id }
    }

    func protectedObjects(by state: SchedulerState) -> [String] { state.resources.map(\.id) }

    /// A checkpoint is of its plan's resources.
    func objects(of snapshot: LiveSnapshot, live: LiveState) -> [String]? {
        live.schedulers.first { $0.id == snapshot.driveID }.map { $0.state.map(protectedObjects(by:)) ?? [] }
    }
    /// Backup plans are BackupPlan documents; a Scheduler here is an error (and takes no options).
    var objectKind: PolicyKind { .backupPlan }

    func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic] {
        SchedulerOptionRules([]).problems(of: scheduler, on: target)
    }
    var wireFormat: any SchedulerWireFormat { ScheduledBackupMapping.Format() }

    func connect(
        _ target: PolicyDocument<TargetSpec>, logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        connection: ConnectionOptions
    ) throws(ProviderError) -> any Provider {
        try ScheduledBackupProvider.make(for: target, logger: logger, environment: environment, observe: observe, connection: connection)
    }

    /// A BackupPlan document per plan.
    func importFiles(
        _ unmanaged: [(live: LiveScheduler, state: SchedulerState)], live: LiveState, target: String,
        taken: inout Set<String>
    ) -> ImportedPolicies {
        var imported = ImportedPolicies()
        for (plan, state) in unmanaged {
            let name = MappingChecks.claimName(plan.displayName, &taken)
            imported.files.append(
                .init(
                    name: name, text: PolicyWriter.backupPlan(name: name, target: target, state: state),
                    summary: "plan \(plan.displayName), \(plan.id)"))
        }
        return imported
    }

    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, mapping: inout TargetMapping)
        -> [DesiredScheduler]
    {
        MappingChecks.rejectBindings(
            target: target, policies: policies, why: "scheduled-backup plans list their resources; there are no drives to bind",
            mapping: &mapping)
        return policies.backupPlans.filter { $0.spec.target.value == target.name }.compactMap { document -> DesiredScheduler? in
            let spec = document.spec
            if target.spec.scheduling == .controller {
                mapping.error(
                    "backup plan \(document.name): target \(target.name) says scheduling: controller, but the scheduled-backup "
                        + "API cannot take checkpoints on demand; use scheduling: auto or native",
                    subject: .init("backup plan", document.name), location: document.location)
                return nil
            }
            let cron: String
            switch NativeSchedule.utcCron(spec.schedule, from: now) {
            case .success(let text): cron = text
            case .failure(let why):
                mapping.error(
                    "backup plan \(document.name): the scheduled-backup API takes a UTC cron pattern and cannot take checkpoints on "
                        + "demand, so this schedule cannot run there: \(why); use a fixed-offset timezone (e.g. Etc/UTC) "
                        + "or times daylight saving does not move",
                    subject: .init("backup plan", document.name), location: document.location)
                return nil
            }
            guard let rules = policies.resolve(spec.retention)?.rules, !rules.isEmpty else {
                mapping.error(
                    "backup plan \(document.name) has no retention; the API needs max_backups: add retention: {last: N}",
                    subject: .init("backup plan", document.name), location: document.location)
                return nil
            }
            let maxBackups: Int
            if let count = MappingChecks.onlyLast(rules) {
                maxBackups = count
                mapping.placements.append(
                    .init(
                        scheduler: document.name, mode: .native, reason: "cron \"\(cron)\" in UTC",
                        retention: .native, retentionReason: "max_backups \(count)"))
            } else {
                maxBackups = RetentionBound.count(rules, schedule: spec.schedule, now: now)
                mapping.placements.append(
                    .init(
                        scheduler: document.name, mode: .native, reason: "cron \"\(cron)\" in UTC", retention: .controller,
                        retentionReason: "only {last: N} is native (max_backups); tidemark deletes expired checkpoints "
                            + "and sets max_backups to \(maxBackups), above what the rules keep"))
            }
            let options = [
                ScheduledBackupMapping.mode: spec.mode.rawValue, ScheduledBackupMapping.scheduleType: "crontab",
                ScheduledBackupMapping.schedulePattern: cron,
                ScheduledBackupMapping.maxBackups: String(maxBackups),
            ]
            let state = SchedulerState(
                displayName: spec.displayName ?? document.name, type: .backup, enabled: !spec.suspended,
                schedule: spec.schedule, retentionName: "", retention: rules, notifications: Notifications(),
                remoteLocation: "", window: nil, options: options, resources: spec.resources)
            return DesiredScheduler(
                name: document.name, state: state, adopt: spec.adopt, protect: spec.protect, placement: .native, onTarget: true,
                comparison: .options)
        }
    }
}
