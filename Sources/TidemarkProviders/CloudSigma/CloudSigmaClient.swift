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
        try await forEachListed(resource, fields: fields) { object, _ in objects.append(object) }
        return objects
    }

    /// Hands each object of a resource's detail listing to `body` as the response is parsed, with its own text (a
    /// slice of the response: copy what is kept), without keeping the listing's tree; follows `offset` if the server
    /// caps the page.
    func forEachListed(_ resource: String, fields: [String]? = nil, _ body: (JSON, Data) -> Void) async throws(ProviderError) {
        var listed = 0
        while true {
            var query = [("limit", "0")]
            if listed > 0 { query.append(("offset", String(listed))) }
            if let fields { query.append(("fields", fields.joined(separator: ","))) }
            var onPage = 0
            let page = try await json.send("GET", "\(resource)/detail/", query: query) { data throws(JSONParseError) in
                try JSON.parse(data, streaming: "objects") { object, range in
                    onPage += 1
                    body(object, data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)])
                }
            }
            guard let page, page["objects"]?.arrayValue != nil else {
                throw .unreadable(request: "GET /\(resource)/detail/", reason: "no objects list in the response")
            }
            listed += onPage
            let total = page["meta"]?["total_count"]?.intValue ?? listed
            guard listed < total, onPage > 0 else { return }
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
