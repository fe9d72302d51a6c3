import Foundation
import Logging
import Synchronization
import TestSupport
import TidemarkController
import TidemarkEmulator
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// Slot fire lag over 10,000 controller-scheduled drives on a fast schedule, and the idle memory of `tidemark run`.
enum ControllerBenchmark {
    static let drives = 10_000
    static let speed = 6.0

    static func run() async throws {
        try await throughputAgainstCapacity()
        try await slotLag(store: "sqlite") { directory in try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        }
        try await PostgresServer.with { server in
            let location = try PostgresLocation(parsing: try await server.createDatabase("bench"), environment: [:])
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let store = try await PostgresStateStore(location: location, replica: "bench", logger: logger)
            defer { store.close() }
            try await slotLag(store: "postgres") { _ in store }
        }
        try await idleMemory()
    }

    /// One job, every minute, 10,000 drives, on time running 6× faster: each snapshot's lag is the real time between
    /// its slot and the moment its create request returned.
    static func slotLag(store kind: String, _ makeStore: (URL) async throws -> any StateStore) async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: drives, backupSchedulersEnabled: false))
        let base = CloudSigmaProvider(
            target: "bench", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: CurlTransport())
        let provider = TimingProvider(base: base)
        let driveIDs = try await base.readLiveState().drives.map(\.id)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await makeStore(directory)
        let job = ControllerJob(
            scheduler: "fast", target: "bench",
            schedule: ScheduleSpec(timezone: "Etc/UTC", rule: .calendar(CalendarRule(times: .every(minutes: 1, window: .wholeDay)))),
            retention: RetentionPolicySpec(rules: [.last(3)]), driveIDs: driveIDs)
        let epoch = Date()
        let clock = ScaledClock(epoch: epoch, speed: speed)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let scheduler = ControllerScheduler(store: store, instance: "bench", provider: provider, logger: logger)
        var loop = SlotLoop(jobs: [job], scheduler: scheduler, startedAt: clock.now(), now: clock.now())
        let report = try await loop.run(on: clock, until: clock.now().addingTimeInterval(3 * 60 + 30))
        let lags = provider.creations.map { creation in
            creation.returned.timeIntervalSince(epoch.addingTimeInterval(creation.slot.timeIntervalSince(epoch) / speed))
        }.sorted()
        func percentile(_ p: Double) -> Double { lags.isEmpty ? .nan : lags[min(lags.count - 1, Int(Double(lags.count) * p))] }
        print(
            String(
                format:
                    "tidemark  controller  \(kind) store, %d drives, every minute at %.0f× time (a slot every %.0f s): "
                    + "%d snapshots, %d deleted, %d skipped, "
                    + "lag p50 %.2f s, p99 %.2f s, max %.2f s", drives, speed, 60 / speed, report.created, report.deleted, report.skipped,
                percentile(0.5), percentile(0.99), lags.last ?? .nan))
        await emulator.stop()
    }

    /// The emulator's capacity for snapshot creates at the controller's concurrency (a plain loop of 8 workers sending
    /// the controller's own request), then the controller taking one slot for 10,000 drives on a SQLite store: its
    /// snapshots a second against that capacity, and its p99 lag against the time the capacity alone would need.
    static func throughputAgainstCapacity() async throws {
        let parallelism = 8
        // Before the emulator exists, so that nothing else runs or is freed meanwhile.
        let writeIDs = (0..<drives).map { _ in UUID().uuidString.lowercased() }
        let writes = try await slotWrites(drives: writeIDs.sorted(), batch: 4 * parallelism)
        let unorderedWrites = try await slotWrites(drives: writeIDs, batch: 4 * parallelism)
        let alone = try await controllerAlone(drives: writeIDs, parallelism: parallelism)
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: drives, backupSchedulersEnabled: false))
        let base = CloudSigmaProvider(
            target: "bench", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: CurlTransport())
        let driveIDs = try await base.readLiveState().drives.map(\.id)
        let clock = ContinuousClock()
        let loopCPU = processCPUSeconds()
        let loopTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<parallelism {
                    group.addTask {
                        for index in stride(from: worker, to: driveIDs.count, by: parallelism) {
                            _ = try await base.createSnapshot(
                                driveID: driveIDs[index], name: "load-\(index)",
                                meta: SnapshotMarker.meta(instance: "load", scheduler: "load", slot: Date()))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let capacity = Double(driveIDs.count) / seconds(loopTime)
        let loopCPUPerCreate = (processCPUSeconds() - loopCPU) / Double(driveIDs.count)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let provider = TimingProvider(base: base)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let scheduler = ControllerScheduler(store: store, instance: "bench", provider: provider, logger: logger, parallelism: parallelism)
        let job = ControllerJob(
            scheduler: "hourly", target: "bench",
            schedule: ScheduleSpec(timezone: "Etc/UTC", rule: .calendar(CalendarRule(times: .every(minutes: 60, window: .wholeDay)))),
            retention: RetentionPolicySpec(rules: [.last(3)]), driveIDs: driveIDs)
        let slot = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        _ = await scheduler.run([job], now: slot.addingTimeInterval(-1), startedAt: slot.addingTimeInterval(-1))
        let started = Date()
        let slotCPU = processCPUSeconds()
        let slotTime = await clock.measure {
            _ = await scheduler.run([job], now: slot.addingTimeInterval(1), startedAt: slot.addingTimeInterval(-1))
        }
        let slotCPUPerSnapshot = (processCPUSeconds() - slotCPU) / Double(driveIDs.count)
        let lags = provider.creations.map { $0.returned.timeIntervalSince(started) }.sorted()
        let rate = Double(lags.count) / seconds(slotTime)
        let ideal = Double(driveIDs.count) / capacity
        let p99 = lags.isEmpty ? .nan : lags[min(lags.count - 1, Int(Double(lags.count) * 0.99))]
        print(
            String(
                format:
                    "ratio  controller / API capacity    %.2f (goal ≥ 0.80)  controller %.0f snapshots/s (one slot, %d drives, SQLite), "
                    + "%.0f µs CPU each; emulator %.0f creates/s at %d concurrent, %.0f µs CPU each (both sides in this process)",
                rate / capacity, rate, lags.count, slotCPUPerSnapshot * 1e6, capacity, parallelism, loopCPUPerCreate * 1e6))
        print(
            String(
                format: "ratio  slot lag p99 / ideal          %.2f (goal ≤ 1.20)  p99 %.2f s; drives ÷ capacity %.2f s",
                p99 / ideal, p99, ideal))
        print(
            String(
                format: "tidemark  state  SQLite slot writes alone, %d slots in batches of %d: %.0f µs CPU and %.0f µs wall per slot "
                    + "(claim + complete), drives in id order as the controller takes them; in random order %.0f µs CPU, %.0f µs wall",
                drives, 4 * parallelism, writes.cpu * 1e6, writes.wall * 1e6, unorderedWrites.cpu * 1e6, unorderedWrites.wall * 1e6))
        print(
            String(
                format: "tidemark  controller alone, the provider answering at once in memory: %.0f, %.0f and %.0f µs CPU per snapshot "
                    + "in three slots of %d drives (retention last 3, SQLite)", alone[0] * 1e6, alone[1] * 1e6, alone[2] * 1e6, drives))
        await emulator.stop()
    }

    /// The controller's own CPU seconds per snapshot in three consecutive slots of `drives`, with a provider that
    /// answers at once: what it adds to the API's cost, store included.
    static func controllerAlone(drives: [String], parallelism: Int) async throws -> [Double] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let scheduler = ControllerScheduler(
            store: try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path), instance: "bench",
            provider: InstantProvider(), logger: logger, parallelism: parallelism)
        let job = ControllerJob(
            scheduler: "hourly", target: "bench",
            schedule: ScheduleSpec(timezone: "Etc/UTC", rule: .calendar(CalendarRule(times: .every(minutes: 60, window: .wholeDay)))),
            retention: RetentionPolicySpec(rules: [.last(3)]), driveIDs: drives)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        _ = await scheduler.run([job], now: start.addingTimeInterval(-1), startedAt: start.addingTimeInterval(-1))
        var perSnapshot: [Double] = []
        for hour in 0..<3 {
            let cpu = processCPUSeconds()
            let report = await scheduler.run([job], now: start.addingTimeInterval(Double(hour) * 3600 + 1), startedAt: start)
            guard report.created == drives.count, report.errors.isEmpty else { throw BenchError("controller alone: \(report)") }
            perSnapshot.append((processCPUSeconds() - cpu) / Double(drives.count))
        }
        return perSnapshot
    }

    /// The state store's part of a snapshot alone, CPU and wall seconds per slot: claiming and completing a slot of
    /// each of `drives` in batches, as the controller writes them, on a fresh SQLite store.
    static func slotWrites(drives: [String], batch: Int) async throws -> (cpu: Double, wall: Double) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let snapshots = drives.map { _ in UUID().uuidString.lowercased() }
        let slot = Date(timeIntervalSince1970: 1_767_225_600)
        let cpu = processCPUSeconds()
        let time = try await ContinuousClock().measure {
            for start in stride(from: 0, to: drives.count, by: batch) {
                let slots = drives[start..<min(start + batch, drives.count)].map {
                    ScheduledSlot(scheduler: "hourly", drive: $0, slot: slot)
                }
                _ = try await store.begin(slots, at: slot)
                _ = try await store.complete(slots.indices.map { TakenSlot(slots[$0], snapshot: snapshots[start + $0]) }, at: slot)
            }
        }
        return ((processCPUSeconds() - cpu) / Double(drives.count), seconds(time) / Double(drives.count))
    }

    /// User and system CPU time of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.cpuSeconds
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `tidemark run` (release build) with the eleven seed policies and 1,000 bound drives, once it is ready and idle.
    static func idleMemory() async throws {
        guard FileManager.default.isExecutableFile(atPath: Binaries.tidemark.path) else {
            print("tidemark  run        idle memory: skipped, build the release tidemark first (make release)")
            return
        }
        let fixture = EmulatorFixture(drives: (0..<1_000).map { EmulatorFixture.Drive(name: String(format: "db-%04d", $0)) })
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let policies = try Binaries.seedPolicies(at: directory.appendingPathComponent("policies"), endpoint: emulator.baseURL)
        let run = try RunProcess(
            policies: policies.path, state: directory.appendingPathComponent("state.sqlite").path,
            environment: EmulatorCredentials.environment)
        try await Task.sleep(for: .seconds(8))
        let megabytes = run.megabytes("VmRSS:")
        let bound =
            try await emulator.request("GET", "drives/detail/?limit=0").json?["objects"]?.arrayValue?
            .count { $0["backup_scheduler"]?["uuid"]?.stringValue != nil } ?? 0
        print(
            String(
                format: "memory tidemark run idle, 11 schedulers and %d bound drives: %.1f MB resident (goal ≤ 40 MB): %.1f MB its own "
                    + "(RssAnon), %.1f MB mapped files (RssFile: the binary and shared libraries)",
                bound, megabytes, run.megabytes("RssAnon:"), run.megabytes("RssFile:")))
        await emulator.stop()
    }
}

/// A provider that notes when each snapshot create returned, with the slot from its marker.
final class TimingProvider: Provider {
    let base: any Provider
    private let log = Mutex<[(slot: Date, returned: Date)]>([])

    init(base: any Provider) {
        self.base = base
    }

    var creations: [(slot: Date, returned: Date)] { log.withLock { $0 } }

    func readLiveState() async throws(ProviderError) -> LiveState { try await base.readLiveState() }
    func snapshots() async throws(ProviderError) -> [LiveSnapshot] { try await base.snapshots() }
    func apply(_ action: ProviderAction) async throws(ProviderError) -> String? { try await base.apply(action) }
    func deleteSnapshot(id: String) async throws(ProviderError) { try await base.deleteSnapshot(id: id) }

    func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        let snapshot = try await base.createSnapshot(driveID: driveID, name: name, meta: meta)
        let returned = Date()
        if let slot = meta[SnapshotMarker.slotKey].flatMap(SnapshotMarker.slot(from:)) {
            log.withLock { $0.append((slot, returned)) }
        }
        return snapshot
    }
}

/// A provider that makes each snapshot at once, in memory.
final class InstantProvider: Provider {
    private let made = Mutex(0)

    func readLiveState() async throws(ProviderError) -> LiveState { LiveState(schedulers: [], drives: [], nativeScheduling: false) }
    func snapshots() async throws(ProviderError) -> [LiveSnapshot] { [] }
    func apply(_ action: ProviderAction) async throws(ProviderError) -> String? { nil }
    func deleteSnapshot(id: String) async throws(ProviderError) {}

    func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        let number = made.withLock { made in
            made += 1
            return made
        }
        return LiveSnapshot(
            id: "snapshot-\(number)", driveID: driveID, name: name, takenAt: Date(), succeeded: true, createdByTidemark: true, meta: meta)
    }
}
