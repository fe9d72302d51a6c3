import Foundation
import Logging
import Synchronization
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// The controller claims a batch of drives' slots in one write before their requests and completes them in one write
/// after: two writes per batch instead of two per drive, and still every slot begun before its request, done after.
@Suite("Controller slot batches")
struct ControllerBatchTests {
    enum Event: Equatable {
        case begin([ScheduledSlot])
        case request(drive: String)
        case complete([ScheduledSlot])
    }

    /// Notes the slot writes and snapshot requests in the order they happen, then passes them on.
    final class Recorder: StateStore, Provider {
        let store: any StateStore
        let provider: any Provider
        private let log = Mutex<[Event]>([])

        init(store: any StateStore, provider: any Provider) {
            self.store = store
            self.provider = provider
        }

        var events: [Event] { log.withLock { $0 } }
        private func note(_ event: Event) { log.withLock { $0.append(event) } }

        func begin(_ slots: [ScheduledSlot], at now: Date) async throws -> [SlotState?] {
            let states = try await store.begin(slots, at: now)
            note(.begin(slots))
            return states
        }
        func complete(_ slots: [TakenSlot], at now: Date) async throws -> [Bool] {
            note(.complete(slots.map(\.slot)))
            return try await store.complete(slots, at: now)
        }
        func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
            note(.request(drive: driveID))
            return try await provider.createSnapshot(driveID: driveID, name: name, meta: meta)
        }

        func cursors(scheduler: String) async throws -> [String: Date] { try await store.cursors(scheduler: scheduler) }
        func moveCursors(to slots: [ScheduledSlot]) async throws { try await store.moveCursors(to: slots) }
        func skip(_ slots: [ScheduledSlot], at now: Date) async throws { try await store.skip(slots, at: now) }
        func pendingSlots(scheduler: String, at now: Date) async throws -> [String: [Date]] {
            try await store.pendingSlots(scheduler: scheduler, at: now)
        }
        func markDeleted(_ snapshots: [TakenSlot], at now: Date) async throws { try await store.markDeleted(snapshots, at: now) }
        func createdSlots() async throws -> [CreatedSlot] { try await store.createdSlots() }
        func newestSlots() async throws -> [ScheduledDrive: Date] { try await store.newestSlots() }
        func record(_ cycle: CycleRecord) async throws { try await store.record(cycle) }
        func lastGoodCommit() async throws -> String? { try await store.lastGoodCommit() }
        func recordDrift(target: String, action: String, outcome: String, at now: Date) async throws {
            try await store.recordDrift(target: target, action: action, outcome: outcome, at: now)
        }
        func takeInFlightRequests() async throws -> [InFlightRequest] { try await store.takeInFlightRequests() }
        func begin(target: String, action: PlannedAction) async throws -> Int64 { try await store.begin(target: target, action: action) }
        func finish(_ entry: Int64, error: String?) async throws { try await store.finish(entry, error: error) }

        func readLiveState() async throws(ProviderError) -> LiveState { try await provider.readLiveState() }
        func snapshots() async throws(ProviderError) -> [LiveSnapshot] { try await provider.snapshots() }
        func apply(_ action: ProviderAction) async throws(ProviderError) -> String? { try await provider.apply(action) }
        func deleteSnapshot(id: String) async throws(ProviderError) { try await provider.deleteSnapshot(id: id) }
    }

    @Test func aSlotOfManyDrivesIsClaimedAndCompletedInBatchesAroundItsRequests() async throws {
        let base = try await ControllerFixture.start()
        defer { Task { await base.stop() } }
        var job = try #require(base.jobs.first { $0.scheduler == "every-hour-evening" })
        job.driveIDs = base.jobs.flatMap(\.driveIDs)
        let recorder = Recorder(store: try SQLiteStateStore(path: base.storePath), provider: base.provider)
        let parallelism = 1
        let scheduler = ControllerScheduler(
            store: recorder, instance: "tidemark", provider: recorder, logger: Logger(label: "test"), parallelism: parallelism)
        let slot = ControllerSchedulingTests.start.addingTimeInterval(20 * 3600)
        let startedAt = slot.addingTimeInterval(-60)
        _ = await scheduler.run([job], now: startedAt, startedAt: startedAt)
        let report = await scheduler.run([job], now: slot.addingTimeInterval(1), startedAt: startedAt)
        #expect(report.created == job.driveIDs.count)

        let events = recorder.events
        let begins = events.compactMap { if case .begin(let slots) = $0 { slots } else { nil } }
        let completes = events.compactMap { if case .complete(let slots) = $0 { slots } else { nil } }
        let batch = 4 * parallelism
        #expect(job.driveIDs.count > 2 * batch, "the fixture has drives for several batches")
        #expect(begins.map(\.count) == stride(from: 0, to: job.driveIDs.count, by: batch).map { min(batch, job.driveIDs.count - $0) })
        #expect(completes.map(\.count) == begins.map(\.count))
        #expect(Set(begins.flatMap { $0 }) == Set(job.driveIDs.map { ScheduledSlot(scheduler: job.scheduler, drive: $0, slot: slot) }))
        for drive in job.driveIDs {
            let began = events.firstIndex { if case .begin(let slots) = $0 { slots.contains { $0.drive == drive } } else { false } }
            let requested = events.firstIndex(of: .request(drive: drive))
            let completed = events.firstIndex { if case .complete(let slots) = $0 { slots.contains { $0.drive == drive } } else { false } }
            #expect(began != nil && requested != nil && completed != nil, "\(drive)")
            if let began, let requested, let completed {
                #expect(began < requested && requested < completed, "\(drive): begun before its request, completed after")
            }
        }
        await base.stop()
    }
}
