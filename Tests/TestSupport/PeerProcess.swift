import Foundation

/// A Python test peer from `Tests/Peers/` on a loopback port: its first output line ends in the port it listens on;
/// it is stopped with SIGKILL (children of the test process inherit a blocked SIGTERM).
final class PeerProcess: @unchecked Sendable {
    let port: Int
    private let process = Process()

    init(script: String, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.path(script)] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
        guard let port = Int(line.split(separator: " ").last ?? "") else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError("\(script) did not start: \(line)")
        }
        self.port = port
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func path(_ script: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Peers/\(script)")
            .path
    }
}

/// A fresh self-signed certificate and key (PEM) for loopback TLS peers.
enum SelfSignedCertificate {
    static func make(in directory: URL, subjectAltName: String) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try Subprocess.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=\(subjectAltName)", "-keyout", key, "-out", certificate,
            ])
        return (certificate, key)
    }
}
