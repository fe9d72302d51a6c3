import Foundation
import TidemarkJSON
import TidemarkProviderModel

/// JSON requests to one API root through a transport; error statuses become `ProviderError` with the API's details.
struct JSONClient: Sendable {
    let baseURL: URL
    let transport: any HTTPTransport
    /// Sent with every request (authorization among them); never logged.
    let headers: [String: String]
    /// The API's error entries, from an error response body.
    let errorDetails: @Sendable (Data) -> [String]

    /// Sends a request to `path` (relative to the API root); nil body on 204 or an empty body.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws(ProviderError) -> JSON? {
        try await send(method, path, query: query, body: body) { data throws(JSONParseError) in try JSON.parse(data) }
    }

    /// `send`, with the response body read by `read` (a streaming parse of a listing).
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil,
        read: (Data) throws(JSONParseError) -> JSON
    ) async throws(ProviderError) -> JSON? {
        let root = baseURL.absoluteString.hasSuffix("/") ? baseURL.absoluteString : baseURL.absoluteString + "/"
        guard var components = URLComponents(string: root + path) else {
            throw .unreadable(request: "\(method) \(path)", reason: "cannot form a URL from the endpoint \(root)")
        }
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        let request = HTTPRequest(
            method: method, url: components.url!,
            headers: headers.merging(["Content-Type": "application/json", "Accept": "application/json"]) { $1 },
            body: body.map(\.data))
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw .transport(error)
        }
        guard (200...299).contains(response.status) else {
            throw .http(status: response.status, request: request.summary, details: errorDetails(response.body))
        }
        guard !response.body.isEmpty, response.status != 204 else { return nil }
        do {
            return try read(response.body)
        } catch {
            throw .unreadable(request: request.summary, reason: "\(error)")
        }
    }

    /// `send` for a request whose answer must be a JSON object or list.
    func fetch(_ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws(ProviderError) -> JSON {
        guard let answer = try await send(method, path, query: query, body: body) else {
            throw .unreadable(request: "\(method) \(path)", reason: "the response is empty")
        }
        return answer
    }

    /// `title: message` style details from a JSON error object with the given keys, else the body's start.
    static func details(keys: [String]) -> @Sendable (Data) -> [String] {
        { body in
            guard let json = try? JSON.parse(body), json.objectValue != nil else {
                return excerpt(body)
            }
            let parts = keys.compactMap { json[$0]?.stringValue }.filter { !$0.isEmpty }
            return parts.isEmpty ? excerpt(json.data) : [parts.joined(separator: ": ")]
        }
    }

    /// The start of an error body nothing better can be read from: its first 300 bytes, none when it is empty.
    static func excerpt(_ body: Data) -> [String] {
        body.isEmpty ? [] : [String(decoding: body.prefix(300), as: UTF8.self)]
    }
}
