import Foundation
import Logging
import TestSupport
import Testing
import TidemarkController
import TidemarkReconcile

/// One set of promises, kept by both stores: SQLite (one replica) and PostgreSQL (shared by replicas), each real.
@Suite("State store conformance: SQLite and PostgreSQL")
struct StateStoreConformanceTests {
    enum Engine: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }
    }

    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    /// Runs `body` on a fresh store of `engine`; for PostgreSQL, on a fresh server, as replica `a`.
    static func withStore(_ engine: Engine, _ body: (any StateStore, PostgresServer?) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await body(try SQLiteStateStore(path: directory.appendingPathComponent("state.sqlite").path), nil)
        case .postgres:
            try await PostgresServer.with { server in
                let store = try await PostgresStateStore(
                    location: try PostgresLocation(parsing: try await server.createDatabase("conformance"), environment: [:]), replica: "a",
                    logger: Logger(label: "test"))
                defer { store.close() }
                try await body(store, server)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func cursorsOnlyMoveForward(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            #expect(try await store.cursors(scheduler: "nightly")["d1"] == nil)
            try await store.setCursor(scheduler: "nightly", drive: "d1", to: Self.t0.addingTimeInterval(3600))
            try await store.setCursor(scheduler: "nightly", drive: "d1", to: Self.t0)
            #expect(try await store.cursors(scheduler: "nightly")["d1"] == Self.t0.addingTimeInterval(3600))
            #expect(try await store.cursors(scheduler: "nightly")["d2"] == nil)
            try await store.setCursor(scheduler: "nightly", drive: "d2", to: Self.t0)
            try await store.setCursor(scheduler: "hourly", drive: "d3", to: Self.t0)
            #expect(try await store.cursors(scheduler: "nightly") == ["d1": Self.t0.addingTimeInterval(3600), "d2": Self.t0])
        }
    }

    @Test(arguments: Engine.allCases)
    func pendingSlotsAreReadForEveryDriveOfASchedulerInOrder(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            let slots = (1...3).map { Self.t0.addingTimeInterval(Double($0) * 3600) }
            for slot in slots.reversed() { _ = try await store.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot) }
            _ = try await store.begin(scheduler: "nightly", drive: "d2", slot: slots[0], at: slots[0])
            _ = try await store.begin(scheduler: "hourly", drive: "d3", slot: slots[0], at: slots[0])
            try await store.complete(scheduler: "nightly", drive: "d1", slot: slots[1], snapshot: "snap-2", at: slots[1])
            #expect(try await store.pendingSlots(scheduler: "nightly", at: slots[2]) == ["d1": [slots[0], slots[2]], "d2": [slots[0]]])
        }
    }

    @Test(arguments: Engine.allCases)
    func aSlotIsClaimedOnceCompletedOnceAndNeverSkippedAfterwards(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            let slot = Self.t0.addingTimeInterval(7200)
            #expect(try await store.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot) == nil)
            #expect(try await store.pendingSlots(scheduler: "nightly", at: slot)["d1", default: []] == [slot])
            // The same replica asking again (after a crash) finds its own claim pending and finishes it.
            #expect(try await store.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot) == .pending)
            try await store.complete(scheduler: "nightly", drive: "d1", slot: slot, snapshot: "snap-1", at: slot)
            #expect(try await store.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot) == .created)
            try await store.skip(scheduler: "nightly", drive: "d1", slot: slot, at: slot)
            #expect(try await store.pendingSlots(scheduler: "nightly", at: slot)["d1", default: []] == [])
            #expect(try await store.cursors(scheduler: "nightly")["d1"] == slot)
            let created = try await store.createdSlots()
            #expect(created.map(\.snapshot) == ["snap-1"] && created.map(\.slot) == [slot])
            #expect(try await store.newestSlots() == [ScheduledDrive(scheduler: "nightly", drive: "d1"): slot])
            try await store.skip(scheduler: "nightly", drive: "d1", slot: slot.addingTimeInterval(86400), at: slot)
            #expect(try await store.begin(scheduler: "nightly", drive: "d1", slot: slot.addingTimeInterval(86400), at: slot) == .skipped)
        }
    }

    @Test(arguments: Engine.allCases)
    func retentionsDeletionsAreRecordedOnTheirSlotsOnce(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            let slots = (1...3).map { Self.t0.addingTimeInterval(Double($0) * 3600) }
            let taken = slots.enumerated().map {
                TakenSlot(ScheduledSlot(scheduler: "hourly", drive: "d1", slot: $1), snapshot: "snap-\($0)")
            }
            #expect(try await store.begin(taken.map(\.slot), at: slots[0]) == [nil, nil, nil])
            try await store.complete(taken, at: slots[2])
            let deletedAt = slots[2].addingTimeInterval(60)
            try await store.markDeleted(Array(taken.prefix(2)), at: deletedAt)
            try await store.markDeleted([taken[0]], at: deletedAt.addingTimeInterval(3600))
            let created = try await store.createdSlots()
            #expect(created.map(\.snapshot) == ["snap-0", "snap-1", "snap-2"])
            #expect(created.map(\.deleted) == [deletedAt, deletedAt, nil], "the first deletion stands; the kept snapshot has none")
        }
    }

    @Test(arguments: Engine.allCases)
    func aBatchOfClaimsAnswersForEachSlotInOrderAndCompletesThemTogether(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            let slot = Self.t0.addingTimeInterval(3600)
            func nightly(_ drive: String, _ at: Date = slot) -> ScheduledSlot {
                ScheduledSlot(scheduler: "nightly", drive: drive, slot: at)
            }
            #expect(try await store.begin(scheduler: "nightly", drive: "taken", slot: slot, at: slot) == nil)
            try await store.complete(scheduler: "nightly", drive: "taken", slot: slot, snapshot: "snap-taken", at: slot)
            #expect(try await store.begin(scheduler: "nightly", drive: "claimed", slot: slot, at: slot) == nil)
            try await store.skip(scheduler: "nightly", drive: "late", slot: slot, at: slot)
            let batch = [nightly("new-1"), nightly("taken"), nightly("claimed"), nightly("late"), nightly("new-2")]
            #expect(try await store.begin(batch, at: slot) == [nil, .created, .pending, .skipped, nil])
            #expect(try await store.pendingSlots(scheduler: "nightly", at: slot) == ["claimed": [slot], "new-1": [slot], "new-2": [slot]])

            let taken = ["new-1", "claimed", "new-2"].map { TakenSlot(nightly($0), snapshot: "snap-\($0)") }
            #expect(try await store.complete(taken, at: slot) == [true, true, true])
            #expect(try await store.pendingSlots(scheduler: "nightly", at: slot) == [:])
            #expect(Set(try await store.createdSlots().map(\.snapshot)) == ["snap-taken", "snap-new-1", "snap-claimed", "snap-new-2"])
            #expect(try await store.cursors(scheduler: "nightly") == ["taken": slot, "new-1": slot, "claimed": slot, "new-2": slot])

            try await store.moveCursors(to: [nightly("late", slot.addingTimeInterval(3600)), nightly("new-1", Self.t0)])
            #expect(try await store.cursors(scheduler: "nightly")["late"] == slot.addingTimeInterval(3600))
            #expect(try await store.cursors(scheduler: "nightly")["new-1"] == slot, "a cursor never moves back")
        }
    }

    @Test(arguments: Engine.allCases)
    func cyclesAndTheLastGoodCommit(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            #expect(try await store.lastGoodCommit() == nil)
            try await store.record(
                CycleRecord(
                    commit: "c1", started: Self.t0, finished: Self.t0, outcome: .applied,
                    actions: [ActionRecord(target: "zrh", kind: "create", object: "scheduler nightly", error: nil)]))
            try await store.record(
                CycleRecord(commit: "c2", started: Self.t0, finished: Self.t0, outcome: .failed, message: "target zrh: HTTP 500"))
            try await store.record(CycleRecord(commit: "c3", started: Self.t0, finished: Self.t0, outcome: .invalid, message: "bad"))
            #expect(try await store.lastGoodCommit() == "c1")
            try await store.record(CycleRecord(commit: "c4", started: Self.t0, finished: Self.t0, outcome: .unchanged))
            #expect(try await store.lastGoodCommit() == "c4")
            try await store.recordDrift(target: "zrh", action: "update scheduler nightly", outcome: "corrected", at: Self.t0)
        }
    }

    @Test(arguments: Engine.allCases)
    func theJournalHandsBackUnansweredRequestsOnce(_ engine: Engine) async throws {
        try await Self.withStore(engine) { store, _ in
            let action = try JSONDecoder().decode(
                PlannedAction.self,
                from: Data(#"{"kind": "create", "resource": "scheduler", "name": "nightly", "changes": [], "wire": [], "impact": []}"#.utf8)
            )
            let answered = try await store.begin(target: "zrh", action: action)
            try await store.finish(answered, error: nil)
            _ = try await store.begin(target: "zrh", action: action)
            let inFlight = try await store.takeInFlightRequests()
            #expect(inFlight.map(\.target) == ["zrh"] && inFlight.map(\.object) == ["scheduler nightly"])
            #expect(try await store.takeInFlightRequests().isEmpty)
        }
    }

    /// Two replicas on one database: a slot another replica claimed is not this one's to take, skip or complete
    /// while the claim is younger than the grace (its claimant renews it by asking again); once it expired (the
    /// claimant died or gave the target up) the other takes it over, and the late claimant's completion is refused.
    @Test func aSlotClaimIsOnlyTakenOverOnceItExpired() async throws {
        try await PostgresServer.with { server in
            let location = try PostgresLocation(parsing: try await server.createDatabase("replicas"), environment: [:])
            let logger = Logger(label: "test")
            let a = try await PostgresStateStore(location: location, replica: "a", claimGrace: 300, logger: logger)
            let b = try await PostgresStateStore(location: location, replica: "b", claimGrace: 300, logger: logger)
            defer {
                a.close()
                b.close()
            }
            let slot = Self.t0
            #expect(try await a.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot) == nil)
            #expect(try await b.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot.addingTimeInterval(10)) == .claimedElsewhere)
            #expect(try await b.pendingSlots(scheduler: "nightly", at: slot.addingTimeInterval(10))["d1", default: []] == [])
            try await b.skip(scheduler: "nightly", drive: "d1", slot: slot, at: slot.addingTimeInterval(10))
            // The claimant renews its claim; the grace counts from then.
            #expect(try await a.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot.addingTimeInterval(200)) == .pending)
            #expect(try await b.begin(scheduler: "nightly", drive: "d1", slot: slot, at: slot.addingTimeInterval(400)) == .claimedElsewhere)
            let expired = slot.addingTimeInterval(501)
            #expect(try await b.pendingSlots(scheduler: "nightly", at: expired)["d1", default: []] == [slot])
            #expect(try await b.begin(scheduler: "nightly", drive: "d1", slot: slot, at: expired) == .pending)
            #expect(try await a.begin(scheduler: "nightly", drive: "d1", slot: slot, at: expired) == .claimedElsewhere)
            #expect(try await !a.complete(scheduler: "nightly", drive: "d1", slot: slot, snapshot: "snap-a", at: expired))
            #expect(try await b.complete(scheduler: "nightly", drive: "d1", slot: slot, snapshot: "snap-b", at: expired))
            #expect(try await a.begin(scheduler: "nightly", drive: "d1", slot: slot, at: expired) == .created)
            #expect(try await a.createdSlots().map(\.snapshot) == ["snap-b"])
        }
    }

    /// A server that stops answering (frozen: sessions open, nothing comes back) fails each operation after the
    /// operation timeout instead of holding the controller for ever; once it answers again, so does the store.
    @Test func anUnansweredOperationFailsAfterItsTimeoutAndTheStoreRecovers() async throws {
        try await PostgresServer.with { server in
            let location = try PostgresLocation(parsing: try await server.createDatabase("frozen"), environment: [:])
            let store = try await PostgresStateStore(location: location, replica: "a", operationTimeout: 1, logger: Logger(label: "test"))
            defer { store.close() }
            try await store.setCursor(scheduler: "nightly", drive: "d1", to: Self.t0)
            try await server.pause()
            let started = Date()
            await #expect(throws: PostgresStateStore.OperationTimedOut.self) {
                try await store.begin(scheduler: "nightly", drive: "d1", slot: Self.t0, at: Self.t0)
            }
            #expect(Date().timeIntervalSince(started) < 3, "failed after the timeout, not never")
            try await server.resume()
            var answered: Date?
            for _ in 0..<50 where answered == nil {
                answered = try? await store.cursors(scheduler: "nightly")["d1"]
                if answered == nil { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(answered == Self.t0, "the store answers again once the server does")
        }
    }

    @Test func aPostgresLocationNeverCarriesOrPrintsAPassword() throws {
        let location = try PostgresLocation(
            parsing: "postgres://tidemark@db.internal:6432/state?sslmode=require",
            environment: ["TIDEMARK_STATE_PASSWORD": TestCredentials.neverPrinted])
        #expect(location.description == "postgres://tidemark@db.internal:6432/state?sslmode=require")
        let withPassword = #expect(throws: PostgresLocation.Invalid.self) {
            try PostgresLocation(parsing: "postgres://tidemark:\(TestCredentials.inRefusedStateURL)@db/state", environment: [:])
        }
        #expect(withPassword?.description.contains(TestCredentials.inRefusedStateURL) == false)
        #expect(withPassword?.description.contains("TIDEMARK_STATE_PASSWORD") == true)
        let badMode = #expect(throws: PostgresLocation.Invalid.self) {
            try PostgresLocation(parsing: "postgres://tidemark@db/state?sslmode=verify-full", environment: [:])
        }
        #expect(badMode?.description == "sslmode 'verify-full' is not one of disable, prefer, require")
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(parsing: "postgres://tidemark@db/", environment: [:]) }
    }
}
