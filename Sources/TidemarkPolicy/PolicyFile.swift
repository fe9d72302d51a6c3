/// One file of policy source: the name diagnostics use, and its bytes.
public struct PolicyFile: Sendable, Hashable {
    /// The path diagnostics print, e.g. `policies/schedulers.yaml`.
    public var path: String
    public var contents: [UInt8]
    /// The file's real size; larger than `contents` when a reader stopped at the size limit.
    public var byteCount: Int

    public init(path: String, contents: [UInt8], byteCount: Int? = nil) {
        self.path = path
        self.contents = contents
        self.byteCount = byteCount ?? contents.count
    }

    /// Whether the name ends in `.yaml` or `.yml`.
    public static func isPolicyFileName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml")
    }
}
