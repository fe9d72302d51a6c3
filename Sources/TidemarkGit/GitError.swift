import CGit2

/// A failure reading git: libgit2's own message and error class, the operation, and what to do about it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return code (`GIT_ENOTFOUND`, `GIT_EAUTH`, …), or 0 for errors Tidemark raises itself.
    public var code: Int32
    /// libgit2's error class (`net`, `ssh`, `reference`, …), when libgit2 reported one.
    public var errorClass: String?
    public var operation: String
    public var message: String
    public var hint: String?

    public init(code: Int32 = 0, errorClass: String? = nil, operation: String, message: String, hint: String? = nil) {
        self.code = code
        self.errorClass = errorClass
        self.operation = operation
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let klass = errorClass.map { " [\($0)]" } ?? ""
        return "\(operation): \(message)\(klass)\(hint.map { " (\($0))" } ?? "")"
    }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// Reads libgit2's thread-local last error after a call returned `code`.
    static func lastError(code: Int32, operation: String) -> GitError {
        var message = "libgit2 error \(code)"
        var errorClass: String?
        if let last = git_error_last() {
            if let text = last.pointee.message { message = String(cString: text).trimmingTrailingNewlines }
            errorClass = className(last.pointee.klass)
        }
        return GitError(
            code: code, errorClass: errorClass, operation: operation, message: message, hint: hint(code: code, errorClass: errorClass))
    }

    private static func hint(code: Int32, errorClass: String?) -> String? {
        switch (code, errorClass) {
        case (GIT_ECERTIFICATE.rawValue, "ssh"):
            "ssh host keys are checked against --repo-known-hosts (default ~/.ssh/known_hosts)"
        case (GIT_EAUTH.rawValue, _), (_, "ssh"):
            "check the credentials: TIDEMARK_GIT_TOKEN for https, --repo-ssh-key for ssh"
        case (GIT_ECERTIFICATE.rawValue, _):
            "the server's TLS certificate is not trusted; pass its CA with --repo-ca-file"
        case (_, "net"), (_, "http"), (_, "os"):
            "check that the remote is reachable and the URL is right"
        default:
            nil
        }
    }

    private static func className(_ klass: Int32) -> String? {
        let names: [(git_error_t, String)] = [
            (GIT_ERROR_NOMEMORY, "nomemory"), (GIT_ERROR_OS, "os"), (GIT_ERROR_INVALID, "invalid"), (GIT_ERROR_REFERENCE, "reference"),
            (GIT_ERROR_ZLIB, "zlib"), (GIT_ERROR_REPOSITORY, "repository"), (GIT_ERROR_CONFIG, "config"), (GIT_ERROR_REGEX, "regex"),
            (GIT_ERROR_ODB, "odb"), (GIT_ERROR_INDEX, "index"), (GIT_ERROR_OBJECT, "object"), (GIT_ERROR_NET, "net"),
            (GIT_ERROR_TAG, "tag"),
            (GIT_ERROR_TREE, "tree"), (GIT_ERROR_INDEXER, "indexer"), (GIT_ERROR_SSL, "ssl"), (GIT_ERROR_SUBMODULE, "submodule"),
            (GIT_ERROR_THREAD, "thread"), (GIT_ERROR_STASH, "stash"), (GIT_ERROR_CHECKOUT, "checkout"), (GIT_ERROR_FETCHHEAD, "fetchhead"),
            (GIT_ERROR_MERGE, "merge"), (GIT_ERROR_SSH, "ssh"), (GIT_ERROR_FILTER, "filter"), (GIT_ERROR_REVERT, "revert"),
            (GIT_ERROR_CALLBACK, "callback"), (GIT_ERROR_CHERRYPICK, "cherrypick"), (GIT_ERROR_DESCRIBE, "describe"),
            (GIT_ERROR_REBASE, "rebase"), (GIT_ERROR_FILESYSTEM, "filesystem"), (GIT_ERROR_PATCH, "patch"),
            (GIT_ERROR_WORKTREE, "worktree"), (GIT_ERROR_SHA, "sha"), (GIT_ERROR_HTTP, "http"), (GIT_ERROR_INTERNAL, "internal"),
        ]
        return names.first { Int32($0.0.rawValue) == klass }?.1
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }
}
