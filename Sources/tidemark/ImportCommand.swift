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
        var importable: [(live: LiveScheduler, state: SchedulerState)] = []
        for scheduler in live.schedulers where scheduler.marker == nil && !adoptable.contains(scheduler.displayName) {
            guard let state = scheduler.state else {
                Output.error("warning: skipped \(scheduler.displayName) (\(scheduler.id)): its settings cannot be expressed as a policy")
                continue
            }
            importable.append((scheduler, state))
        }
        let imported = ProviderRegistry.definition(for: target.spec.provider).importFiles(
            importable, live: live, target: targetName, taken: &taken)
        for skipped in imported.skipped { Output.error("warning: skipped \(skipped)") }
        for file in imported.files { try write(file.name, file.text, file.summary) }
        Output.line(
            written == 0
                ? "Nothing to import: every scheduler on \(targetName) is managed already."
                : "Imported \(plural(written, "scheduler")) into \(out); move the files into \(options.policyLocation), commit them, and apply to adopt."
        )
    }
}
