import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// danube: a backup definition per Scheduler and VM disk its DriveBindings select. Native when the schedule has an
/// exact UTC cron form and the retention is `{last: N}`; otherwise the definition is inactive and the controller
/// takes and deletes the backups.
struct DanubeDefinition: ProviderDefinition {
    var noun: String { "definition" }
    var bindsDrives: Bool { false }
    var objectNoun: String { "VM disk" }

    func protectedObjects(by state: SchedulerState) -> [String] { state.options[DanubeMapping.driveKey].map { [$0] } ?? [] }
    var objectKind: PolicyKind { .scheduler }

    static let options = SchedulerOptionRules([
        .init(key: "node", required: true) { $0.isEmpty ? "is empty; name the backup node that stores the backups" : nil },
        .init(key: "zpool") { $0.isEmpty ? "is empty; name the node's zpool, e.g. zones" : nil },
        .init(key: "bwlimit") { Int($0).map { $0 >= 0 } == true ? nil : "must be a number of bytes per second (0 or more)" },
        .init(key: "compression") { Int($0).map((0...3).contains) == true ? nil : "must be 0 (none), 1 (gzip), 2 (bzip2) or 3 (xz)" },
        .init(key: "fsfreeze") { ["true", "false"].contains($0) ? nil : "must be true or false" },
    ])

    func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic] {
        Self.options.problems(of: scheduler, on: target)
    }
    var wireFormat: any SchedulerWireFormat { DanubeMapping.Format() }

    func connect(
        _ target: PolicyDocument<TargetSpec>, logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        connection: ConnectionOptions
    ) throws(ProviderError) -> any Provider {
        try DanubeProvider.make(for: target, logger: logger, environment: environment, observe: observe, connection: connection)
    }

    /// A Scheduler and a DriveBinding per definition name and settings, binding the VM disks that carry it.
    func importFiles(
        _ unmanaged: [(live: LiveScheduler, state: SchedulerState)], live: LiveState, target: String,
        taken: inout Set<String>
    ) -> ImportedPolicies {
        var groups: [DefinitionSettings: [String]] = [:]
        for (_, state) in unmanaged {
            var settings = state
            let drive = settings.options.removeValue(forKey: DanubeMapping.driveKey) ?? ""
            groups[DefinitionSettings(state: settings), default: []].append(drive)
        }
        var imported = ImportedPolicies()
        for (settings, drives) in groups.sorted(by: { $0.key.sortKey < $1.key.sortKey }) {
            let name = MappingChecks.claimName(settings.state.displayName, &taken)
            imported.files.append(
                .init(
                    name: name, text: PolicyWriter.danubeDefinition(name: name, target: target, state: settings.state, drives: drives),
                    summary: "backup definition \(settings.state.displayName), \(drives.count) VM disk\(drives.count == 1 ? "" : "s")"))
        }
        return imported
    }

    /// Definitions that differ only in their disk import as one Scheduler.
    struct DefinitionSettings: Hashable {
        var state: SchedulerState

        var sortKey: String { "\(state.displayName)|\(state.enabled)|\(state.options.sorted { $0.key < $1.key })" }
    }

    /// The inactive definition of a controller-run scheduler still needs a schedule.
    static let inactiveSchedule = "0 0 * * *"

    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, mapping: inout TargetMapping)
        -> [DesiredScheduler]
    {
        var desired: [DesiredScheduler] = []
        for document in policies.schedulers where document.spec.target.value == target.name {
            let spec = document.spec
            guard let node = spec.options["node"], !node.isEmpty else {
                mapping.error(
                    "scheduler \(document.name): danube needs options.node, the backup node that stores the backups",
                    subject: .init("scheduler", document.name), location: document.location)
                continue
            }
            let rules = policies.resolve(spec.retention)?.rules ?? []
            let cron = NativeSchedule.utcCron(spec.schedule, from: now)
            let last = MappingChecks.onlyLast(rules)
            let limitation: String? =
                switch (cron, last) {
                case (.failure(let why), _): "danube schedules in UTC cron only: \(why)"
                case (_, nil): "danube keeps a number of backups only ({last: N}); these rules are enforced by tidemark"
                default: nil
                }
            let placement: SchedulingPlacement
            switch (target.spec.scheduling, limitation) {
            case (.controller, _): placement = .controller(reason: "the target's scheduling is controller")
            case (.native, let limitation?):
                mapping.error(
                    "scheduler \(document.name) cannot run natively: \(limitation) "
                        + "(set scheduling: auto or controller on target \(target.name))",
                    subject: .init("scheduler", document.name), location: document.location)
                continue
            case (.auto, let limitation?): placement = .controller(reason: limitation)
            default: placement = .native
            }
            let native = placement == .native
            let controllerReason: String? = if case .controller(let why) = placement { "\(why); the definition is inactive" } else { nil }
            let cronText = if case .success(let text) = cron { text } else { Self.inactiveSchedule }
            let retention = last.map(String.init) ?? String(RetentionBound.count(rules, schedule: spec.schedule, now: now))
            mapping.placements.append(
                .init(
                    scheduler: document.name, mode: native ? .native : .controller,
                    reason: native
                        ? "cron \"\(cronText)\" in UTC, retention \(retention)"
                        : controllerReason))
            let drives = live.drives.filter { drive in
                policies.driveBindings.contains {
                    $0.spec.target.value == target.name && $0.spec.scheduler.value == document.name && $0.spec.drives.selects(drive)
                }
            }
            if drives.isEmpty {
                mapping.warning(
                    "scheduler \(document.name): no DriveBinding selects a VM disk, so no definition is made",
                    subject: .init("scheduler", document.name), location: document.location)
            }
            for drive in drives {
                var options = [
                    DanubeMapping.driveKey: drive.id, DanubeMapping.node: node, DanubeMapping.zpool: spec.options["zpool"] ?? "zones",
                    DanubeMapping.schedule: cronText, DanubeMapping.retention: retention,
                    DanubeMapping.bwlimit: spec.options["bwlimit"] ?? "",
                ]
                for key in DanubeMapping.createOnly { options[key] = spec.options[key] }
                let state = SchedulerState(
                    displayName: spec.displayName ?? document.name, type: .backup, enabled: native && spec.enabled, schedule: spec.schedule,
                    retentionName: "", retention: rules, notifications: Notifications(), remoteLocation: "", window: nil,
                    options: options)
                desired.append(
                    DesiredScheduler(
                        name: DanubeMapping.objectName(scheduler: document.name, drive: drive.id), state: state,
                        adopt: spec.adopt, protect: spec.protect, placement: placement, onTarget: true, comparison: .options,
                        adoptMatching: [DanubeMapping.driveKey]))
            }
        }
        return desired
    }
}
