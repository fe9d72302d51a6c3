import Foundation
import Testing
import TidemarkController
import TidemarkPolicy
import TidemarkSchedule

@Suite("Controller scheduling: snapshots at their slots, retention, exactly once", .serialized)
struct ControllerSchedulingTests {
    static let start = Date(timeIntervalSince1970: 1_735_689_600) // 2025-01-01T00:00:00Z
    static let end = Date(timeIntervalSince1970: 1_767_225_600)   // 2026-01-01T00:00:00Z

    /// What the engines alone say: the slots in (start, end], and the survivors of retention applied at each slot.
    static func expected(_ job: ControllerJob) throws -> (slots: [Date], survivors: [Date]) {
        let slots = try Schedule(job.schedule).fires(in: start.addingTimeInterval(1)..<end.addingTimeInterval(1))
        guard let policy = job.retention, let zone = ZoneRules(identifier: job.schedule.timezone) else { return (slots, slots) }
        let engine = RetentionEngine(policy: policy, zone: zone)
        var kept: [Date] = []
        for slot in slots {
            kept.append(slot)
            let snapshots = kept.map { Snapshot(id: SnapshotMarker.slotText($0), takenAt: $0) }
            kept = engine.evaluate(snapshots, now: slot).filter(\.keep).map(\.snapshot.takenAt).sorted()
        }
        return (slots, kept)
    }

    @Test func aYearOfTheSeedSchedulesTakesEverySlotOnceAndKeepsWhatRetentionSays() async throws {
        let fixture = try await ControllerFixture.start()
        defer { Task { await fixture.stop() } }
        let store = try StateStore(path: fixture.storePath)
        let clock = SimulatedClock(Self.start)
        var loop = SlotLoop(jobs: fixture.jobs, scheduler: fixture.scheduler(store: store), startedAt: Self.start, now: Self.start)
        let report = try await loop.run(on: clock, until: Self.end)
        #expect(report.errors.isEmpty)

        let created = try store.createdSlots()
        let live = try await fixture.liveSlots()
        var totalSlots = 0
        for job in fixture.jobs {
            let (slots, survivors) = try Self.expected(job)
            totalSlots += slots.count
            #expect(created.filter { $0.scheduler == job.scheduler }.map(\.slot) == slots, "\(job.scheduler)")
            #expect(live[job.driveIDs[0]] ?? [] == survivors, "\(job.scheduler)")
        }
        #expect(report.created == totalSlots)
        #expect(report.created - report.deleted == live.values.map(\.count).reduce(0, +))
        #expect(try store.integrityCheck() == "ok")
        await fixture.stop()
    }
}

@Suite("Controller scheduling across restarts", .serialized)
struct ControllerRestartTests {
    static let start = ControllerSchedulingTests.start

    @Test func aWeekOfHourlySlotsReportsNoErrors() async throws {
        let fixture = try await ControllerFixture.start(only: ["every-hour-evening"])
        defer { Task { await fixture.stop() } }
        let store = try StateStore(path: fixture.storePath)
        var loop = SlotLoop(jobs: fixture.jobs, scheduler: fixture.scheduler(store: store), startedAt: Self.start, now: Self.start)
        let report = try await loop.run(on: SimulatedClock(Self.start), until: Self.start.addingTimeInterval(7 * 86400))
        #expect(report.errors == [])
        #expect(report.created == 28)
        await fixture.stop()
    }
}
