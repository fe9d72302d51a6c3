import CGit2
import Foundation

/// Bare mirrors of remote repositories in a cache directory, fetched with libgit2.
///
/// A first fetch builds the mirror in a temporary directory and moves it into place only when it succeeded; a
/// later fetch updates refs only after the pack is complete, so a failed fetch leaves the previous mirror usable.
/// Processes sharing the cache take turns through a lock file per mirror.
public struct GitMirrorCache: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `$TIDEMARK_CACHE_DIR`, else `$XDG_CACHE_HOME/tidemark`, else `~/.cache/tidemark`; then `/git`.
    public static func defaultDirectory(environment: [String: String]) -> String {
        let base =
            environment["TIDEMARK_CACHE_DIR"]
            ?? environment["XDG_CACHE_HOME"].map { $0 + "/tidemark" }
            ?? (environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/tidemark"
        return base + "/git"
    }

    /// Fetches every branch and tag of `url` into its mirror (creating it on first use) and opens the mirror.
    /// `HEAD` of the remote is kept as `refs/tidemark/remote-HEAD`. `caFile` replaces the system's CA bundle for
    /// https (libgit2 keeps one setting per process).
    public func fetch(_ url: String, credentials: GitCredentials, caFile: String? = nil) throws(GitError) -> GitRepository {
        LibGit2.ensureInitialised()
        if url.hasPrefix("https://") { try LibGit2.trustCertificates(in: caFile) }
        let location = GitRepositoryLocation.remote(url: url)
        let mirror = directory + "/" + Self.mirrorName(for: url)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw GitError(
                operation: "create the git cache \(directory)", message: "\(error.localizedDescription)",
                remedy: .giveWritableCache)
        }
        let lock = try MirrorLock(path: mirror + ".lock")
        defer { lock.release() }
        if FileManager.default.fileExists(atPath: mirror) {
            Self.removeStaleGitLocks(in: mirror)
            let repository = try GitRepository.open(at: mirror)
            try Self.fetchAll(into: repository, from: url, redacted: location.redacted, credentials: credentials)
            return repository
        }
        let partial = mirror + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        var created: OpaquePointer?
        try LibGit2.check(git_repository_init(&created, partial, 1), "create the mirror \(partial)")
        let fresh = GitRepository(pointer: created!, path: partial)
        try Self.fetchAll(into: fresh, from: url, redacted: location.redacted, credentials: credentials)
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: mirror)
        } catch {
            throw GitError(operation: "move the mirror into \(mirror)", message: "\(error.localizedDescription)")
        }
        return try GitRepository.open(at: mirror)
    }

    /// Opens the mirror of `url` as the last successful fetch left it, without contacting the remote.
    public func cached(_ url: String) throws(GitError) -> GitRepository {
        let mirror = directory + "/" + Self.mirrorName(for: url)
        guard FileManager.default.fileExists(atPath: mirror) else {
            throw GitError(
                operation: "open the cached mirror of \(GitRepositoryLocation.remote(url: url).redacted)",
                message: "nothing has been fetched from it yet")
        }
        return try GitRepository.open(at: mirror)
    }

    /// The mirror's revision for a ref the user names: the remote's HEAD is stored under its own ref.
    public static func revision(for ref: String) -> String {
        ref == "HEAD" ? headRef : ref
    }

    static let headRef = "refs/tidemark/remote-HEAD"

    private static func fetchAll(
        into repository: GitRepository, from url: String, redacted: String,
        credentials: GitCredentials
    ) throws(GitError) {
        var remote: OpaquePointer?
        try LibGit2.check(git_remote_create_anonymous(&remote, repository.pointer, url), "open remote \(redacted)")
        defer { git_remote_free(remote) }
        let payload = CredentialPayload(credentials: credentials, url: url)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.callbacks.credentials = credentialCallback
        options.callbacks.certificate_check = certificateCallback
        options.callbacks.payload = Unmanaged.passUnretained(payload).toOpaque()
        let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+HEAD:\(headRef)"]
        let result = withUnsafeMutablePointer(to: &options) { options in
            refspecs.withCStringArray { strings in
                var array = git_strarray(strings: strings, count: refspecs.count)
                return git_remote_fetch(remote, &array, options, "tidemark: fetch")
            }
        }
        withExtendedLifetime(payload) {}
        do {
            try LibGit2.check(result, "fetch \(redacted)")
        } catch {
            var error = error
            error.remedy = payload.remedy ?? error.remedy
            throw error
        }
    }

    /// A readable, collision-free directory name: the URL without credentials, flattened, and a hash of it.
    static func mirrorName(for url: String) -> String {
        let printable = GitRepositoryLocation.remote(url: url).redacted
        let stem = printable.split(separator: "://").last.map(String.init) ?? printable
        let flat = String(stem.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }.suffix(60))
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in url.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return flat + "-" + String(hash, radix: 16)
    }

    /// git's own `*.lock` files left by a process that was killed mid-fetch; safe to remove under the mirror lock.
    private static func removeStaleGitLocks(in mirror: String) {
        guard let enumerator = FileManager.default.enumerator(atPath: mirror) else { return }
        for case let path as String in enumerator {
            if path == "objects" {
                enumerator.skipDescendants()
            } else if path.hasSuffix(".lock") {
                try? FileManager.default.removeItem(atPath: mirror + "/" + path)
            }
        }
    }
}

extension Array where Element == String {
    /// Calls `body` with a C array of C strings that lives for the call.
    func withCStringArray<Result>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
        let strings = map { strdup($0) }
        defer { for string in strings { free(string) } }
        var pointers = strings
        return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
