import ArgumentParser
import TidemarkPolicy

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check policy files and report every problem as file:line:col: error: …",
        discussion: """
            Loads every *.yaml and *.yml file under PATH (recursively, hidden directories skipped) and checks \
            syntax, keys, types, names, references, timezones, schedules and retention rules. All problems of \
            all files are reported, sorted. YAML without tidemark documents is listed and skipped. With --repo, \
            the files are read from a commit (no work tree) and diagnostics name it: COMMIT:path:line:col. \
            Exit status 0 when the policies are valid, 1 otherwise.
            """
    )

    @Argument(help: "A policy directory or file (default: policies; with --repo, a path inside the repository, default its root).")
    var path: String?

    @OptionGroup(title: "Policies from git")
    var source: PolicySourceOptions

    func run() throws {
        let loaded = try source.load(path: path, what: "fix them and run validate again")
        let policies = loaded.result.policies
        let ignored = loaded.source.ignoredFiles ?? []
        if !ignored.isEmpty {
            Output.line("ignored \(plural(ignored.count, "file")) without tidemark documents: \(ignored.joined(separator: ", "))")
        }
        Output.line(
            "\(loaded.source.headline): \(plural(policies.documentCount, "document")) in \(plural(policies.files.count, "file")) valid "
                + "(\(plural(policies.targets.count, "target")), "
                + "\(plural(policies.retentionPolicies.count, "retention policy", "retention policies")), "
                + "\(plural(policies.schedulers.count, "scheduler")), \(plural(policies.driveBindings.count, "drive binding")), "
                + "\(plural(policies.backupPlans.count, "backup plan")))")
    }
}

/// "1 file", "2 files".
func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : pluralForm ?? singular + "s")"
}
