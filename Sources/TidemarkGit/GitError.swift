import CGit2

/// What a person can do about a git failure. The library words it without naming any caller's settings (`advice`);
/// the CLI words it with its flags.
public enum GitRemedy: String, Sendable, Hashable, CaseIterable {
    case trustServerCertificate, giveCAFile, checkCredentials, giveSSHKey, giveToken, giveKnownHosts, checkKnownHosts
    case giveWritableCache, giveRepository, checkPath

    public var advice: String {
        switch self {
        case .trustServerCertificate: "the server's TLS certificate is not trusted; give the CA that signed it"
        case .giveCAFile: "give a readable PEM file of CA certificates"
        case .checkCredentials: "check the credentials: TIDEMARK_GIT_TOKEN for https, an ssh key for ssh"
        case .giveSSHKey: "set an ssh key"
        case .giveToken: "set a token (TIDEMARK_GIT_TOKEN)"
        case .giveKnownHosts: "give a known_hosts file"
        case .checkKnownHosts: "ssh host keys are checked against a known_hosts file (default ~/.ssh/known_hosts)"
        case .giveWritableCache: "use a writable cache directory"
        case .giveRepository: "give a repository's directory or a remote URL"
        case .checkPath: "check the path against the repository's layout"
        }
    }
}

/// A failure reading git: libgit2's own message and error class, the operation, and what to do about it.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return code (`GIT_ENOTFOUND`, `GIT_EAUTH`, …), or 0 for errors Tidemark raises itself.
    public var code: Int32
    /// libgit2's error class (`net`, `ssh`, `reference`, …), when libgit2 reported one.
    public var errorClass: String?
    public var operation: String
    public var message: String
    /// Advice that depends on no caller's settings.
    public var hint: String?
    /// What to do, when it is a setting of the caller's.
    public var remedy: GitRemedy?

    public init(
        code: Int32 = 0, errorClass: String? = nil, operation: String, message: String, hint: String? = nil, remedy: GitRemedy? = nil
    ) {
        self.code = code
        self.errorClass = errorClass
        self.operation = operation
        self.message = message
        self.hint = hint
        self.remedy = remedy
    }

    public var description: String { described { $0.advice } }

    /// The error with its remedy worded by `word` (a command line names its flags).
    public func described(remedy word: (GitRemedy) -> String) -> String {
        let klass = errorClass.map { " [\($0)]" } ?? ""
        let advice = [remedy.map(word), hint].compactMap { $0 }.joined(separator: "; ")
        return "\(operation): \(message)\(klass)\(advice.isEmpty ? "" : " (\(advice))")"
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
        var error = GitError(code: code, errorClass: errorClass, operation: operation, message: message)
        switch (code, errorClass) {
        case (GIT_ECERTIFICATE.rawValue, "ssh"): error.remedy = .checkKnownHosts
        case (GIT_EAUTH.rawValue, _), (_, "ssh"): error.remedy = .checkCredentials
        case (GIT_ECERTIFICATE.rawValue, _): error.remedy = .trustServerCertificate
        case (_, "net"), (_, "http"), (_, "os"): error.hint = "check that the remote is reachable and the URL is right"
        default: break
        }
        return error
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
