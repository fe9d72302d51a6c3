/// How to authenticate to a remote: an https token (from the environment), an ssh key file, or nothing.
public struct GitCredentials: Sendable {
    /// The token for https remotes, sent as the password of HTTP Basic auth.
    public var token: String?
    /// The user name sent with the token; forges accept any non-empty name with a token.
    public var tokenUsername: String
    /// A private key file for ssh remotes (its `.pub` beside it is used when present).
    public var sshKeyFile: String?
    public var sshKeyPassphrase: String?
    /// The `known_hosts` file that ssh host keys are checked against; an unknown or changed key refuses the fetch.
    public var knownHostsFile: String?

    public init(
        token: String? = nil, tokenUsername: String = "x-access-token", sshKeyFile: String? = nil,
        sshKeyPassphrase: String? = nil, knownHostsFile: String? = nil
    ) {
        self.token = token
        self.tokenUsername = tokenUsername
        self.sshKeyFile = sshKeyFile
        self.sshKeyPassphrase = sshKeyPassphrase
        self.knownHostsFile = knownHostsFile
    }

    /// Credentials from `TIDEMARK_GIT_TOKEN` (and `TIDEMARK_GIT_USERNAME`), `TIDEMARK_GIT_SSH_PASSPHRASE`, a key file
    /// and a known_hosts file (default `~/.ssh/known_hosts`).
    public static func fromEnvironment(_ environment: [String: String], sshKeyFile: String?, knownHostsFile: String? = nil)
        -> GitCredentials
    {
        GitCredentials(
            token: environment["TIDEMARK_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            tokenUsername: environment["TIDEMARK_GIT_USERNAME"] ?? "x-access-token",
            sshKeyFile: sshKeyFile,
            sshKeyPassphrase: environment["TIDEMARK_GIT_SSH_PASSPHRASE"],
            knownHostsFile: knownHostsFile ?? environment["HOME"].map { $0 + "/.ssh/known_hosts" })
    }
}
