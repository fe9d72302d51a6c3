import Foundation
import TestSupport
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkJSON

/// Three real `tidemark run` processes on one real PostgreSQL: they split the targets, one is killed with SIGKILL,
/// the survivors take its target within the documented bound, and no slot is ever taken twice.
@Suite("tidemark run replicas on PostgreSQL survive kill -9", .serialized)
struct ReplicaFailoverTests {
    static let targets = ["t1", "t2", "t3"]

    static func policies(_ emulators: [String: RunningEmulator]) -> [String: String] {
        var files: [String: String] = [:]
        for (target, emulator) in emulators {
            files["policies/\(target).yaml"] = """
                apiVersion: tidemark.io/v1
                kind: Target
                metadata: {name: \(target)}
                spec:
                  provider: cloudsigma
                  endpoint: \(emulator.baseURL)
                  credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}
                  scheduling: controller
                ---
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: minutely-\(target)}
                spec:
                  target: \(target)
                  schedule: {timezone: Etc/UTC, every: 1m}
                  retention: {last: 1000}
                ---
                apiVersion: tidemark.io/v1
                kind: DriveBinding
                metadata: {name: db-\(target)}
                spec: {target: \(target), scheduler: minutely-\(target), drives: {names: ["db-*"]}}
                """
        }
        return files
    }

    /// The targets a replica's `/status` says it holds and has reconciled; empty when it does not answer.
    static func held(_ replica: RunCommandTests.RunningController) async -> Set<String> {
        guard let status = try? await replica.status() else { return [] }
        let held = Set(status["replica"]?["held_targets"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let reconciled = Set(status["targets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        return held.intersection(reconciled)
    }

    @Test func theSurvivorsTakeAKilledReplicasTargetWithin15SecondsAndNoSlotIsTakenTwice() async throws {
        try await PostgresServer.with { server in
            let state = try await server.createDatabase("tidemark")
            var emulators: [String: RunningEmulator] = [:]
            for target in Self.targets {
                emulators[target] = try await RunningEmulator.start(
                    EmulatorConfiguration(fixture: EmulatorFixture(drives: [.init(name: "db-\(target)")])))
            }
            let directory = try CLIRunner.temporaryDirectory(Self.policies(emulators))
            defer { try? FileManager.default.removeItem(at: directory) }
            // 30× time: one slot every two seconds; every process agrees on the time through the shared epoch.
            let arguments = [
                "--interval", "60s", "--state", state, "--clock-speed", "30", "--clock-epoch", "\(Date().timeIntervalSince1970)",
            ]
            var replicas: [RunCommandTests.RunningController] = []
            for index in 1...3 {
                replicas.append(try RunCommandTests.RunningController(arguments: arguments + ["--replica", "r\(index)"], in: directory))
            }
            let spread = try await replicas[0].waitUntil(timeout: 40) {
                var all: [Set<String>] = []
                for replica in replicas { all.append(await Self.held(replica)) }
                return all.allSatisfy { $0.count == 1 } && all.reduce(Set(), { $0.union($1) }) == Set(Self.targets)
            }
            #expect(spread, "three replicas hold one target each")
            try await Task.sleep(for: .seconds(3))

            let victim = replicas.removeFirst()
            let orphaned = await Self.held(victim)
            kill(victim.process.processIdentifier, SIGKILL)
            victim.process.waitUntilExit()
            let killed = Date()
            let takenOver = try await replicas[0].waitUntil(timeout: 30) {
                var union: Set<String> = []
                for replica in replicas { union.formUnion(await Self.held(replica)) }
                return union == Set(Self.targets)
            }
            let failover = Date().timeIntervalSince(killed)
            print("failover: \(orphaned.sorted()) taken over \(String(format: "%.1f", failover)) s after kill -9")
            #expect(takenOver && failover <= 15, "the killed replica's \(orphaned.sorted()) taken over in \(failover) s")
            var takeovers = 0.0
            for replica in replicas {
                let metrics = RunCommandTests.parse(try await replica.get("metrics").body)
                takeovers += metrics.filter { $0.key.hasPrefix("tidemark_target_takeovers_total") }.values.reduce(0, +)
                #expect(metrics["tidemark_replicas_live"] == 2)
            }
            #expect(takeovers == 1, "one takeover counted")
            try await Task.sleep(for: .seconds(4))
            for replica in replicas { #expect(try await replica.terminate() == 0, "\(replica.output)") }

            for (target, emulator) in emulators {
                let snapshots = try await emulator.request("GET", "/api/2.0/snapshots/detail/?limit=0").json?["objects"]?.arrayValue ?? []
                let slots = snapshots.compactMap { $0["meta"]?[SnapshotMarker.slotKey]?.stringValue }
                #expect(Set(slots).count == slots.count, "\(target): no slot taken twice")
                #expect(slots.count >= 3, "\(target): slots were taken before and after the failover: \(slots.count)")
            }
            for emulator in emulators.values { await emulator.stop() }
        }
    }
}
