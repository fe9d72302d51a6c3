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
    static func expected(_ job: ControllerJob, from: Date = start, to: Date = end) throws -> (slots: [Date], survivors: [Date]) {
        let slots = try Schedule(job.schedule).fires(in: from.addingTimeInterval(1)..<to.addingTimeInterval(1))
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

    static let day: TimeInterval = 86400

    /// Runs the fixture's jobs from `from` to `until` as one controller process that started at `from`.
    static func runProcess(_ fixture: ControllerFixture, clock: SimulatedClock, from: Date, until: Date) async throws -> ControllerScheduler.Report {
        clock.advance(to: from)
        let store = try StateStore(path: fixture.storePath)
        var loop = SlotLoop(jobs: fixture.jobs, scheduler: fixture.scheduler(store: store), startedAt: from, now: from)
        return try await loop.run(on: clock, until: until)
    }

    @Test func aStopAndRestartWithoutDowntimeTakesEverySlotOnce() async throws {
        let fixture = try await ControllerFixture.start(only: ["every-hour-evening"])
        defer { Task { await fixture.stop() } }
        let clock = SimulatedClock(Self.start)
        let middle = Self.start.addingTimeInterval(10 * Self.day + 20.5 * 3600), end = Self.start.addingTimeInterval(30 * Self.day)
        let first = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: middle)
        let second = try await Self.runProcess(fixture, clock: clock, from: middle, until: end)
        let expected = try ControllerSchedulingTests.expected(fixture.jobs[0], from: Self.start, to: end)
        let created = try StateStore(path: fixture.storePath).createdSlots().map(\.slot)
        #expect(created == expected.slots)
        #expect(first.created + second.created == expected.slots.count)
        #expect(first.skipped + second.skipped == 0)
        #expect(try await fixture.liveSlots()[fixture.jobs[0].driveIDs[0]] == expected.survivors)
        await fixture.stop()
    }

    @Test func aSnapshotWhoseAnswerWasLostIsFoundNotTakenAgain() async throws {
        let fixture = try await ControllerFixture.start(only: ["every-hour-evening"])
        defer { Task { await fixture.stop() } }
        let job = fixture.jobs[0], drive = job.driveIDs[0]
        let clock = SimulatedClock(Self.start)
        _ = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: Self.start.addingTimeInterval(19 * 3600))
        // The crash: the slot was begun and its snapshot created, but the process died before recording the outcome.
        let slot = Self.start.addingTimeInterval(20 * 3600)
        let store = try StateStore(path: fixture.storePath)
        #expect(try store.begin(scheduler: job.scheduler, drive: drive, slot: slot, at: slot) == nil)
        _ = try await fixture.provider.createSnapshot(driveID: drive, name: SnapshotMarker.name(scheduler: job.scheduler, slot: slot),
                                                      meta: SnapshotMarker.meta(instance: "tidemark", scheduler: job.scheduler, slot: slot))
        let restarted = try await Self.runProcess(fixture, clock: clock, from: slot.addingTimeInterval(60), until: Self.start.addingTimeInterval(Self.day))
        #expect(restarted.recovered == 1)
        #expect(restarted.created == 3)
        let live = try await fixture.provider.snapshots().filter { $0.driveID == drive }
        #expect(live.count == 4)
        #expect(Set(live.map(\.name)).count == 4, "one snapshot per slot")
        await fixture.stop()
    }

    @Test(arguments: [MissedSlots.once, .skip])
    func slotsMissedWhileDownFollowTheMissedPolicy(_ missed: MissedSlots) async throws {
        let base = try await ControllerFixture.start(only: ["every-hour-evening"])
        let fixture = base.withJobs(base.jobs.map { var job = $0; job.missed = missed; return job })
        defer { Task { await fixture.stop() } }
        let clock = SimulatedClock(Self.start)
        _ = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: Self.start.addingTimeInterval(Self.day + 12 * 3600))
        // Down from 2025-01-02 12:00 to 2025-01-03 23:30: eight slots missed, the newest (23:00) 30 minutes ago.
        let back = Self.start.addingTimeInterval(2 * Self.day + 23.5 * 3600)
        let report = try await Self.runProcess(fixture, clock: clock, from: back, until: back.addingTimeInterval(60))
        #expect(report.created == (missed == .once ? 1 : 0))
        #expect(report.skipped == (missed == .once ? 7 : 8))
        let slots = try StateStore(path: fixture.storePath).createdSlots().map(\.slot)
        #expect(slots.count == 4 + (missed == .once ? 1 : 0))
        if missed == .once { #expect(slots.last == Self.start.addingTimeInterval(2 * Self.day + 23 * 3600)) }
        await fixture.stop()
    }
}
