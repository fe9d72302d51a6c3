import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TidemarkEmulator
import TidemarkJSON

/// Plain HTTP against a running emulator, independent of tidemark's provider code.
struct EmulatorClient {
    let emulator: RunningEmulator
    var user = "tidemark@example.com"
    var password = "tidemark"

    func call(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, json: JSON?, contentType: String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(emulator.port)/api/2.0/\(path)")!)
        request.httpMethod = method
        request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        let json: JSON? = data.isEmpty ? .none : try JSON.parse(data)
        return (http.statusCode, json, http.value(forHTTPHeaderField: "Content-Type"))
    }

    /// The JSON body of a file in the reference dumps (after its HTTP header lines, if any).
    static func dump(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.deletingLastPathComponent().appendingPathComponent("shared/reference/cloudsigma-docs/dumps/backupschedulers/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        return String(text[text.firstIndex(of: "{")!...])
    }
}

extension JSON {
    /// The object without the given keys, for comparing objects whose ids differ.
    func removing(_ keys: Set<String>) -> JSON {
        guard let fields = objectValue else { return self }
        return .object(fields.filter { !keys.contains($0.key) })
    }
}
