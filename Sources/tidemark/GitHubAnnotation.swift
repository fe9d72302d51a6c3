import TidemarkPolicy

/// A GitHub Actions workflow command (`::error file=…,line=…,col=…::message`), which GitHub shows on the pull
/// request's line.
struct GitHubAnnotation {
    var level: String
    var file: String?
    var line: Int?
    var column: Int?
    var message: String

    /// A diagnostic's annotation; `commit`, when the policies came from git, is dropped from the file's label
    /// (`1a2b3c4:policies/x.yaml` → `policies/x.yaml`), since GitHub wants a path in the repository.
    init(_ diagnostic: Diagnostic, commit: String?) {
        level = diagnostic.severity == .error ? "error" : "warning"
        var file = diagnostic.location.file
        if let commit, let colon = file.firstIndex(of: ":"), commit.hasPrefix(file[..<colon]) {
            file = String(file[file.index(after: colon)...])
        }
        self.file = file
        line = diagnostic.location.line
        column = diagnostic.location.column
        message = diagnostic.message + (diagnostic.hint.map { " (\($0))" } ?? "")
    }

    init(level: String, message: String) {
        self.level = level
        self.message = message
    }

    var command: String {
        let properties = [
            file.map { "file=\(Self.escapeProperty($0))" }, line.map { "line=\($0)" }, column.map { "col=\($0)" },
            "title=tidemark validate",
        ].compactMap { $0 }
        return "::\(level) \(properties.joined(separator: ","))::\(Self.escapeData(message))"
    }

    /// The escaping GitHub's runner undoes in a command's message.
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// The escaping GitHub's runner undoes in a command's properties.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
