import Foundation
import NIOSSL
import PostgresNIO

/// A PostgreSQL state store: `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`. The password
/// comes from `$TIDEMARK_STATE_PASSWORD` or the file `$TIDEMARK_STATE_PASSWORD_FILE` names (none when the server
/// trusts the connection), never from the URL, so the location can be printed as it is.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    var password: String?

    /// Why a `postgres://` location cannot be used.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String, environment: [String: String]) throws(Invalid) {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            let host = url.host, !host.isEmpty, let user = url.user, !user.isEmpty
        else {
            throw Invalid(description: "'\(Self.redacted(text))' is not postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]")
        }
        guard url.password == nil else {
            throw Invalid(
                description:
                    "the state store URL carries a password; remove it and set TIDEMARK_STATE_PASSWORD or TIDEMARK_STATE_PASSWORD_FILE")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw Invalid(description: "the state store URL names no database (postgres://USER@HOST/DATABASE)") }
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? SSLMode.prefer.rawValue
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw Invalid(description: "sslmode '\(mode)' is not one of disable, prefer, require")
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user
        self.database = database
        self.sslMode = sslMode
        if let password = environment["TIDEMARK_STATE_PASSWORD"] {
            self.password = password
        } else if let file = environment["TIDEMARK_STATE_PASSWORD_FILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Invalid(description: "cannot read TIDEMARK_STATE_PASSWORD_FILE \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
    }

    /// `postgres://user@host:port/database?sslmode=…`: never a password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)" }

    /// `text` without anything between `://` and `@` after a colon.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<colon]) + ":…" + String(text[at...])
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch sslMode {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            let tls: PostgresConnection.Configuration.TLS =
                switch sslMode {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            return PostgresConnection.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
    }
}
