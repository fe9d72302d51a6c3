import Foundation
import Logging
import Testing
import TidemarkController
import TidemarkEmulator
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile
import TidemarkSchedule

@Suite("Controller scheduling: snapshots at their slots, retention, exactly once", .serialized)
struct ControllerSchedulingTests {
    static let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z
    static let end = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

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
        let store = try SQLiteStateStore(path: fixture.storePath)
        let clock = SimulatedClock(Self.start)
        var loop = SlotLoop(jobs: fixture.jobs, scheduler: fixture.scheduler(store: store), startedAt: Self.start, now: Self.start)
        let report = try await loop.run(on: clock, until: Self.end)
        #expect(report.errors.isEmpty)

        let created = try await store.createdSlots()
        let live = try await fixture.liveSlots()
        var totalSlots = 0
        for job in fixture.jobs {
            let (slots, survivors) = try Self.expected(job)
            totalSlots += slots.count
            #expect(created.filter { $0.scheduler == job.scheduler }.map(\.slot) == slots, "\(job.scheduler)")
            #expect(live[job.driveIDs[0]] ?? [] == survivors, "\(job.scheduler)")
            #expect(created.filter { $0.scheduler == job.scheduler && $0.deleted == nil }.map(\.slot) == survivors, "\(job.scheduler)")
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
    static func runProcess(_ fixture: ControllerFixture, clock: SimulatedClock, from: Date, until: Date) async throws
        -> ControllerScheduler.Report
    {
        clock.advance(to: from)
        let store = try SQLiteStateStore(path: fixture.storePath)
        var loop = SlotLoop(jobs: fixture.jobs, scheduler: fixture.scheduler(store: store), startedAt: from, now: from)
        return try await loop.run(on: clock, until: until)
    }

    @Test func aStopAndRestartWithoutDowntimeTakesEverySlotOnce() async throws {
        let fixture = try await ControllerFixture.start(only: ["every-hour-evening"])
        defer { Task { await fixture.stop() } }
        let clock = SimulatedClock(Self.start)
        let middle = Self.start.addingTimeInterval(10 * Self.day + 20.5 * 3600)
        let end = Self.start.addingTimeInterval(30 * Self.day)
        let first = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: middle)
        let second = try await Self.runProcess(fixture, clock: clock, from: middle, until: end)
        let expected = try ControllerSchedulingTests.expected(fixture.jobs[0], from: Self.start, to: end)
        let created = try await SQLiteStateStore(path: fixture.storePath).createdSlots().map(\.slot)
        #expect(created == expected.slots)
        #expect(first.created + second.created == expected.slots.count)
        #expect(first.skipped + second.skipped == 0)
        #expect(try await fixture.liveSlots()[fixture.jobs[0].driveIDs[0]] == expected.survivors)
        await fixture.stop()
    }

    @Test func aSnapshotWhoseAnswerWasLostIsFoundNotTakenAgain() async throws {
        let fixture = try await ControllerFixture.start(only: ["every-hour-evening"])
        defer { Task { await fixture.stop() } }
        let job = fixture.jobs[0]
        let drive = job.driveIDs[0]
        let clock = SimulatedClock(Self.start)
        _ = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: Self.start.addingTimeInterval(19 * 3600))
        // The crash: the slot was begun and its snapshot created, but the process died before recording the outcome.
        let slot = Self.start.addingTimeInterval(20 * 3600)
        let store = try SQLiteStateStore(path: fixture.storePath)
        #expect(try await store.begin(scheduler: job.scheduler, drive: drive, slot: slot, at: slot) == nil)
        _ = try await fixture.provider.createSnapshot(
            driveID: drive, name: SnapshotMarker.name(scheduler: job.scheduler, slot: slot),
            meta: SnapshotMarker.meta(instance: "tidemark", scheduler: job.scheduler, slot: slot))
        let restarted = try await Self.runProcess(
            fixture, clock: clock, from: slot.addingTimeInterval(60), until: Self.start.addingTimeInterval(Self.day))
        #expect(restarted.recovered == 1)
        #expect(restarted.created == 3)
        let live = try await fixture.provider.snapshots().filter { $0.driveID == drive }
        #expect(live.count == 4)
        #expect(Set(live.map(\.name)).count == 4, "one snapshot per slot")
        await fixture.stop()
    }

    @Test func unfinishedClaimsOfManyDrivesAreResolvedWithOneListing() async throws {
        let base = try await ControllerFixture.start()
        defer { Task { await base.stop() } }
        var job = try #require(base.jobs.first { $0.scheduler == "every-hour-evening" })
        job.driveIDs = base.jobs.flatMap(\.driveIDs)
        let fixture = base.withJobs([job])
        let store = try SQLiteStateStore(path: fixture.storePath)
        let scheduler = fixture.scheduler(store: store)
        let first = Self.start.addingTimeInterval(20 * 3600)
        let startedAt = first.addingTimeInterval(-60)
        _ = await scheduler.run([job], now: startedAt, startedAt: startedAt)
        #expect(await scheduler.run([job], now: first.addingTimeInterval(1), startedAt: startedAt).created == job.driveIDs.count)
        // Answers lost within one process: every drive's next slot begun and its snapshot made after the kept listing.
        let second = first.addingTimeInterval(3600)
        for drive in job.driveIDs {
            #expect(try await store.begin(scheduler: job.scheduler, drive: drive, slot: second, at: second) == nil)
            _ = try await fixture.provider.createSnapshot(
                driveID: drive, name: SnapshotMarker.name(scheduler: job.scheduler, slot: second),
                meta: SnapshotMarker.meta(instance: "tidemark", scheduler: job.scheduler, slot: second))
        }
        func listings() -> Int { fixture.emulator.requests.all.count { $0.method == "GET" && $0.path.hasSuffix("/snapshots/detail/") } }
        let before = listings()
        let report = await scheduler.run([job], now: second.addingTimeInterval(1), startedAt: startedAt)
        #expect(report.recovered == job.driveIDs.count)
        #expect(report.created == 0)
        #expect(listings() - before == 1, "one listing again for all the drives' unfinished claims")
        let live = try await fixture.provider.snapshots().filter { $0.name == SnapshotMarker.name(scheduler: job.scheduler, slot: second) }
        #expect(live.count == job.driveIDs.count, "one snapshot per drive and slot")
        await fixture.stop()
    }

    @Test(arguments: [MissedSlots.once, .skip])
    func slotsMissedWhileDownFollowTheMissedPolicy(_ missed: MissedSlots) async throws {
        let base = try await ControllerFixture.start(only: ["every-hour-evening"])
        let fixture = base.withJobs(
            base.jobs.map {
                var job = $0
                job.missed = missed
                return job
            })
        defer { Task { await fixture.stop() } }
        let clock = SimulatedClock(Self.start)
        _ = try await Self.runProcess(fixture, clock: clock, from: Self.start, until: Self.start.addingTimeInterval(Self.day + 12 * 3600))
        // Down from 2025-01-02 12:00 to 2025-01-03 23:30: eight slots missed, the newest (23:00) 30 minutes ago.
        let back = Self.start.addingTimeInterval(2 * Self.day + 23.5 * 3600)
        let report = try await Self.runProcess(fixture, clock: clock, from: back, until: back.addingTimeInterval(60))
        #expect(report.created == (missed == .once ? 1 : 0))
        #expect(report.skipped == (missed == .once ? 7 : 8))
        let slots = try await SQLiteStateStore(path: fixture.storePath).createdSlots().map(\.slot)
        #expect(slots.count == 4 + (missed == .once ? 1 : 0))
        if missed == .once { #expect(slots.last == Self.start.addingTimeInterval(2 * Self.day + 23 * 3600)) }
        await fixture.stop()
    }
}

@Suite("missed: once whatever the timing")
struct MissedOnceTimingTests {
    /// A process started on a clock 60 times faster than real time, just before a slot of an every-minute schedule;
    /// its first catch-up comes after that slot. It takes the newest slot missed while down and the slots on time.
    @Test func aSlotDueBeforeTheFirstCatchUpDoesNotCostTheMissedSlot() async throws {
        let base = try await ControllerFixture.start(only: ["every-hour-evening"])
        let everyMinute = ScheduleSpec(timezone: "UTC", rule: .cron(try CronExpression(parsing: "* * * * *")))
        let fixture = base.withJobs(
            base.jobs.map {
                var job = $0
                job.schedule = everyMinute
                job.missed = .once
                job.startingDeadline = 3600
                return job
            })
        defer { Task { await fixture.stop() } }
        let clock = ScaledClock(epoch: Date(), speed: 60)
        let store = try SQLiteStateStore(path: fixture.storePath)
        // An earlier process ran until ten minutes before this one starts.
        let scheduler = fixture.scheduler(store: store)
        let down = clock.now().addingTimeInterval(-600)
        _ = await scheduler.run(fixture.jobs, now: down, startedAt: down)
        let startedAt = clock.now()
        let loop = SlotLoop(jobs: fixture.jobs, scheduler: scheduler, startedAt: startedAt, now: startedAt)
        try await Task.sleep(for: .milliseconds(1500))
        let firstCatchUp = clock.now()
        let report = await loop.catchUp(at: firstCatchUp)

        let schedule = try Schedule(everyMinute)
        let missed = try #require(schedule.fires(in: down.addingTimeInterval(1)..<startedAt).last)
        let onTime = schedule.fires(in: startedAt..<firstCatchUp.addingTimeInterval(1))
        #expect(!onTime.isEmpty, "a slot came due between the start and the first catch-up")
        #expect(report.errors.isEmpty)
        #expect(report.created == 1 + onTime.count)
        #expect(try await store.createdSlots().map(\.slot) == [missed] + onTime)
    }
}

@Suite("The controller loop with simulated time", .serialized)
struct ControllerLoopTests {
    @Test func aLocationWithoutNativeSchedulersGetsItsSnapshotsFromTheController() async throws {
        let drives = [
            EmulatorFixture.Drive(uuid: "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", name: "db-main"),
            EmulatorFixture.Drive(uuid: "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93", name: "web-1"),
        ]
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: EmulatorFixture(drives: drives), backupSchedulersEnabled: false))
        let loaded = try PolicyLoader(providers: ProviderRegistry.documentRules).load(
            path: ControllerFixture.repositoryRoot.appendingPathComponent("policies").path)
        var policies = loaded.policies
        policies.targets[0].spec.endpoint = emulator.baseURL
        let source = SourceSnapshot(policies: policies, commit: "c0ffee", errors: [])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let start = ControllerSchedulingTests.start
        let end = start.addingTimeInterval(14 * 86400)
        let clock = SimulatedClock(start)
        let provider = CloudSigmaProvider(
            target: "local", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: CurlTransport())
        let controller = Controller(
            configuration: .init(instance: "tidemark", interval: 3600, driftInterval: 3600),
            source: { source }, makeProvider: { _ in provider }, store: store, clock: clock, logger: Logger(label: "test"))
        await controller.run(until: end)

        let status = await controller.status
        #expect(status.ready)
        #expect(status.commit == "c0ffee")
        #expect(status.schedulers.allSatisfy { $0.mode == .controller })
        let sfg = try #require(status.schedulers.first { $0.name == "sfg" })
        #expect(sfg.drives.map(\.drive) == ["4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11"])
        #expect(sfg.drives.allSatisfy { !$0.stale })
        #expect(sfg.nextFires.count == 3)

        let document = try #require(policies.scheduler(named: "sfg"))
        let job = ControllerJob(
            scheduler: "sfg", target: "local", schedule: document.spec.schedule,
            retention: policies.resolve(document.spec.retention), driveIDs: ["4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11"])
        let expected = try ControllerSchedulingTests.expected(job, from: start, to: end)
        let taken = try await store.createdSlots().filter { $0.scheduler == "sfg" }.map(\.slot)
        #expect(taken == expected.slots)
        let live = try await provider.snapshots().filter { $0.meta[SnapshotMarker.schedulerKey] == "sfg" }
        #expect(live.compactMap { $0.meta[SnapshotMarker.slotKey].flatMap(SnapshotMarker.slot(from:)) }.sorted() == expected.survivors)
        #expect(
            try await provider.snapshots().allSatisfy { $0.driveID != "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93" }, "web-1 is bound to nothing")
        await emulator.stop()
    }
}
