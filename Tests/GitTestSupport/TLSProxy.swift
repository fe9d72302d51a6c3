import Foundation

/// `Tests/Peers/tls_proxy.py`: HTTPS on loopback with a fresh self-signed certificate (for 127.0.0.1), relayed to a
/// plain-HTTP server such as the emulator.
public final class TLSProxy: @unchecked Sendable {
    public let port: Int
    /// The self-signed certificate, PEM: the CA file that makes it trusted.
    public let certificateFile: String
    private let process: Process
    private let directory: URL

    public init(forwardingTo targetPort: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificateFile = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try Subprocess.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                                           "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificateFile])
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, String(targetPort), "--cert", certificateFile, "--key", key]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
        guard let port = Int(line.split(separator: " ").last ?? "") else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError("tls_proxy.py did not start: \(line)")
        }
        self.port = port
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
            .appendingPathComponent("Peers/tls_proxy.py").path
    }
}
