import Foundation
import GRDB
import Testing

@testable import TidemarkController

/// A state file written by an earlier version opens in this one with its history intact.
@Suite("SQLite state store migrations")
struct SQLiteMigrationTests {
    @Test func snapshotsRecordedUnderTheIdKeyMoveToTheSlotKeyIntact() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-migration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        let slot = Date(timeIntervalSince1970: 1_767_229_200)
        do {
            let earlier = try DatabaseQueue(path: path)
            try SQLiteStateStore.migrator.migrate(earlier, upTo: "v3-pending-slots")
            try await earlier.write { db in
                for (index, drive) in ["d1", "d2"].enumerated() {
                    try db.execute(
                        sql:
                            "INSERT INTO slots (scheduler, drive, slot, state, snapshot, updated) VALUES ('hourly', ?, ?, 'created', ?, ?)",
                        arguments: [drive, slot.timeIntervalSince1970, "snap-\(index)", slot.timeIntervalSince1970])
                    try db.execute(
                        sql: "INSERT INTO snapshots (id, drive, scheduler, slot, created, deleted) VALUES (?, ?, 'hourly', ?, ?, ?)",
                        arguments: [
                            "snap-\(index)", drive, slot.timeIntervalSince1970, slot.timeIntervalSince1970,
                            index == 0 ? slot.timeIntervalSince1970 + 60 : nil,
                        ])
                }
            }
            try earlier.close()
        }

        let store = try SQLiteStateStore(path: path)
        #expect(
            try await store.createdSlots() == [
                CreatedSlot(scheduler: "hourly", drive: "d1", slot: slot, snapshot: "snap-0", deleted: slot.addingTimeInterval(60)),
                CreatedSlot(scheduler: "hourly", drive: "d2", slot: slot, snapshot: "snap-1"),
            ])
        let deletedAt = slot.addingTimeInterval(7200)
        try await store.markDeleted(
            [TakenSlot(ScheduledSlot(scheduler: "hourly", drive: "d2", slot: slot), snapshot: "snap-1")], at: deletedAt)
        #expect(try await store.createdSlots().map(\.deleted) == [slot.addingTimeInterval(60), deletedAt])
        #expect(try store.integrityCheck() == "ok")
        let applied = try await store.database.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.last == "v4-snapshots-by-slot")
    }
}
