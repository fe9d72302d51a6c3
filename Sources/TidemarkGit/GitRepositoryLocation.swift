/// Where a repository is: a local repository path, or a remote URL that is fetched into the cache.
public enum GitRepositoryLocation: Sendable, Hashable {
    case local(path: String)
    case remote(url: String)

    /// `file://`, `git://`, `http(s)://`, `ssh://` and scp-like `user@host:path` are remotes; anything else is a path.
    public init(_ argument: String) {
        if argument.contains("://") {
            self = .remote(url: argument)
        } else if let colon = argument.firstIndex(of: ":"), argument[..<colon].contains("@"), !argument[..<colon].contains("/") {
            self = .remote(url: argument)
        } else {
            self = .local(path: argument)
        }
    }

    /// The location as it may be printed: a password or token inside the URL is replaced by `***`.
    public var redacted: String {
        switch self {
        case .local(let path):
            return path
        case .remote(let url):
            guard let scheme = url.range(of: "://") else { return url }
            let rest = url[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return url }
            return String(url[..<rest.index(after: colon)]) + "***" + String(rest[at...])
        }
    }
}
