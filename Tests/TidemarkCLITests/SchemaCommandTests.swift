import Foundation
import Testing

@Suite("tidemark schema and --version")
struct SchemaCommandTests {
    @Test func schemaPrintsTheCommittedSchemaByteForByte() async throws {
        let result = try await CLIRunner.run(["schema"])
        #expect(result.status == 0)
        let committed = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("schema/tidemark.schema.json"), encoding: .utf8)
        #expect(result.stdout == committed)
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func versionNamesTheCommitItWasBuiltFrom() async throws {
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", CLIRunner.repositoryRoot.path, "rev-parse", "--short=12", "HEAD"]
        let output = Pipe()
        git.standardOutput = output
        try git.run()
        let head = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        git.waitUntilExit()
        let result = try await CLIRunner.run(["--version"])
        #expect(result.status == 0)
        #expect(head.count == 12)
        #expect(result.stdout.hasPrefix("0.1.0 (commit \(head)"), "\(result.stdout)")
    }
}
