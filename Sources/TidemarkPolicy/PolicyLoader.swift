/// Loads policy files into a validated `PolicySet`, reporting every problem of every file at once.
public struct PolicyLoader: Sendable {
    public var limits: YAMLLimits
    /// The rules each provider sets for the documents aimed at its targets.
    public var providers: ProviderRulesLookup

    public init(limits: YAMLLimits = .default, providers: @escaping ProviderRulesLookup) {
        self.limits = limits
        self.providers = providers
    }

    /// The result of a load: the documents that decoded, and all diagnostics, sorted.
    public struct Result: Sendable {
        public var policies: PolicySet
        public var diagnostics: [Diagnostic]

        /// True when nothing is wrong: the set may be used.
        public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }
    }

    public func load(_ files: [PolicyFile]) -> Result {
        let log = DiagnosticLog()
        var set = PolicySet()
        let loader = YAMLLoader(limits: limits)
        let decoder = DocumentDecoder(log: log)
        for file in files {
            switch loader.documents(file: file.path, contents: file.contents, byteCount: file.byteCount) {
            case .success(let documents):
                let before = log.diagnostics.count
                let ours = documents.count { decoder.decode($0, into: &set) }
                if ours > 0 || log.diagnostics.count > before {
                    set.files.append(file.path)
                } else {
                    set.ignoredFiles.append(file.path)
                }
            case .failure(let diagnostic):
                set.files.append(file.path)
                log.append(diagnostic)
            }
        }
        ReferenceValidator(set: set, log: log, providers: providers).validate()
        return Result(policies: set, diagnostics: log.diagnostics.sorted())
    }

    /// Loads every policy file under `path` (a directory or one file).
    public func load(path: String) throws(PolicySourceError) -> Result {
        load(try PolicyDirectory(path: path, limits: limits).files())
    }
}
