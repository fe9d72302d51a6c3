import ArgumentParser
import Foundation
import TidemarkPolicy
import TidemarkProviders
import TidemarkReconcile

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write policy YAML for live objects tidemark does not manage yet.",
        discussion: """
        Reads the target's live schedulers and, for each one without tidemark's ownership marker, writes a file \
        with its RetentionPolicy, its Scheduler (with adopt: true) and a DriveBinding for the drives bound to it. \
        Commit the files; the next apply adopts the objects (by exact name) instead of creating new ones. Nothing \
        on the target is changed by import. With --repo, the policies are read from git and the files are written \
        to --out on disk, never into the repository.
        """
    )

    @OptionGroup var options: ReconcileOptions

    @Option(help: "Directory to write the YAML files into (created if needed).")
    var out: String = "imported"

    func run() async throws {
        guard let targetName = options.target else {
            throw ValidationError("Name the target to import from with --target.")
        }
        let (policies, _) = try options.loadPolicies()
        guard let target = try options.targets(in: policies).first else { return }
        let provider = try options.provider(for: target)
        let live: LiveState
        do {
            live = try await provider.readLiveState()
        } catch {
            Output.error("error: target \(target.name): \(error)")
            throw ExitCode.failure
        }
        var taken = Set(policies.schedulers.map(\.name) + policies.retentionPolicies.map(\.name) + policies.driveBindings.map(\.name))
        let adoptable = Set(policies.schedulers.filter(\.spec.adopt).map { DesiredScheduler.state(of: $0, in: policies).displayName })
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written = 0
        func write(_ name: String, _ text: String, _ what: String) throws {
            let file = (out as NSString).appendingPathComponent("\(name).yaml")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            Output.line("wrote \(file) (\(what))")
            written += 1
        }
        let unmanaged = live.schedulers.filter { $0.marker == nil && !adoptable.contains($0.displayName) }
        var danubeGroups: [String: (state: SchedulerState, drives: [String])] = [:]
        for scheduler in unmanaged {
            guard let state = scheduler.state else {
                Output.error("warning: skipped \(scheduler.displayName) (\(scheduler.id)): its settings cannot be expressed as a policy")
                continue
            }
            switch target.spec.provider {
            case .cloudsigma:
                let name = PolicyWriter.name(for: scheduler.displayName, taken: taken)
                taken.insert(name)
                let drives = live.drives.filter { $0.schedulerID == scheduler.id }
                try write(name, PolicyWriter.document(name: name, target: targetName, state: state, drives: drives),
                          "scheduler \(scheduler.displayName), \(scheduler.id)\(drives.isEmpty ? "" : ", \(plural(drives.count, "drive"))")")
            case .scheduledBackup:
                let name = PolicyWriter.name(for: scheduler.displayName, taken: taken)
                taken.insert(name)
                try write(name, PolicyWriter.backupPlan(name: name, target: targetName, state: state), "plan \(scheduler.displayName), \(scheduler.id)")
            case .danube:
                var settings = state
                let drive = settings.options.removeValue(forKey: DanubeMapping.driveKey) ?? ""
                let key = "\(settings.displayName)|\(settings.enabled)|" + settings.options.keys.sorted().map { "\($0)=\(settings.options[$0]!)" }.joined(separator: "|")
                danubeGroups[key, default: (settings, [])].drives.append(drive)
            case .freezer:
                let name = PolicyWriter.name(for: scheduler.displayName, taken: taken)
                guard let text = PolicyWriter.freezerJob(name: name, target: targetName, description: scheduler.displayName, state: state) else {
                    Output.error("warning: skipped job \(scheduler.displayName) (\(scheduler.id)): its interval and start date have no calendar form")
                    continue
                }
                taken.insert(name)
                try write(name, text, "job \(scheduler.displayName), \(scheduler.id)")
            }
        }
        for key in danubeGroups.keys.sorted() {
            let group = danubeGroups[key]!
            let name = PolicyWriter.name(for: group.state.displayName, taken: taken)
            taken.insert(name)
            try write(name, PolicyWriter.danubeDefinition(name: name, target: targetName, state: group.state, drives: group.drives),
                      "backup definition \(group.state.displayName), \(plural(group.drives.count, "VM disk"))")
        }
        Output.line(written == 0 ? "Nothing to import: every scheduler on \(targetName) is managed already."
            : "Imported \(plural(written, "scheduler")) into \(out); move the files into \(options.policyLocation), commit them, and apply to adopt.")
    }
}
