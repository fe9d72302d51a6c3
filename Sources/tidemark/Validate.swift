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
            Exit status 0 when the policies are valid, 1 otherwise. --format json prints one versioned object \
            on standard output; --format github prints GitHub Actions workflow commands, so the problems appear \
            on the pull request's lines.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    @Argument(help: "A policy directory or file (default: policies; with --repo, a path inside the repository, default its root).")
    var path: String?

    @OptionGroup(title: "Policies from git")
    var source: PolicySourceOptions

    @Option(help: "How to report: text (file:line:col on standard error), json or github (workflow commands).")
    var format: Format = .text

    func run() throws {
        switch format {
        case .text: try runText()
        case .json: try runJSON()
        case .github: try runGitHub()
        }
    }

    private func runJSON() throws {
        let report: ValidationReport
        do {
            report = ValidationReport(try source.read(path: path))
        } catch {
            report = ValidationReport(unreadable: error.description)
        }
        Output.json(report)
        if !report.valid { throw ExitCode.failure }
    }

    private func runGitHub() throws {
        let loaded: PolicySourceOptions.Loaded
        do {
            loaded = try source.read(path: path)
        } catch {
            Output.line(GitHubAnnotation(level: "error", message: error.description).command)
            throw ExitCode.failure
        }
        for diagnostic in loaded.result.diagnostics {
            Output.line(GitHubAnnotation(diagnostic, commit: loaded.source.commit).command)
        }
        let errors = loaded.result.diagnostics.count { $0.severity == .error }
        guard errors == 0 else {
            Output.line("\(plural(errors, "error")) in the policies under \(loaded.source.headline)")
            throw ExitCode.failure
        }
        Output.line("\(loaded.source.headline): \(plural(loaded.result.policies.documentCount, "document")) valid")
    }

    private func runText() throws {
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
                + "\(plural(policies.backupPlans.count, "backup plan")), \(plural(policies.requirements.count, "requirement")))")
    }
}

/// "1 file", "2 files".
func plural(_ count: Int, _ singular: String, _ pluralForm: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : pluralForm ?? singular + "s")"
}
