import Foundation
import TestSupport
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkProviderModel
import TidemarkProviders

/// `kill -9` of the real `tidemark run` binary at random points while it takes controller-mode snapshots.
@Suite("tidemark run survives kill -9", .serialized)
struct RunCrashTests {
    static let policies = [
        "policies/target.yaml": """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: local}
        spec: {provider: cloudsigma, endpoint: ENDPOINT,\
         credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}, scheduling: controller}
        """,
        "policies/minutely.yaml": """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: minutely}
        spec:
          target: local
          schedule: {timezone: Etc/UTC, every: 1m}
          retention: {last: 1000}
        ---
        apiVersion: tidemark.io/v1
        kind: DriveBinding
        metadata: {name: db}
        spec: {target: local, scheduler: minutely, drives: {names: ["db-*"]}}
        """,
    ]

    /// What the target and the state file hold after `kill -9` at eight random points and a last clean run.
    struct Outcome {
        /// Per drive id, the slots of its snapshots on the target, in order.
        var live: [String: [Date]]
        var created: [CreatedSlot]
        var integrity: String
        var kills: Int
    }

    static func killRepeatedly(_ drives: [EmulatorFixture.Drive], seed: UInt64) async throws -> Outcome {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: EmulatorFixture(drives: drives)))
        let directory = try CLIRunner.temporaryDirectory(
            Self.policies.mapValues { $0.replacingOccurrences(of: "ENDPOINT", with: emulator.baseURL) })
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state.sqlite").path
        // 30× time: one slot every two seconds; every process agrees on the time through the shared epoch.
        let epoch = Date().timeIntervalSince1970
        let arguments = ["--interval", "60s", "--state", "sqlite:" + state, "--clock-speed", "30", "--clock-epoch", "\(epoch)"]
        var random = SplitMix64(seed: seed)
        var kills = 0
        for _ in 0..<8 {
            let run = try RunCommandTests.RunningController(arguments: arguments, in: directory)
            try await Task.sleep(for: .milliseconds(Int(random.next() % 2500) + 500))
            kill(run.process.processIdentifier, SIGKILL)
            run.process.waitUntilExit()
            kills += 1
        }
        let last = try RunCommandTests.RunningController(arguments: arguments, in: directory)
        try await Task.sleep(for: .seconds(3))
        #expect(try await last.terminate() == 0, "\(last.output)")

        let provider = CloudSigmaProvider(
            target: "local", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: CurlTransport())
        var live: [String: [Date]] = [:]
        for snapshot in try await provider.snapshots() {
            guard let slot = snapshot.meta[SnapshotMarker.slotKey].flatMap(SnapshotMarker.slot(from:)) else { continue }
            live[snapshot.driveID, default: []].append(slot)
        }
        let store = try SQLiteStateStore(path: state)
        let outcome = Outcome(
            live: live.mapValues { $0.sorted() }, created: try await store.createdSlots(), integrity: try store.integrityCheck(),
            kills: kills)
        await emulator.stop()
        return outcome
    }

    @Test func killedAtRandomPointsNoSlotIsTakenTwiceOrLostAndTheStateFileIsIntact() async throws {
        let drive = "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11"
        let outcome = try await Self.killRepeatedly([.init(uuid: drive, name: "db-main")], seed: 7)
        let live = outcome.live[drive] ?? []
        #expect(outcome.integrity == "ok")
        #expect(Set(live).count == live.count, "no slot was taken twice")
        #expect(outcome.created.map(\.slot) == live, "the state file and the target agree")
        // Every minute from the first slot taken to the last is there: each downtime was shorter than the
        // one-hour deadline, so `missed: once` caught up the one slot a restart could miss.
        let first = try #require(live.first)
        let newest = try #require(live.last)
        let everyMinute = stride(from: first.timeIntervalSince1970, through: newest.timeIntervalSince1970, by: 60).map(
            Date.init(timeIntervalSince1970:))
        #expect(live == everyMinute, "taken \(live.count) of \(everyMinute.count) slots over \(outcome.kills) kills")
        #expect(live.count >= 8)
    }

    /// 120 drives a slot, in batches of 32 whose claims share one transaction and whose completions share another,
    /// 8 requests at a time: a kill lands inside batches, and still no slot is taken twice and the state file names
    /// every snapshot.
    @Test func killedDuringGroupedSlotWritesEachDriveKeepsExactlyOnce() async throws {
        let ids = (0..<120).map { _ in UUID().uuidString.lowercased() }
        let outcome = try await Self.killRepeatedly(
            ids.enumerated().map { EmulatorFixture.Drive(uuid: $1, name: String(format: "db-%03d", $0)) }, seed: 11)
        #expect(outcome.integrity == "ok")
        var taken = 0
        for id in ids {
            let live = outcome.live[id] ?? []
            #expect(Set(live).count == live.count, "\(id): no slot was taken twice")
            #expect(outcome.created.filter { $0.drive == id }.map(\.slot) == live, "\(id): the state file and the target agree")
            taken += live.count
        }
        #expect(taken >= 120 * 4, "\(taken) snapshots over \(outcome.kills) kills")
    }
}
