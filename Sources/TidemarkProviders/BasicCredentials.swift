import Foundation
import TidemarkPolicy
import TidemarkProviderModel

/// A user and password for HTTP Basic auth, read from where the Target says; never printed.
public struct BasicCredentials: Sendable, CustomStringConvertible {
    let user: String
    let password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// Reads `usernameEnv`/`passwordEnv` or `usernameFile`/`passwordFile`.
    public static func resolve(
        _ credentials: Credentials, target: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ProviderError) -> BasicCredentials {
        BasicCredentials(
            user: try secret(credentials.usernameEnv, credentials.usernameFile, "username", target: target, environment: environment),
            password: try secret(credentials.passwordEnv, credentials.passwordFile, "password", target: target, environment: environment))
    }

    /// Warnings for credential files any user of the machine can read.
    public static func fileWarnings(_ credentials: Credentials) -> [String] {
        [credentials.usernameFile, credentials.passwordFile, credentials.tokenFile].compactMap { path -> String? in
            guard let path, let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
                mode & 0o004 != 0
            else { return nil }
            return "credentials file \(path) is readable by every user (mode \(String(mode & 0o777, radix: 8))); run chmod 600 \(path)"
        }
    }

    /// One secret from an environment variable or a file, whichever the Target names.
    static func secret(
        _ env: String?, _ file: String?, _ what: String, target: String,
        environment: [String: String]
    ) throws(ProviderError) -> String {
        if let env {
            guard let value = environment[env], !value.isEmpty else {
                throw .credentials(target: target, reason: "environment variable \(env) (the \(what)) is not set")
            }
            return value
        }
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw .credentials(target: target, reason: "cannot read the \(what) from \(file)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw .credentials(target: target, reason: "no \(what) configured (set credentials.\(what)Env or credentials.\(what)File)")
    }

    var authorization: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    public var description: String { "BasicCredentials(user: \(user), password: <redacted>)" }
}
