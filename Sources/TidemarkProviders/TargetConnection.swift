import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel

/// How requests to a target are bounded: a timeout per attempt and a retry budget shared by all of them.
public struct ConnectionOptions: Sendable {
    public var timeout: TimeInterval
    public var budget: RetryBudget
    /// Where every attempt is written, when set.
    public var httpLog: HTTPLog?

    public init(timeout: TimeInterval = 30, budget: RetryBudget = RetryBudget(), httpLog: HTTPLog? = nil) {
        self.timeout = timeout
        self.budget = budget
        self.httpLog = httpLog
    }
}

/// The endpoint, authorization headers and retrying transport for a Target document.
struct TargetConnection {
    let endpoint: URL
    let transport: any HTTPTransport

    /// `observe` sees the HTTP status of every attempt (nil: no response); `timeout` bounds each attempt.
    init(_ target: PolicyDocument<TargetSpec>, logger: Logger, observe: (@Sendable (Int?) -> Void)?, options: ConnectionOptions)
        throws(ProviderError)
    {
        guard let endpoint = URL(string: target.spec.endpoint) else {
            throw .credentials(target: target.name, reason: "endpoint '\(target.spec.endpoint)' is not a URL")
        }
        self.endpoint = endpoint
        let direct = CurlTransport(timeout: options.timeout, caFile: target.spec.caFile, insecure: target.spec.insecure)
        let logged: any HTTPTransport = options.httpLog.map { LoggedTransport(base: direct, log: $0) } ?? direct
        let base: any HTTPTransport = observe.map { ObservedTransport(logged, observe: $0) } ?? logged
        transport = RetryingTransport(base, budget: options.budget, logger: logger)
    }

    /// A JSON client for the Target's endpoint over its retrying transport, with its credentials as headers.
    static func client(
        _ target: PolicyDocument<TargetSpec>, tokenHeader: String, errorDetails: @escaping @Sendable (Data) -> [String],
        logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        options: ConnectionOptions
    ) throws(ProviderError) -> JSONClient {
        let connection = try TargetConnection(target, logger: logger, observe: observe, options: options)
        return JSONClient(
            baseURL: connection.endpoint, transport: connection.transport,
            headers: try headers(target, tokenHeader: tokenHeader, environment: environment), errorDetails: errorDetails)
    }

    /// A token in `tokenHeader` when the Target names one, Basic auth when it names a user and password, nothing when
    /// it names no credentials at all (an API behind an authenticating proxy).
    static func headers(
        _ target: PolicyDocument<TargetSpec>, tokenHeader: String,
        environment: [String: String]
    ) throws(ProviderError) -> [String: String] {
        let credentials = target.spec.credentials
        if credentials.tokenEnv != nil || credentials.tokenFile != nil {
            return [
                tokenHeader: try BasicCredentials.secret(
                    credentials.tokenEnv, credentials.tokenFile, "token", target: target.name,
                    environment: environment)
            ]
        }
        if credentials == Credentials() { return [:] }
        return ["Authorization": try BasicCredentials.resolve(credentials, target: target.name, environment: environment).authorization]
    }
}
