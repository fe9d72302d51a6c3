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
        let lowered: [UInt8] =
            key.utf8.allSatisfy { $0 < 0x80 }
            ? key.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } : Array(key.lowercased().utf8)
        return fragments.contains { occurs($0, in: lowered) }
    }

    /// Whether `needle` occurs in `text`; a plain scan, keys being a few bytes long.
    private static func occurs(_ needle: [UInt8], in text: [UInt8]) -> Bool {
        guard text.count >= needle.count else { return false }
        for start in 0...(text.count - needle.count) where text[start] == needle[0] {
            if text[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    /// The hint for a literal secret under `key`.
    static func hint(for key: String) -> String {
        "secrets never belong in policy files; name an environment variable with \(key)Env or a file with \(key)File"
    }
}
