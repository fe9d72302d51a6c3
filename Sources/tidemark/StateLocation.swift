import ArgumentParser
import Foundation
import Logging
import TidemarkController

/// The `--state` option of apply and run: `sqlite:PATH`, or `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]` with
/// the password in `$TIDEMARK_STATE_PASSWORD` or the file `$TIDEMARK_STATE_PASSWORD_FILE` names.
enum StateLocation: CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if text.hasPrefix("sqlite:"), text.count > "sqlite:".count {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                self = .postgres(try PostgresLocation(parsing: text, environment: environment))
            } catch {
                throw ValidationError("--state: \(error).")
            }
        } else {
            throw ValidationError(
                "--state must be sqlite:PATH or postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require] "
                    + "(the password in $TIDEMARK_STATE_PASSWORD or $TIDEMARK_STATE_PASSWORD_FILE).")
        }
    }

    /// The location as it may be printed: never a password.
    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }

    /// Opens (and for PostgreSQL, migrates) the store; `replica` names this process in a shared store, where a replica
    /// counts as live for `liveness` after its heartbeat.
    func open(replica: String, liveness: TimeInterval = 15, logger: Logger) async throws -> any StateStore {
        switch self {
        case .sqlite(let path): try SQLiteStateStore(path: path)
        case .postgres(let location):
            try await PostgresStateStore(location: location, replica: replica, liveness: liveness, logger: logger)
        }
    }

    /// Why the store could not be opened, and what to check (PostgresNIO's own description of an error hides its
    /// details, so its debug description is used; it holds no password).
    func failure(_ error: any Error) -> String {
        switch self {
        case .sqlite: return "\(error)"
        case .postgres(let location):
            let reason = "\(type(of: error))" == "PSQLError" ? String(reflecting: error) : "\(error)"
            return "\(reason) (check that PostgreSQL is up at \(location.host):\(location.port) and accepts user \(location.user), "
                + "with the password in TIDEMARK_STATE_PASSWORD or TIDEMARK_STATE_PASSWORD_FILE if it asks for one)"
        }
    }
}
