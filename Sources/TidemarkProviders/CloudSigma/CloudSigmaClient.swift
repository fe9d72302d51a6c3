import Foundation
import TidemarkJSON
import TidemarkProviderModel

/// Requests to one cloudsigma location: Basic auth, JSON bodies, CloudSigma's error lists turned into `ProviderError`.
struct CloudSigmaClient: Sendable {
    let json: JSONClient

    init(baseURL: URL, transport: any HTTPTransport, authorization: String) {
        json = JSONClient(
            baseURL: baseURL, transport: transport, headers: ["Authorization": authorization], errorDetails: Self.errorDetails)
    }

    /// Sends a request to `path` (relative to the API root, e.g. `backupschedulers/detail/`); nil body on 204.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws(ProviderError) -> JSON? {
        try await json.send(method, path, query: query, body: body)
    }

    /// Every object of a resource's detail listing, with `limit=0`; follows `offset` if the server caps the page.
    func listAll(_ resource: String, fields: [String]? = nil) async throws(ProviderError) -> [JSON] {
        var objects: [JSON] = []
        var offset = 0
        while true {
            var query = [("limit", "0")]
            if offset > 0 { query.append(("offset", String(offset))) }
            if let fields { query.append(("fields", fields.joined(separator: ","))) }
            guard let page = try await send("GET", "\(resource)/detail/", query: query), let items = page["objects"]?.arrayValue else {
                throw .unreadable(request: "GET /\(resource)/detail/", reason: "no objects list in the response")
            }
            objects += items
            let total = page["meta"]?["total_count"]?.intValue ?? objects.count
            guard objects.count < total, !items.isEmpty else { return objects }
            offset = objects.count
        }
    }

    /// `error_point: error_message` of each entry of CloudSigma's error list.
    @Sendable static func errorDetails(_ body: Data) -> [String] {
        guard let json = try? JSON.parse(body), let entries = json.arrayValue else {
            return JSONClient.excerpt(body)
        }
        return entries.map { entry in
            let message = entry["error_message"]?.stringValue ?? "\(entry)"
            if let point = entry["error_point"]?.stringValue { return "\(point): \(message)" }
            return message
        }
    }
}
