import Foundation
import Logging
import Synchronization
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkProviderModel
import TidemarkProviders

/// More drives are in flight than requests, so that drives waiting for their writes do not hold the API idle; the
/// requests themselves never exceed the scheduler's parallelism.
@Suite("Controller request limit")
struct ControllerRequestLimitTests {
    /// A provider that counts its calls in flight.
    final class InFlightProbe: Provider {
        let base: any Provider
        private let counts = Mutex((now: 0, most: 0))

        init(base: any Provider) {
            self.base = base
        }

        var most: Int { counts.withLock { $0.most } }

        private func counted<T>(_ body: () async throws(ProviderError) -> T) async throws(ProviderError) -> T {
            counts.withLock { counts in
                counts.now += 1
                counts.most = max(counts.most, counts.now)
            }
            defer { counts.withLock { $0.now -= 1 } }
            return try await body()
        }

        func readLiveState() async throws(ProviderError) -> LiveState { try await base.readLiveState() }
        func snapshots() async throws(ProviderError) -> [LiveSnapshot] {
            try await counted { () async throws(ProviderError) in try await base.snapshots() }
        }
        func apply(_ action: ProviderAction) async throws(ProviderError) -> String? { try await base.apply(action) }
        func deleteSnapshot(id: String) async throws(ProviderError) {
            try await counted { () async throws(ProviderError) in try await base.deleteSnapshot(id: id) }
        }
        func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
            try await counted { () async throws(ProviderError) in try await base.createSnapshot(driveID: driveID, name: name, meta: meta) }
        }
    }

    @Test func aSlotOfManyDrivesSendsAtMostParallelismRequestsAtOnce() async throws {
        let base = try await ControllerFixture.start()
        defer { Task { await base.stop() } }
        var job = try #require(base.jobs.first { $0.scheduler == "every-hour-evening" })
        job.driveIDs = base.jobs.flatMap(\.driveIDs)
        base.emulator.emulator.faults.plan = FaultPlan(rate: 0, latencyMilliseconds: 40)
        let probe = InFlightProbe(base: base.provider)
        let scheduler = ControllerScheduler(
            store: try SQLiteStateStore(path: base.storePath), instance: "tidemark", provider: probe, logger: Logger(label: "test"),
            parallelism: 3)
        let slot = ControllerSchedulingTests.start.addingTimeInterval(20 * 3600)
        let startedAt = slot.addingTimeInterval(-60)
        _ = await scheduler.run([job], now: startedAt, startedAt: startedAt)
        let report = await scheduler.run([job], now: slot.addingTimeInterval(1), startedAt: startedAt)
        #expect(report.created == job.driveIDs.count)
        #expect(probe.most == 3, "as many requests at once as the parallelism, and no more")
        await base.stop()
    }
}
