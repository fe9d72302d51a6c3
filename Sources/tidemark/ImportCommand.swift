import ArgumentParser
import Foundation
import TidemarkPolicy
import TidemarkProviderModel
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

    @Option(
        help: ArgumentHelp(
            "The JSON Schema each file's yaml-language-server modeline names (a URL, or a path relative to the file).",
            discussion: "The default fits files moved into policies/ beside the repository's schema/; '' writes no modeline."))
    var schema = "../schema/tidemark.schema.json"

    @Flag(help: "Print what was written as one JSON object instead of text.")
    var json = false

    func run() async throws {
        guard let targetName = options.target else {
            throw ValidationError("Name the target to import from with --target.")
        }
        let (policies, _) = try options.loadPolicies()
        let imported: ImportedPolicies
        do {
            let reconciler = try options.reconciler()
            guard let target = try Reconciler.targets(policies, named: targetName).first else { return }
            imported = try await reconciler.importPolicies(
                from: target, policies: policies, provider: try reconciler.connection(for: target))
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        if !json { for skipped in imported.skipped { Output.error("warning: skipped \(skipped)") } }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [ImportReport.File] = []
        for file in imported.files {
            let path = (out as NSString).appendingPathComponent("\(file.name).yaml")
            let modeline = schema.isEmpty ? "" : "# yaml-language-server: $schema=\(schema)\n"
            try (modeline + file.text).write(toFile: path, atomically: true, encoding: .utf8)
            written.append(ImportReport.File(path: path, name: file.name, object: file.summary))
            if !json { Output.line("wrote \(path) (\(file.summary))") }
        }
        if json {
            return Output.json(ImportReport(target: targetName, out: out, files: written, skipped: imported.skipped))
        }
        Output.line(
            written.isEmpty
                ? "Nothing to import: every scheduler on \(targetName) is managed already."
                : "Imported \(plural(written.count, "scheduler")) into \(out); "
                    + "move the files into \(options.policyLocation), commit them, and apply to adopt."
        )
    }
}
