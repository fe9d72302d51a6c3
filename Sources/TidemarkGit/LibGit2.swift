import CGit2
import Foundation

/// The process-wide libgit2 library: initialised once, on first use, and never shut down.
enum LibGit2 {
    private static let initialised: Int32 = git_libgit2_init()

    /// Makes sure libgit2 is initialised; every entry point of this module calls it first.
    static func ensureInitialised() {
        _ = initialised
    }

    /// Runs a libgit2 call and turns a negative result into a `GitError` carrying libgit2's message and class.
    @discardableResult
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
        guard result < 0 else { return result }
        throw GitError.lastError(code: result, operation: operation())
    }

    /// Makes https verify servers against `file`, or against the system bundle when `file` is nil.
    static func trustCertificates(in file: String?) throws(GitError) {
        let systemBundle = "/etc/ssl/certs/ca-certificates.crt"
        guard let bundle = file ?? (access(systemBundle, R_OK) == 0 ? systemBundle : nil) else { return }
        guard access(bundle, R_OK) == 0 else {
            throw GitError(
                operation: "read the CA file \(bundle)", message: "no such readable file", remedy: .giveCAFile)
        }
        try check(tidemark_git_set_ssl_cert_file(bundle), "use the CA file \(bundle)")
    }

    /// The 40-hex form of an object id.
    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        git_oid_tostr(&buffer, buffer.count, oid)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
