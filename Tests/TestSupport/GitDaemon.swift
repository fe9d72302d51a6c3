import Foundation

/// `git daemon` serving a directory over `git://` on a free loopback port, for as long as the value lives.
public final class GitDaemon: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// Starts the daemon exporting every repository under `basePath` and waits until it accepts connections.
    public init(basePath: String) throws {
        port = try FreePort.find()
        process = Process()
        process.executableURL = URL(
            fileURLWithPath: try GitFixture.run(["--exec-path"], in: URL(fileURLWithPath: "/"))
                .trimmingCharacters(in: .whitespacesAndNewlines) + "/git-daemon")
        process.arguments = [
            "--reuseaddr", "--export-all", "--base-path=\(basePath)",
            "--listen=127.0.0.1", "--port=\(port)", basePath,
        ]
        process.environment = GitFixture.environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try FreePort.waitUntilListening(port, timeout: 10)
    }

    /// The `git://` URL of a repository directory under the base path.
    public func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    /// Kills the daemon: SIGKILL, because a child of the test process inherits its blocked SIGTERM.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
