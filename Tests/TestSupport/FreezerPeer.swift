import Foundation

/// The real freezer-api 19.0.0 on loopback (`Tests/Peers/freezer/freezer-api.sh`), with a fresh SQLite database and
/// project `testproject`, for tests that must agree with the real server.
public final class FreezerPeer: @unchecked Sendable {
    public let port: Int
    private let directory: URL

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-freezer-\(UUID().uuidString)")
        port = try FreePort.find()
        do {
            try Subprocess.run("/bin/bash", [Self.script, "start", directory.path, String(port)])
        } catch {
            let log = (try? String(contentsOf: directory.appendingPathComponent("stdout.log"), encoding: .utf8)) ?? ""
            throw FixtureError("freezer-api did not start (run Tests/Peers/freezer/freezer-api.sh install): \(log.suffix(500))")
        }
    }

    /// `http://127.0.0.1:PORT/v2/testproject/`.
    public var projectURL: String { "http://127.0.0.1:\(port)/v2/testproject/" }

    public func stop() {
        try? Subprocess.run("/bin/bash", [Self.script, "stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Peers/freezer/freezer-api.sh").path
    }
}
