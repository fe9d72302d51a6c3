/// What `tidemark import` writes for a target, and what it skipped and why.
public struct ImportedPolicies: Sendable {
    /// One file: its policy name, its YAML, and what it holds, as people read it.
    public struct File: Sendable {
        public var name: String
        public var text: String
        public var summary: String

        public init(name: String, text: String, summary: String) {
            self.name = name
            self.text = text
            self.summary = summary
        }
    }

    public var files: [File] = []
    public var skipped: [String] = []

    public init(files: [File] = [], skipped: [String] = []) {
        self.files = files
        self.skipped = skipped
    }
}
