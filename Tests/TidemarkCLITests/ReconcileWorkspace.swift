import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// A copy of policies/ pointed at an in-process emulator, and the CLI run against it as a subprocess.
///
/// Unless a test opts out, the emulator also holds objects tidemark does not manage — a scheduler, the drive
/// web-2 bound to it, a snapshot of that drive — and `stop()` checks that they are byte-identical at the end.
struct ReconcileWorkspace {
    let emulator: RunningEmulator
    let directory: URL
    /// The unmanaged objects' paths and their JSON when the workspace started.
    let unmanaged: [(path: String, json: String)]
    var policies: URL { directory.appendingPathComponent("policies") }

    static let fixture = EmulatorFixture(drives: [
        .init(uuid: "34f9c721-ec23-4f5c-86ab-2839f687f14e", name: "test_drive_remote_snapshot_1", tags: ["prod"]),
        .init(uuid: "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", name: "db-main", tags: ["prod"]),
        .init(uuid: "7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72", name: "db-replica", tags: ["prod"]),
        .init(uuid: "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93", name: "web-1", tags: ["web"]),
        .init(uuid: unmanagedDrive, name: "web-2", tags: ["web"]),
    ])

    static func start(fixture: EmulatorFixture = fixture, unmanagedObjects: Bool = true) async throws -> ReconcileWorkspace {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLIRunner.repositoryRoot.appendingPathComponent("policies"), to: directory.appendingPathComponent("policies"))
        let unmanaged = unmanagedObjects ? try await seedUnmanaged(emulator) : []
        emulator.requests.reset()
        let workspace = ReconcileWorkspace(emulator: emulator, directory: directory, unmanaged: unmanaged)
        try workspace.edit("target.yaml") { $0.replacingOccurrences(of: "http://127.0.0.1:8789/api/2.0/", with: emulator.baseURL) }
        return workspace
    }

    static let unmanagedDrive = "c4e5f6a7-0b1c-4d2e-8f3a-5b6c7d8e9f01"

    /// A scheduler someone else made, web-2 bound to it and a snapshot of web-2; returns their paths and JSON.
    static func seedUnmanaged(_ emulator: RunningEmulator) async throws -> [(path: String, json: String)] {
        let created = try await emulator.request(
            "POST", "backupschedulers/",
            body: """
                {"name": "Nightly (hand-made)", "type": "snapshot", "is_enabled": true, "is_default": false,\
                 "manual_incremental_backup": "",
                 "incremental_backup": {"hour": "2", "minute": "30", "day_of_week": ["*"], "day_of_month": "*", "month": "*"},\
                 "user_timezone": "Etc/UTC",
                 "meta": {"team": "storage"}}
                """)
        guard let scheduler = created.json?["objects"]?[0]?["uuid"]?.stringValue else {
            throw FixtureError("cannot seed the unmanaged scheduler")
        }
        _ = try await emulator.request(
            "POST", "drives/\(unmanagedDrive)/action/?do=set_scheduler", body: "{\"backup_policy_uuid\": \"\(scheduler)\"}")
        let snapshot = try await emulator.request(
            "POST", "snapshots/", body: "{\"objects\": [{\"drive\": \"\(unmanagedDrive)\", \"name\": \"by hand\"}]}")
        guard let snapshotID = snapshot.json?["objects"]?[0]?["uuid"]?.stringValue else {
            throw FixtureError("cannot seed the unmanaged snapshot")
        }
        var objects: [(path: String, json: String)] = []
        for path in ["backupschedulers/\(scheduler)/", "drives/\(unmanagedDrive)/", "snapshots/\(snapshotID)/"] {
            objects.append((path, try await emulator.request("GET", path).json?.description ?? ""))
        }
        return objects
    }

    /// Stops the emulator; with `verifying`, first checks that the unmanaged objects are byte-identical.
    func stop(verifying: Bool = true) async {
        if verifying {
            for object in unmanaged {
                let now = try? await emulator.request("GET", object.path).json?.description
                #expect(now == object.json, "the unmanaged object \(object.path) changed")
            }
        }
        await emulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `tidemark ARGUMENTS --path policies` in the workspace with the emulator's credentials.
    func run(_ arguments: String...) async throws -> CLIRunner.Output {
        try await runArguments(arguments)
    }

    func runArguments(_ arguments: [String]) async throws -> CLIRunner.Output {
        try await CLIRunner.run(
            arguments + ["--path", "policies"], in: directory,
            environment: EmulatorCredentials.environment.merging(["NO_COLOR": "1"]) { $1 })
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
