import Foundation
import TidemarkEmulator
import TidemarkJSON

/// Plain HTTP against a running emulator, independent of tidemark's provider code.
struct EmulatorClient {
    let emulator: RunningEmulator
    var password: String?

    func call(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, json: JSON?, contentType: String?) {
        let answer = try await emulator.request(method, path, body: body, password: password)
        return (answer.status, answer.json, answer.contentType)
    }

    /// The JSON body of a seed dump in Tests/Fixtures/seed-dumps (after its HTTP header lines, if any).
    static func dump(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Fixtures/seed-dumps/\(name)")
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
