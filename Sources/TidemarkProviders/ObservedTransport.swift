import TidemarkProviderModel

/// A transport that reports every attempt's outcome (an HTTP status, or nil when no response came) to an observer,
/// e.g. a request counter by status.
public struct ObservedTransport: HTTPTransport {
    let base: any HTTPTransport
    let observe: @Sendable (Int?) -> Void

    public init(_ base: any HTTPTransport, observe: @escaping @Sendable (Int?) -> Void) {
        self.base = base
        self.observe = observe
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        do {
            let response = try await base.send(request)
            observe(response.status)
            return response
        } catch {
            observe(nil)
            throw error
        }
    }
}
