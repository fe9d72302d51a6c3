import ArgumentParser

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the policy documents.",
        discussion: """
            The same schema as schema/tidemark.schema.json in the repository. Point an editor's YAML language server \
            at it to get completion and errors while typing: a policy file's first line \
            `# yaml-language-server: $schema=<url or path of the schema>` does it for that file. The schema checks \
            each document on its own; references between documents, IANA time zones and cron field ranges are \
            checked by `tidemark validate`.
            """
    )

    func run() {
        Output.line(String(decoding: PackageResources.tidemark_schema_json, as: UTF8.self), terminator: "")
    }
}
