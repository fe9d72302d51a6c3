/// Keys whose literal values would be secrets committed to git.
enum SecretKey {
    private static let fragments: [[UInt8]] = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "api-key",
        "privatekey", "private_key", "accesskey", "access_key",
    ].map { Array($0.utf8) }

    /// True for `password`, `apiToken`, `client_secret`…, but not for `passwordEnv` or `tokenFile`,
    /// which name where the secret is kept.
    static func isSecret(_ key: String) -> Bool {
        guard !key.hasSuffix("Env"), !key.hasSuffix("File") else { return false }
        let lowered = Array(key.lowercased().utf8)
        return fragments.contains { lowered.contains($0) }
    }

    /// The hint for a literal secret under `key`.
    static func hint(for key: String) -> String {
        "secrets never belong in policy files; name an environment variable with \(key)Env or a file with \(key)File"
    }
}
