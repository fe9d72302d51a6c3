/// A backup API endpoint that schedulers and plans are applied to.
public struct TargetSpec: Sendable, Hashable {
    public var provider: ProviderKind
    public var endpoint: String
    public var credentials: Credentials
    public var scheduling: SchedulingMode
    /// Skips TLS verification; for tests against a local emulator only.
    public var insecure: Bool
    /// A PEM file of the CA that signed an https endpoint's certificate, trusted instead of the system's.
    public var caFile: String?
    /// What `tidemark run` does when managed objects drift from the policies between commits.
    public var driftPolicy: DriftPolicy

    public init(
        provider: ProviderKind, endpoint: String, credentials: Credentials, scheduling: SchedulingMode = .auto, insecure: Bool = false,
        caFile: String? = nil, driftPolicy: DriftPolicy = .correct
    ) {
        self.caFile = caFile
        self.provider = provider
        self.endpoint = endpoint
        self.credentials = credentials
        self.scheduling = scheduling
        self.insecure = insecure
        self.driftPolicy = driftPolicy
    }
}

/// Correct drift by applying the policies again, or only report it.
public enum DriftPolicy: String, Sendable, Hashable, CaseIterable {
    case correct, report
}

/// The seed API a target speaks.
public enum ProviderKind: String, Sendable, Hashable, CaseIterable, Codable {
    case cloudsigma
    case scheduledBackup = "scheduled-backup"
    case danube
    case freezer
}

/// Who runs the schedule: the API's native scheduler where it is exact, or tidemark's controller.
public enum SchedulingMode: String, Sendable, Hashable, CaseIterable {
    case auto
    case native
    case controller
}

/// Where credentials are read from; never the secrets themselves.
public struct Credentials: Sendable, Hashable {
    public var usernameEnv: String?
    public var passwordEnv: String?
    public var usernameFile: String?
    public var passwordFile: String?
    public var tokenEnv: String?
    public var tokenFile: String?

    public init(
        usernameEnv: String? = nil, passwordEnv: String? = nil, usernameFile: String? = nil, passwordFile: String? = nil,
        tokenEnv: String? = nil, tokenFile: String? = nil
    ) {
        self.usernameEnv = usernameEnv
        self.passwordEnv = passwordEnv
        self.usernameFile = usernameFile
        self.passwordFile = passwordFile
        self.tokenEnv = tokenEnv
        self.tokenFile = tokenFile
    }

    static let keys = ["usernameEnv", "passwordEnv", "usernameFile", "passwordFile", "tokenEnv", "tokenFile"]
}

extension TargetSpec {
    static let keys = ["provider", "endpoint", "credentials", "scheduling", "insecure", "caFile", "driftPolicy"]

    /// The `user:password` part of a URL's authority, if it has one.
    static func userinfo(of url: String) -> Substring? {
        guard let scheme = url.range(of: "://") else { return nil }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return authority[..<at]
    }

    static func decode(_ spec: MappingReader) -> TargetSpec? {
        let provider = spec.choice("provider", required: true, as: ProviderKind.self)
        let endpoint = spec.string("endpoint", required: true)
        if let endpoint, let userinfo = userinfo(of: endpoint.value), userinfo.contains(":") {
            spec.log.error(
                endpoint.location,
                "endpoint carries a password in its URL ('\(userinfo.prefix { $0 != ":" }):…@'); literal secrets are refused",
                hint: "remove it from the URL and use credentials: {usernameEnv: …, passwordEnv: …} or passwordFile")
        } else if let endpoint, !(endpoint.value.hasPrefix("https://") || endpoint.value.hasPrefix("http://")) {
            spec.log.error(
                endpoint.location, "endpoint '\(endpoint.value)' is not an http(s) URL",
                hint: "write the API base URL, e.g. https://zrh.example.net/api/2.0/")
        }
        var credentials = Credentials()
        if let node = spec.node("credentials"),
            let reader = MappingReader(node, context: "credentials", allowed: Credentials.keys, log: spec.log)
        {
            credentials.usernameEnv = reader.string("usernameEnv")?.value
            credentials.passwordEnv = reader.string("passwordEnv")?.value
            credentials.usernameFile = reader.string("usernameFile")?.value
            credentials.passwordFile = reader.string("passwordFile")?.value
            credentials.tokenEnv = reader.string("tokenEnv")?.value
            credentials.tokenFile = reader.string("tokenFile")?.value
        }
        let scheduling = spec.choice("scheduling", as: SchedulingMode.self) ?? .auto
        let insecure = spec.bool("insecure") ?? false
        let caFile = spec.string("caFile")
        if let caFile, let endpoint, !endpoint.value.hasPrefix("https://") {
            spec.log.error(caFile.location, "caFile applies only to an https endpoint", hint: "remove caFile, or use an https:// endpoint")
        }
        let driftPolicy = spec.choice("driftPolicy", as: DriftPolicy.self) ?? .correct
        guard let provider, let endpoint, userinfo(of: endpoint.value)?.contains(":") != true else { return nil }
        return TargetSpec(
            provider: provider, endpoint: endpoint.value, credentials: credentials,
            scheduling: scheduling, insecure: insecure, caFile: caFile?.value, driftPolicy: driftPolicy)
    }
}
