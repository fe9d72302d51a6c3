import ArgumentParser

@main
struct Tidemark: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tidemark",
        abstract: "Backup schedules and retention as code.",
        discussion: """
            Tidemark reads backup schedulers, retention policies, drive bindings and backup plans from YAML \
            (apiVersion: tidemark.io/v1), checks them, and shows when schedules fire and what retention keeps.

            Start with `tidemark validate policies`, then `tidemark preview <scheduler> --path policies`.
            """,
        version: "\(version) (commit \(buildCommit))",
        subcommands: [
            Validate.self, PlanCommand.self, ApplyCommand.self, ImportCommand.self, RunCommand.self, Preview.self, SchemaCommand.self,
            AuditCommand.self, EmulatorCommand.self,
        ]
    )
}
