import Foundation
import Logging
import TestSupport
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile
import TidemarkSchedule

/// The controller on danube, scheduled-backup and freezer targets: backups of controller-run danube definitions
/// taken slot by slot, and retention the native APIs cannot express enforced over plans' checkpoints and jobs' backups.
@Suite("controller on the other providers")
struct ProviderControllerTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let day: TimeInterval = 86400
    static let project = "3f5e1c2a-8d4b-4c6e-9a1f-2b7d0e9c4a51"

    static func policies(_ yaml: String) throws -> PolicySet {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-policies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try yaml.write(to: directory.appendingPathComponent("policies.yaml"), atomically: true, encoding: .utf8)
        let loaded = try PolicyLoader(providers: ProviderRegistry.documentRules).load(path: directory.path)
        return loaded.policies
    }

    static func provider(_ target: PolicyDocument<TargetSpec>) throws(ProviderError) -> any Provider {
        let environment = EmulatorCredentials.environment
        let logger = Logger(label: "test")
        return try ProviderRegistry.definition(for: target.spec.provider).connect(
            target, logger: logger, environment: environment, observe: nil,
            connection: ConnectionOptions())
    }

    static func controller(_ policies: PolicySet, clock: SimulatedClock, allowedViolations: Set<String> = []) throws -> (Controller, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let source = SourceSnapshot(policies: policies, commit: "c0ffee", errors: [])
        return (
            Controller(
                configuration: .init(instance: "tidemark", interval: 3600, driftInterval: 3600, allowedViolations: allowedViolations),
                source: { source },
                makeProvider: { target throws(ProviderError) in try provider(target) }, store: store, clock: clock,
                logger: Logger(label: "test")), directory
        )
    }

    @Test func aControllerRunDanubeDefinitionTakesEachSlotOnceAndPrunesByItsRules() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: .init(vms: [.init(hostname: "db-1.example.com", disks: 2)])))
        defer { Task { await emulator.stop() } }
        let policies = try Self.policies(
            """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: vms}
            spec: {provider: danube, endpoint: "\(emulator.rootURL)/danube/api/", \
            credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}}
            ---
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: zurich}
            spec:
              target: vms
              schedule: {timezone: Europe/Zurich, at: ["01:30", "13:30"]}
              retention: {rules: [{period: days, quantity: 3}]}
              options: {node: node99.erigones.com}
            ---
            apiVersion: tidemark.io/v1
            kind: DriveBinding
            metadata: {name: data}
            spec: {target: vms, scheduler: zurich, drives: {names: ["db-1.example.com/2"]}}
            """)
        let clock = SimulatedClock(Self.start)
        let (controller, directory) = try Self.controller(policies, clock: clock)
        defer { try? FileManager.default.removeItem(at: directory) }
        let end = Self.start.addingTimeInterval(10 * Self.day)
        await controller.run(until: end)

        let status = await controller.status
        #expect(status.lastErrors.isEmpty, "\(status.lastErrors)")
        #expect(status.schedulers.first { $0.name == "zurich" }?.mode == .controller)
        let definition = try await emulator.request("GET", "/danube/api/vm/db-1.example.com/define/backup/zurich?disk_id=2").json?["text"]?[
            "result"]
        #expect(definition?["active"] == false)
        let document = try #require(policies.scheduler(named: "zurich"))
        let job = ControllerJob(
            scheduler: "zurich", target: "vms", schedule: document.spec.schedule,
            retention: policies.resolve(document.spec.retention), driveIDs: ["db-1.example.com/2"])
        let expected = try ControllerSchedulingTests.expected(job, from: Self.start, to: end)
        #expect(expected.slots.count == 20)
        let backups =
            try await emulator.request("GET", "/danube/api/vm/db-1.example.com/backup?full=true").json?["text"]?["result"]?.arrayValue ?? []
        let slots = backups.compactMap { backup -> Date? in
            let note = backup["note"]?.stringValue ?? ""
            return note.split(separator: " ").first { $0.hasPrefix("tidemark.io/slot=") }.flatMap {
                SnapshotMarker.slot(from: String($0.dropFirst(17)))
            }
        }.sorted()
        #expect(slots == expected.survivors, "exactly the slots retention keeps, each once")
        #expect(backups.allSatisfy { $0["define"] == "zurich" && $0["disk_id"] == 2 })
    }

    @Test func retentionTheNativeAPIsCannotExpressIsEnforcedOverCheckpointsAndBackups() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: .init(freezerClients: [.init(clientID: "node1", hostname: "node1")])))
        defer { Task { await emulator.stop() } }
        let policies = try Self.policies(
            """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: volumes}
            spec: {provider: scheduled-backup, endpoint: "\(emulator.rootURL)/scheduled-backup/v2/\(Self.project)/", \
            credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}}
            ---
            apiVersion: tidemark.io/v1
            kind: BackupPlan
            metadata: {name: weekly-keep}
            spec:
              target: volumes
              resources: [{id: v1, name: vol1, type: "OS::Cinder::Volume"}]
              schedule: {timezone: UTC, at: ["02:00"]}
              retention: {rules: [{period: days, quantity: 7}]}
            ---
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: freezer}
            spec: {provider: freezer, endpoint: "\(emulator.rootURL)/freezer/v2/testproject/", \
            credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}}
            ---
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: etc}
            spec:
              target: freezer
              schedule: {timezone: UTC, at: ["03:00"]}
              retention: {last: 2}
              options: {clientId: node1, container: /c}
            """)
        let clock = SimulatedClock(Self.start)
        let (controller, directory) = try Self.controller(policies, clock: clock)
        defer { try? FileManager.default.removeItem(at: directory) }
        await controller.cycle()

        let plans = try await emulator.request("GET", "/scheduled-backup/v2/\(Self.project)/plans").json?["plans"]?.arrayValue ?? []
        let planID = try #require(plans.first?["id"]?.stringValue)
        for age in 1...20 {
            _ = await emulator.emulator.addCheckpoint(
                project: Self.project, planID: planID, createdAt: Self.start.addingTimeInterval(-Double(age) * Self.day))
        }
        let jobs = try await emulator.request("GET", "/freezer/v2/testproject/jobs?limit=100").json?["jobs"]?.arrayValue ?? []
        let jobID = try #require(jobs.first?["job_id"]?.stringValue)
        for (job, age) in [(jobID, 1), (jobID, 2), (jobID, 3), (jobID, 4), ("someone-elses-job", 5)] {
            let stamp = Int(Self.start.timeIntervalSince1970) - age * 86400
            _ = try await emulator.request(
                "POST", "/freezer/v2/testproject/backups",
                body: "{\"backup_name\": \"b\", \"job_id\": \"\(job)\", \"time_stamp\": \(stamp)}")
        }
        await controller.run(until: Self.start.addingTimeInterval(10 * Self.day))
        #expect(await controller.status.lastErrors.isEmpty)

        let checkpoints =
            try await emulator.request("GET", "/scheduled-backup/v2/\(Self.project)/checkpoints").json?["checkpoints"]?.arrayValue ?? []
        #expect(
            checkpoints.compactMap { $0["created_at"]?.stringValue } == ["2025-12-31T00:00:00Z"],
            "every checkpoint is older than 7 days by now; the newest one is never deleted")
        let backups = try await emulator.request("GET", "/freezer/v2/testproject/backups?limit=100").json?["backups"]?.arrayValue ?? []
        let kept = backups.compactMap { backup -> String? in
            guard let job = backup["backup_metadata"]?["job_id"]?.stringValue,
                let stamp = backup["backup_metadata"]?["time_stamp"]?.intValue
            else { return nil }
            return "\(job == jobID ? "managed" : job) \((Int(Self.start.timeIntervalSince1970) - stamp) / 86400)"
        }
        #expect(kept.sorted() == ["managed 1", "managed 2", "someone-elses-job 5"])
    }
}
