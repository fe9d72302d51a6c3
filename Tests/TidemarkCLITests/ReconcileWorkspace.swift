import Foundation
import TidemarkEmulator
import TidemarkJSON

/// A copy of policies/ pointed at an in-process emulator, and the CLI run against it as a subprocess.
struct ReconcileWorkspace {
    let emulator: RunningEmulator
    let directory: URL
    var policies: URL { directory.appendingPathComponent("policies") }

    static let fixture = EmulatorFixture(drives: [
        .init(uuid: "34f9c721-ec23-4f5c-86ab-2839f687f14e", name: "test_drive_remote_snapshot_1", tags: ["prod"]),
        .init(uuid: "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", name: "db-main", tags: ["prod"]),
        .init(uuid: "7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72", name: "db-replica", tags: ["prod"]),
        .init(uuid: "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93", name: "web-1", tags: ["web"]),
    ])

    static func start(fixture: EmulatorFixture = fixture) async throws -> ReconcileWorkspace {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLIRunner.repositoryRoot.appendingPathComponent("policies"), to: directory.appendingPathComponent("policies"))
        let workspace = ReconcileWorkspace(emulator: emulator, directory: directory)
        try workspace.edit("target.yaml") { $0.replacingOccurrences(of: "http://127.0.0.1:8789/api/2.0/", with: emulator.baseURL) }
        return workspace
    }

    func stop() async {
        await emulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `tidemark ARGUMENTS --path policies` in the workspace with the emulator's credentials.
    func run(_ arguments: String...) async throws -> CLIRunner.Output {
        try await runArguments(arguments)
    }

    func runArguments(_ arguments: [String]) async throws -> CLIRunner.Output {
        try await CLIRunner.run(arguments + ["--path", "policies"], in: directory,
                          environment: ["TIDEMARK_USER": "tidemark@example.com", "TIDEMARK_PASSWORD": "tidemark", "NO_COLOR": "1"])
    }

    /// The plan as JSON.
    func plan() async throws -> JSON {
        let output = try await runArguments(["plan", "--json"])
        return try JSON.parse(Data(output.stdout.utf8))
    }

    func edit(_ file: String, _ change: (String) -> String) throws {
        let url = policies.appendingPathComponent(file)
        try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(at: policies.appendingPathComponent(file))
    }

    /// (kind, name) of every planned action, in order.
    static func actions(_ plan: JSON) -> [String] {
        (plan["targets"]?.arrayValue ?? []).flatMap { $0["actions"]?.arrayValue ?? [] }.map {
            "\($0["kind"]?.stringValue ?? "?") \($0["resource"]?.stringValue ?? "?") \($0["name"]?.stringValue ?? "?")"
        }
    }
}
