import Foundation

/// OpenSSH's sshd on a free loopback port, accepting one fresh client key, for `ssh://` fetches.
public final class SSHServer: @unchecked Sendable {
    public let port: Int
    public let clientKey: String
    /// A known_hosts file that trusts this server's host key.
    public let knownHosts: String
    private let directory: URL
    private let pidFile: String

    public init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-sshd-\(UUID().uuidString)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        for key in ["host_key", "client_key"] {
            try Subprocess.run("/usr/bin/env", ["ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", path(key)])
        }
        try FileManager.default.copyItem(atPath: path("client_key.pub"), toPath: path("authorized_keys"))
        port = try FreePort.find()
        clientKey = path("client_key")
        let hostKey = try String(contentsOfFile: path("host_key.pub"), encoding: .utf8).split(separator: " ").prefix(2).joined(
            separator: " ")
        knownHosts = path("known_hosts")
        try "[127.0.0.1]:\(port) \(hostKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(path("host_key"))
        AuthorizedKeysFile \(path("authorized_keys"))
        PidFile \(path("sshd.pid"))
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        LogLevel ERROR

        """.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
        pidFile = path("sshd.pid")
        // sshd detaches (no -D): a child that closes its inherited descriptors confuses Foundation's Process reaper.
        try Subprocess.run("/usr/sbin/sshd", ["-f", path("sshd_config"), "-E", path("sshd.log")])
        try FreePort.waitUntilListening(port, timeout: 10)
    }

    /// The `ssh://` URL of a repository directory, logging in as the user running the tests.
    public func url(_ repositoryPath: String) -> String {
        "ssh://\(NSUserName())@127.0.0.1:\(port)\(repositoryPath)"
    }

    public func stop() {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
