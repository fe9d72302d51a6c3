import Foundation
import TidemarkEmulator
import TidemarkJSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension RunningEmulator {
    /// The answer to one request made with `request`.
    public struct Answer: Sendable {
        public var status: Int
        public var json: JSON?
        public var contentType: String?
    }

    /// One HTTP request to this emulator with plain URLSession (no tidemark provider code), for tests and scripts; `path`
    /// is relative to the cloudsigma API root, or absolute when it starts with `/`.
    public func request(_ method: String, _ path: String, body: String? = nil, user: String? = nil, password: String? = nil) async throws
        -> Answer
    {
        var request = URLRequest(url: URL(string: path.hasPrefix("/") ? "\(rootURL)\(path)" : "\(baseURL)\(path)")!)
        request.httpMethod = method
        let credentials = "\(user ?? emulator.configuration.user):\(password ?? emulator.configuration.password)"
        request.setValue("Basic " + Data(credentials.utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        let json: JSON? = data.isEmpty ? .none : try JSON.parse(data)
        return Answer(status: http.statusCode, json: json, contentType: http.value(forHTTPHeaderField: "Content-Type"))
    }
}
