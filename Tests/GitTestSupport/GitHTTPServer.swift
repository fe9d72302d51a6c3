import Foundation

/// `Tests/Peers/git_http_server.py`: git's smart HTTP (TLS with a fresh self-signed certificate when asked) on
/// loopback, requiring a token as the Basic auth password.
public final class GitHTTPServer: @unchecked Sendable {
    public let port: Int
    public let certificateFile: String?
    private let process: Process
    private let directory: URL

    public init(root: String, token: String, tls: Bool) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-githttp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var arguments = [Self.script, root]
        if tls {
            let certificate = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
            try Subprocess.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                                          "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate])
            arguments += ["--cert", certificate, "--key", key]
            certificateFile = certificate
        } else {
            certificateFile = nil
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_HTTP_TOKEN"] = token
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
        guard let port = Int(line.split(separator: " ").last ?? "") else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError("git_http_server.py did not start: \(line)")
        }
        self.port = port
    }

    public func url(_ name: String) -> String {
        "\(certificateFile == nil ? "http" : "https")://localhost:\(port)/\(name)"
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Peers/git_http_server.py").path
    }
}

extension FileHandle {
    /// Reads byte by byte up to the first newline (or the end), without consuming more.
    func availableLine() -> Data {
        var line = Data()
        while let byte = try? read(upToCount: 1), let first = byte.first, first != 0x0A { line.append(first) }
        return line
    }
}
