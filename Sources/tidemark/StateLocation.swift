import ArgumentParser

/// The `--state` option of apply and run: `sqlite:PATH`.
enum StateLocation {
    /// The SQLite file `--state` names, or a validation error that says what is accepted.
    static func sqlitePath(_ state: String) throws -> String {
        let path = state.hasPrefix("sqlite:") ? String(state.dropFirst("sqlite:".count)) : ""
        guard !path.isEmpty else { throw ValidationError("--state must be sqlite:PATH (PostgreSQL is not supported yet).") }
        return path
    }
}
