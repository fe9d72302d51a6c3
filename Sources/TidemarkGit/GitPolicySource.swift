import TidemarkPolicy

/// Policy files read from a commit's tree: the bytes the loader needs, named `COMMIT:path` in diagnostics.
public struct GitPolicySource {
    public let repository: GitRepository
    public let commit: GitCommit
    /// The sub-directory (or single file) inside the repository.
    public let path: String
    public let limits: YAMLLimits

    public init(repository: GitRepository, commit: GitCommit, path: String, limits: YAMLLimits = .default) {
        self.repository = repository
        self.commit = commit
        self.path = GitRepository.normalised(path)
        self.limits = limits
    }

    /// What was read: the policy files, and problems the tree itself has (links out of the repository, submodules).
    public struct Contents: Sendable {
        public var files: [PolicyFile]
        public var diagnostics: [Diagnostic]
    }

    /// How a repository path is printed in diagnostics: git's own `commit:path` notation.
    public func label(_ repositoryPath: String) -> String { "\(commit.shortID):\(repositoryPath)" }

    /// Reads every `*.yaml`/`*.yml` under `path`; symbolic links are followed only to files inside the repository.
    public func read() throws(GitError) -> Contents {
        var contents = Contents(files: [], diagnostics: [])
        let entries = try repository.files(
            at: commit, under: path, maxBytes: limits.maxFileBytes,
            include: PolicyFile.isPolicyFileName)
        for entry in entries {
            let location = SourceLocation(file: label(entry.path), line: 1, column: 1)
            switch entry.kind {
            case .file:
                contents.files.append(PolicyFile(path: label(entry.path), contents: entry.contents ?? [], byteCount: entry.size))
            case .submodule:
                contents.diagnostics.append(
                    Diagnostic(
                        location, "is a submodule; its policies are not read",
                        hint: "commit the policy files into this repository", severity: .warning))
            case .symlink:
                switch try followLink(entry) {
                case .success(let file): contents.files.append(file)
                case .failure(let diagnostic): contents.diagnostics.append(diagnostic)
                }
            }
        }
        return contents
    }

    private func followLink(_ link: GitTreeFile) throws(GitError) -> Result<PolicyFile, Diagnostic> {
        let location = SourceLocation(file: label(link.path), line: 1, column: 1)
        var current = link
        for _ in 0..<8 {
            let target = String(decoding: current.contents ?? [], as: UTF8.self)
            guard let resolved = Self.resolve(target, from: current.path) else {
                return .failure(
                    Diagnostic(
                        location, "symbolic link to '\(target)' points outside the repository",
                        hint: "policies are read from the commit only; replace the link with the file"))
            }
            guard let file = try repository.file(at: commit, path: resolved, maxBytes: limits.maxFileBytes), file.kind != .submodule else {
                return .failure(
                    Diagnostic(
                        location, "symbolic link to '\(target)' points to nothing in this commit",
                        hint: "commit the file it points to, or remove the link"))
            }
            if file.kind == .file {
                return .success(PolicyFile(path: label(link.path), contents: file.contents ?? [], byteCount: file.size))
            }
            current = file
        }
        return .failure(Diagnostic(location, "symbolic link loops or chains more than 8 links", hint: "point it at the file directly"))
    }

    /// The repository path a link target names, relative to the link's directory; nil when it leaves the repository.
    static func resolve(_ target: String, from linkPath: String) -> String? {
        guard !target.hasPrefix("/") else { return nil }
        var parts = linkPath.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
