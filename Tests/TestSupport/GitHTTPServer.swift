import Foundation

/// `Tests/Peers/git_http_server.py`: git's smart HTTP (TLS with a fresh self-signed certificate when asked) on
/// loopback, requiring a token as the Basic auth password.
public final class GitHTTPServer: @unchecked Sendable {
    public var port: Int { peer.port }
    public let certificateFile: String?
    private let peer: PeerProcess
    private let directory: URL

    public init(root: String, token: String, tls: Bool) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-githttp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = [root]
        if tls {
            let (certificate, key) = try SelfSignedCertificate.make(in: directory, subjectAltName: "DNS:localhost")
            arguments += ["--cert", certificate, "--key", key]
            certificateFile = certificate
        } else {
            certificateFile = nil
        }
        peer = try PeerProcess(script: "git_http_server.py", arguments: arguments, environment: ["GIT_HTTP_TOKEN": token])
    }

    public func url(_ name: String) -> String {
        "\(certificateFile == nil ? "http" : "https")://localhost:\(port)/\(name)"
    }

    public func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

extension FileHandle {
    /// Reads byte by byte up to the first newline (or the end), without consuming more.
    func availableLine() -> Data {
        var line = Data()
        while let byte = try? read(upToCount: 1), let first = byte.first, first != 0x0A { line.append(first) }
        return line
    }
}
