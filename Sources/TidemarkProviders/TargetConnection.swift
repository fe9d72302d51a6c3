import Foundation
import Logging
import TidemarkPolicy

/// The endpoint, authorization headers and retrying transport for a Target document.
struct TargetConnection {
    let endpoint: URL
    let transport: any HTTPTransport

    /// `observe` sees the HTTP status of every attempt (nil: no response).
    init(_ target: PolicyDocument<TargetSpec>, logger: Logger, observe: (@Sendable (Int?) -> Void)?) throws(ProviderError) {
        guard let endpoint = URL(string: target.spec.endpoint) else {
            throw .credentials(target: target.name, reason: "endpoint '\(target.spec.endpoint)' is not a URL")
        }
        if target.spec.insecure, endpoint.scheme == "https" {
            throw .unsupported(target: target.name, reason: "insecure: true is not supported for https on this platform; use http:// for a local emulator")
        }
        self.endpoint = endpoint
        let base: any HTTPTransport = observe.map { ObservedTransport(URLSessionTransport(), observe: $0) } ?? URLSessionTransport()
        transport = RetryingTransport(base, logger: logger)
    }

    /// A token in `tokenHeader` when the Target names one, Basic auth when it names a user and password, nothing when
    /// it names no credentials at all (an API behind an authenticating proxy).
    static func headers(_ target: PolicyDocument<TargetSpec>, tokenHeader: String,
                        environment: [String: String]) throws(ProviderError) -> [String: String] {
        let credentials = target.spec.credentials
        if credentials.tokenEnv != nil || credentials.tokenFile != nil {
            return [tokenHeader: try BasicCredentials.secret(credentials.tokenEnv, credentials.tokenFile, "token", target: target.name,
                                                             environment: environment)]
        }
        if credentials == Credentials() { return [:] }
        return ["Authorization": try BasicCredentials.resolve(credentials, target: target.name, environment: environment).authorization]
    }
}
