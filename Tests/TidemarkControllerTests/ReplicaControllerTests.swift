import Foundation
import Logging
import TestSupport
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// Controllers sharing one real PostgreSQL: the targets are split between them, a replica that stops has its
/// targets taken over, a replica that loses its session stops acting at once, and every slot is taken once.
@Suite("Replicas on PostgreSQL", .serialized)
struct ReplicaControllerTests {
    static let targets = ["t1", "t2", "t3", "t4"]
    /// One slot per scaled minute: a second of real time.
    static let clock = ScaledClock(epoch: Date(), speed: 60)

    /// One replica: its controller running in a task, its coordinator, its metrics.
    struct Replica {
        let controller: Controller
        let coordinator: ReplicaCoordinator
        let store: PostgresStateStore
        let task: Task<Void, Never>

        func held() async -> [String] { await controller.currentStatus().replica?.heldTargets ?? [] }

        func stop() async {
            await controller.stop()
            await task.value
            await coordinator.stop()
            store.close()
        }
    }

    /// Four targets, each an emulator with one drive whose scheduler runs in controller mode every minute.
    struct World {
        let emulators: [String: RunningEmulator]
        let policies: PolicySet
        let location: PostgresLocation

        static func make(_ server: PostgresServer) async throws -> World {
            var emulators: [String: RunningEmulator] = [:]
            var yaml: [String] = []
            for target in ReplicaControllerTests.targets {
                let emulator = try await RunningEmulator.start(
                    EmulatorConfiguration(fixture: EmulatorFixture(drives: [.init(name: "db-\(target)")]), backupSchedulersEnabled: false))
                emulators[target] = emulator
                yaml.append(
                    """
                    apiVersion: tidemark.io/v1
                    kind: Target
                    metadata: {name: \(target)}
                    spec:
                      provider: cloudsigma
                      endpoint: "\(emulator.baseURL)"
                      credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}
                    ---
                    apiVersion: tidemark.io/v1
                    kind: Scheduler
                    metadata: {name: minutely-\(target)}
                    spec:
                      target: \(target)
                      schedule: {timezone: Etc/UTC, cron: "* * * * *"}
                      retention: {rules: [{period: days, quantity: 1}]}
                    ---
                    apiVersion: tidemark.io/v1
                    kind: DriveBinding
                    metadata: {name: db-\(target)}
                    spec: {target: \(target), scheduler: minutely-\(target), drives: {names: ["db-\(target)"]}}
                    """)
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-replicas-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try yaml.joined(separator: "\n---\n").write(
                to: directory.appendingPathComponent("policies.yaml"), atomically: true, encoding: .utf8)
            let loaded = try PolicyLoader(providers: ProviderRegistry.documentRules).load(path: directory.path)
            #expect(loaded.diagnostics.allSatisfy { $0.severity != .error }, "\(loaded.diagnostics)")
            let location = try PostgresLocation(parsing: try await server.createDatabase("replicas"), environment: [:])
            return World(emulators: emulators, policies: loaded.policies, location: location)
        }

        /// Starts replica `id`; its source fails while a file exists at `failWhile`.
        func start(_ id: String, failWhile: String? = nil) async throws -> Replica {
            let logger = Logger(label: "replica-\(id)")
            let metrics = ControllerMetrics()
            let store = try await PostgresStateStore(location: location, replica: id, logger: logger)
            let coordinator = ReplicaCoordinator(
                location: location, replica: id, address: "127.0.0.1:0", instance: "tidemark",
                settings: .init(claimInterval: 0.5, liveness: 15), logger: logger, metrics: metrics)
            let source = SourceSnapshot(policies: policies, commit: "c0ffee", errors: [])
            let controller = Controller(
                configuration: .init(instance: "tidemark", interval: 3600, driftInterval: 3600),
                source: {
                    if let failWhile, FileManager.default.fileExists(atPath: failWhile) { throw SourceUnreadable() }
                    return source
                },
                makeProvider: { target throws(ProviderError) in
                    try ProviderRegistry.definition(for: target.spec.provider).connect(
                        target, logger: logger, environment: EmulatorCredentials.environment, observe: nil, connection: ConnectionOptions())
                }, store: store, ownership: coordinator, clock: ReplicaControllerTests.clock, logger: logger, metrics: metrics)
            await coordinator.start { await controller.targetsChanged() }
            return Replica(controller: controller, coordinator: coordinator, store: store, task: Task { await controller.run() })
        }

        /// Every controller snapshot on every target, as (target, slot), with duplicates kept.
        func slotsTaken() async throws -> [(target: String, slot: Date)] {
            var taken: [(String, Date)] = []
            for (target, emulator) in emulators {
                let snapshots = try await emulator.request("GET", "/api/2.0/snapshots/detail/?limit=0").json?["objects"]?.arrayValue ?? []
                for snapshot in snapshots {
                    guard let slot = snapshot["meta"]?[SnapshotMarker.slotKey]?.stringValue.flatMap(SnapshotMarker.slot(from:)) else {
                        continue
                    }
                    taken.append((target, slot))
                }
            }
            return taken
        }

        func stop() async {
            for emulator in emulators.values { await emulator.stop() }
        }
    }

    struct SourceUnreadable: Error {}

    /// Polls `condition` every 100 ms until it holds or `seconds` pass; returns how long it took, or nil.
    static func waitFor(_ seconds: TimeInterval, _ condition: () async throws -> Bool) async rethrows -> TimeInterval? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if try await condition() { return Date().timeIntervalSince(start) }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test func replicasShareTheTargetsAndTheSurvivorTakesOverEverySlotOnce() async throws {
        try await PostgresServer.with { server in
            let world = try await World.make(server)
            defer { Task { await world.stop() } }
            let a = try await world.start("a")
            #expect(await Self.waitFor(10) { await a.held() == Self.targets } != nil, "the only replica holds every target")
            let b = try await world.start("b")
            let shared = await Self.waitFor(15) {
                let heldByA = await a.held()
                let heldByB = await b.held()
                return heldByA.count == 2 && heldByB.count == 2 && Set(heldByA + heldByB) == Set(Self.targets)
            }
            let (finalA, finalB) = (await a.held(), await b.held())
            #expect(shared != nil, "a replica that joins gets its share: a \(finalA), b \(finalB)")
            #expect(await a.controller.metrics.exposition().contains("tidemark_replicas_live 2"))
            try await Task.sleep(for: .seconds(3))

            let fromA = await a.held()
            await a.stop()
            var status = await b.controller.currentStatus()
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, status.replica?.heldTargets != Self.targets || Set(status.targets.map(\.name)) != Set(Self.targets) {
                try await Task.sleep(for: .milliseconds(100))
                status = await b.controller.currentStatus()
            }
            #expect(status.replica?.heldTargets == Self.targets, "the survivor takes the stopped replica's targets within 15 s")
            #expect(Set(status.targets.map(\.name)) == Set(Self.targets), "the survivor reconciled what it took over")
            #expect(status.replica?.liveReplicas == 1)
            try await Task.sleep(for: .seconds(3))
            await b.stop()

            let taken = try await world.slotsTaken()
            let perSlot = Dictionary(grouping: taken) { "\($0.target) \($0.slot)" }
            #expect(
                perSlot.values.allSatisfy { $0.count == 1 }, "no slot taken twice: \(perSlot.filter { $0.value.count > 1 }.keys.sorted())")
            for target in fromA {
                let slots = taken.filter { $0.target == target }.map(\.slot)
                #expect(slots.count >= 4, "\(target): slots taken by a, then by b after the takeover: \(slots)")
            }
        }
    }

    @Test func aReplicaThatLosesItsSessionStopsActingAtOnceAndComesBack() async throws {
        try await PostgresServer.with { server in
            let world = try await World.make(server)
            defer { Task { await world.stop() } }
            let a = try await world.start("a")
            let started = await Self.waitFor(10) {
                let ready = await a.controller.readiness().ready
                let held = await a.held()
                return ready && held == Self.targets
            }
            #expect(started != nil, "the only replica holds every target and is ready")

            try await server.stop()
            let lost = await Self.waitFor(15) {
                let ready = await a.controller.readiness().ready
                let held = await a.held()
                return !ready && held.isEmpty
            }
            #expect(lost != nil, "with the database gone the replica holds nothing and is not ready")
            #expect(await a.controller.readiness().reason == "the state store is unreachable")
            #expect(await a.controller.currentStatus().replica?.storeConnected == false)
            let before = try await world.slotsTaken().count
            try await Task.sleep(for: .seconds(3))
            #expect(try await world.slotsTaken().count == before, "no snapshot taken while the store is unreachable")

            try await server.start()
            let back = await Self.waitFor(20) {
                let ready = await a.controller.readiness().ready
                let held = await a.held()
                return ready && held == Self.targets
            }
            #expect(back != nil, "the replica claims its targets again when the database is back")
            await a.stop()
        }
    }

    /// A database that stops answering without closing anything (a frozen server, a half-open connection): the
    /// replica stops acting within its lease (liveness − claim interval after its last answered heartbeat), drops the
    /// session when a pass times out, and holds its targets again in a new session once the database answers.
    @Test func aDatabaseThatStopsAnsweringEndsTheLeaseWithinItsBound() async throws {
        try await PostgresServer.with { server in
            let location = try PostgresLocation(parsing: try await server.createDatabase("lease"), environment: [:])
            let store = try await PostgresStateStore(location: location, replica: "a", logger: Logger(label: "lease"))
            defer { store.close() }
            let coordinator = ReplicaCoordinator(
                location: location, replica: "a", address: "127.0.0.1:0", instance: "tidemark",
                settings: .init(claimInterval: 0.5, liveness: 3), logger: Logger(label: "lease"), metrics: ControllerMetrics())
            let first = await coordinator.rebalance(targets: ["zrh"])
            #expect(first.targets == ["zrh"])
            #expect(await coordinator.holds("zrh"))
            await coordinator.start {}
            try await server.pause()
            let stopped = await Self.waitFor(10) { await !coordinator.holds("zrh") }
            #expect(stopped.map { $0 <= 2.5 + 0.5 } == true, "acts no longer than the lease after the database froze: \(stopped ?? -1) s")
            let dropped = await Self.waitFor(10) { await !coordinator.isConnected() }
            #expect(dropped != nil, "the session that stopped answering is dropped")
            try await server.resume()
            let back = await Self.waitFor(15) { await coordinator.holds("zrh") }
            #expect(back != nil, "holds its target again once the database answers")
            let again = await coordinator.rebalance(targets: ["zrh"])
            #expect(again.targets == ["zrh"] && again.session > first.session, "held again in a new session: \(again)")
            await coordinator.stop()
        }
    }

    /// The policies cannot be read when a replica dies: the survivor still takes its targets over, reconciles them
    /// with the commit in force and takes their slots.
    @Test func aSurvivorWhoseSourceFailsStillTakesOverWithTheCommitInForce() async throws {
        try await PostgresServer.with { server in
            let world = try await World.make(server)
            defer { Task { await world.stop() } }
            let flag = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-source-down-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: flag) }
            let a = try await world.start("a")
            let b = try await world.start("b", failWhile: flag)
            let shared = await Self.waitFor(15) {
                let heldByA = await a.held()
                let heldByB = await b.held()
                return heldByA.count == 2 && heldByB.count == 2
            }
            #expect(shared != nil, "the replicas share the targets")
            #expect(FileManager.default.createFile(atPath: flag, contents: Data()))
            let fromA = await a.held()
            await a.stop()
            let tookOver = await Self.waitFor(15) {
                let status = await b.controller.currentStatus()
                return status.replica?.heldTargets == Self.targets && Set(status.targets.map(\.name)) == Set(Self.targets)
            }
            #expect(tookOver != nil, "the survivor takes over and reconciles while its source fails")
            let handover = Self.clock.now()
            try await Task.sleep(for: .seconds(4))
            await b.stop()
            let taken = try await world.slotsTaken()
            for target in fromA {
                let after = taken.filter { $0.target == target && $0.slot > handover }
                #expect(after.count >= 2, "\(target): slots taken by the survivor after the takeover: \(after.map(\.slot))")
            }
        }
    }
}
