/// A resolved commit: its full id and the first line of its message.
public struct GitCommit: Sendable, Hashable {
    public var id: String
    public var summary: String

    public init(id: String, summary: String) {
        self.id = id
        self.summary = summary
    }

    /// The abbreviated id used in diagnostics and plan headers.
    public var shortID: String { String(id.prefix(10)) }
}
