import ArgumentParser
import TidemarkPolicy

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check policy files and report every problem as file:line:col: error: …",
        discussion: """
        Loads every *.yaml and *.yml file under PATH (recursively, hidden directories skipped) and checks \
        syntax, keys, types, names, references, timezones, schedules and retention rules. All problems of \
        all files are reported, sorted. Exit status 0 when the policies are valid, 1 otherwise.
        """
    )

    @Argument(help: "A policy directory or file.")
    var path: String = "policies"

    func run() throws {
        let result = try PolicyPathLoading.load(path)
        let policies = result.policies
        Output.line("\(path): \(plural(policies.documentCount, "document")) in \(plural(policies.files.count, "file")) valid "
            + "(\(plural(policies.targets.count, "target")), \(plural(policies.retentionPolicies.count, "retention policy", "retention policies")), "
            + "\(plural(policies.schedulers.count, "scheduler")), \(plural(policies.driveBindings.count, "drive binding")), "
            + "\(plural(policies.backupPlans.count, "backup plan")))")
    }
}

/// "1 file", "2 files".
func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : pluralForm ?? singular + "s")"
}
