/// Bounds that keep loading a hostile policy file fast and small.
public struct YAMLLimits: Sendable {
    /// Largest file accepted, in bytes.
    public var maxFileBytes: Int
    /// Deepest nesting of mappings and lists accepted.
    public var maxDepth: Int
    /// Most nodes one file may expand to, aliases counted at every use.
    public var maxNodes: Int

    public init(maxFileBytes: Int = 1 << 20, maxDepth: Int = 64, maxNodes: Int = 100_000) {
        self.maxFileBytes = maxFileBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }

    public static let `default` = YAMLLimits()
}
