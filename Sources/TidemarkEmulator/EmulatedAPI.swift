import Foundation
import TidemarkJSON

/// One emulated seed API: routes a request (path segments after its prefix) against its own state.
protocol EmulatedAPI: Sendable {
    mutating func handle(method: String, components: [String], query: [String: String], body: [UInt8], url: String) -> EmulatorResponse
}

/// Serializes the requests to one emulated API.
actor SerializedAPI<API: EmulatedAPI> {
    private var api: API

    init(_ api: API) {
        self.api = api
    }

    func handle(method: String, components: [String], query: [String: String], body: [UInt8], url: String) -> EmulatorResponse {
        api.handle(method: method, components: components, query: query, body: body, url: url)
    }

    /// Runs `change` on the API's state (admin operations and fixtures).
    func update<Result: Sendable>(_ change: (inout API) -> Result) -> Result {
        change(&api)
    }
}

/// Helpers the emulated APIs share.
enum EmulatedRequest {
    /// The body as a JSON object; nil for an empty body.
    static func object(_ body: [UInt8]) throws -> [String: JSON]? {
        guard !body.isEmpty else { return nil }
        guard let object = try JSON.parse(body).objectValue else { throw NotAnObject() }
        return object
    }

    struct NotAnObject: Error {}

    /// 32 lower-case hex digits, as OpenStack ids are written.
    static func hexID() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    static func iso8601(_ date: Date, fractional: Bool = false) -> String {
        date.formatted(
            .iso8601.year().month().day().dateTimeSeparator(.standard).time(includingFractionalSeconds: fractional)
                .timeZone(separator: .omitted))
    }
}
