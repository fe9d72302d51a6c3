import Foundation

/// `Tests/Peers/tls_proxy.py`: HTTPS on loopback with a fresh self-signed certificate (for 127.0.0.1), relayed to a
/// plain-HTTP server such as the emulator.
public final class TLSProxy: @unchecked Sendable {
    public var port: Int { peer.port }
    /// The self-signed certificate, PEM: the CA file that makes it trusted.
    public let certificateFile: String
    private let peer: PeerProcess
    private let directory: URL

    public init(forwardingTo targetPort: Int) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (certificate, key) = try SelfSignedCertificate.make(in: directory, subjectAltName: "IP:127.0.0.1")
        certificateFile = certificate
        peer = try PeerProcess(script: "tls_proxy.py", arguments: [String(targetPort), "--cert", certificate, "--key", key])
    }

    public func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
