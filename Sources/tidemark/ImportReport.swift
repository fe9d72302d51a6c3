/// What `import --json` prints: one versioned object (docs/commands.md#tidemark-import).
struct ImportReport: Encodable {
    var formatVersion = "1"
    var target: String
    var out: String
    var files: [File]
    /// Live objects not imported, and why.
    var skipped: [String]

    struct File: Encodable {
        var path: String
        /// The name of the policies in the file.
        var name: String
        /// The live object they describe: its kind, name and id.
        var object: String
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case target, out, files, skipped
    }
}
