/// A request that got no HTTP response.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request may not have reached the server (connection refused, DNS): safe to retry any method.
        case notSent
        /// Timed out or the connection dropped: the server may have acted on it.
        case interrupted
        case other
    }

    public var kind: Kind
    public var request: String
    public var message: String

    public init(kind: Kind, request: String, message: String) {
        self.kind = kind
        self.request = request
        self.message = message
    }

    public var description: String { "\(request): \(message)" }
}
