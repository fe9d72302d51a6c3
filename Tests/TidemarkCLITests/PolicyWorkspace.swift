import Foundation
import TidemarkEmulator
import TidemarkJSON

/// A policy directory written by a test, and the CLI run on it with the emulator's credentials.
struct PolicyWorkspace {
    let directory: URL
    var policies: URL { directory.appendingPathComponent("policies") }

    init(_ files: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-policies-\(UUID().uuidString)")
        for (name, text) in files { try write(name, text) }
    }

    func write(_ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        try text.write(to: policies.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(at: policies.appendingPathComponent(name))
    }

    func run(_ arguments: String...) async throws -> CLIRunner.Output {
        try await CLIRunner.run(
            arguments + ["--path", "policies"], in: directory,
            environment: EmulatorCredentials.environment.merging(["NO_COLOR": "1"]) { $1 })
    }

    func plan() async throws -> JSON {
        try JSON.parse(Data(try await run("plan", "--json").stdout.utf8))
    }

    /// Files `tidemark import` wrote into `imported/`, by name.
    func imported() throws -> [String: String] {
        let folder = directory.appendingPathComponent("imported")
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return files
    }

    func delete() {
        try? FileManager.default.removeItem(at: directory)
    }

    static func target(_ name: String, provider: String, endpoint: String) -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: \(name)}
        spec:
          provider: \(provider)
          endpoint: \(endpoint)
          credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}

        """
    }
}
