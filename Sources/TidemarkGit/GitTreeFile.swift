/// One entry read from a commit's tree, without a work tree.
public struct GitTreeFile: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case file
        /// A symbolic link; `contents` holds its target path.
        case symlink
        /// A submodule (gitlink): nothing to read.
        case submodule
    }

    /// The path inside the repository, `/`-separated.
    public var path: String
    public var kind: Kind
    /// The blob's size in bytes.
    public var size: Int
    /// The blob's bytes; nil when it is larger than the read limit (or for a submodule).
    public var contents: [UInt8]?

    public init(path: String, kind: Kind, size: Int, contents: [UInt8]?) {
        self.path = path
        self.kind = kind
        self.size = size
        self.contents = contents
    }
}
