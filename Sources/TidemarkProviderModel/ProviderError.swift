/// A provider operation that failed, with what was asked and what the API said.
public enum ProviderError: Error, Sendable, CustomStringConvertible {
    /// The API answered with an error status; `details` are its error entries (`point: message`).
    case http(status: Int, request: String, details: [String])
    case transport(TransportError)
    /// The API's answer could not be understood.
    case unreadable(request: String, reason: String)
    /// Credentials named in the Target are missing.
    case credentials(target: String, reason: String)
    /// The target cannot do this (e.g. a location without native scheduling).
    case unsupported(target: String, reason: String)

    public var description: String {
        switch self {
        case .http(let status, let request, let details):
            let hint: String
            switch status {
            case 401, 403: hint = " (check the target's credentials)"
            case 404: hint = " (the object is gone or the endpoint is wrong)"
            case 409: hint = " (the object is in use)"
            case 429: hint = " (rate limited; try again later, with fewer requests at once)"
            default: hint = ""
            }
            return "\(request): HTTP \(status)\(details.isEmpty ? "" : ": " + details.joined(separator: "; "))\(hint)"
        case .transport(let error):
            return "\(error.request): \(error.message)\(error.kind == .other ? "" : " (is the endpoint reachable?)")"
        case .unreadable(let request, let reason): return "\(request): unreadable response: \(reason)"
        case .credentials(let target, let reason): return "target \(target): \(reason)"
        case .unsupported(let target, let reason): return "target \(target): \(reason)"
        }
    }
}
