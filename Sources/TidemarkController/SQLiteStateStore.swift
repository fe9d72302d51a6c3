import Foundation
import GRDB

/// The controller's memory in one SQLite file (WAL, synchronous FULL): applied commits, actions, fired slots,
/// the snapshots it created, drift events and the apply journal. Every write is atomic, so a `kill -9` at any point
/// leaves either the state before or the state after it; the slot writes of concurrent drives share transactions
/// (`GroupCommit`), each reported done only once committed.
public final class SQLiteStateStore: StateStore {
    let database: DatabasePool
    private let groups: GroupCommit

    /// Opens (creating and migrating) the store at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        // Another connection to the file (a store being closed, which checkpoints its WAL, or a second tidemark
        // command) may hold the lock for a moment: wait for it rather than fail.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabasePool(path: path, configuration: configuration)
        groups = GroupCommit(database)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE cycles (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, commit_id TEXT, started REAL NOT NULL, finished REAL NOT NULL,
                        outcome TEXT NOT NULL, actions INTEGER NOT NULL, failed INTEGER NOT NULL, message TEXT);
                    CREATE TABLE actions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, cycle INTEGER NOT NULL REFERENCES cycles(id), target TEXT NOT NULL,
                        kind TEXT NOT NULL, object TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT);
                    CREATE TABLE cursors (
                        scheduler TEXT NOT NULL, drive TEXT NOT NULL, last_slot REAL NOT NULL, PRIMARY KEY (scheduler, drive));
                    CREATE TABLE slots (
                        scheduler TEXT NOT NULL, drive TEXT NOT NULL, slot REAL NOT NULL, state TEXT NOT NULL,
                        snapshot TEXT, updated REAL NOT NULL, PRIMARY KEY (scheduler, drive, slot));
                    CREATE TABLE snapshots (
                        id TEXT PRIMARY KEY, drive TEXT NOT NULL, scheduler TEXT NOT NULL, slot REAL NOT NULL,
                        created REAL NOT NULL, deleted REAL);
                    CREATE TABLE drift (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, target TEXT NOT NULL, action TEXT NOT NULL,
                        outcome TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v2-apply-journal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE journal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, kind TEXT NOT NULL, object TEXT NOT NULL,
                        started REAL NOT NULL, finished REAL, outcome TEXT NOT NULL, error TEXT);
                    CREATE INDEX journal_unfinished ON journal(outcome) WHERE outcome = 'sent';
                    """)
        }
        migrator.registerMigration("v3-pending-slots") { db in
            try db.execute(sql: "CREATE INDEX slots_pending ON slots(scheduler, drive, slot) WHERE state = 'pending'")
        }
        // Keyed by slot, a snapshot's row lands beside the previous one's instead of at a random place in an index of
        // random ids: 3.5 instead of 7–10 KB written per slot (Benchmarks/slot_writes.py).
        migrator.registerMigration("v4-snapshots-by-slot") { db in
            try db.execute(
                sql: """
                    CREATE TABLE snapshots_by_slot (
                        scheduler TEXT NOT NULL, drive TEXT NOT NULL, slot REAL NOT NULL, id TEXT NOT NULL,
                        created REAL NOT NULL, deleted REAL, PRIMARY KEY (scheduler, drive, slot, id)) WITHOUT ROWID;
                    INSERT INTO snapshots_by_slot (scheduler, drive, slot, id, created, deleted)
                        SELECT scheduler, drive, slot, id, created, deleted FROM snapshots;
                    DROP TABLE snapshots;
                    ALTER TABLE snapshots_by_slot RENAME TO snapshots;
                    """)
        }
        return migrator
    }

    // MARK: Controller scheduling (statements cached: they run for every drive of every slot)

    public func cursors(scheduler: String) async throws -> [String: Date] {
        try await database.read { db in
            var cursors: [String: Date] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT drive, last_slot FROM cursors WHERE scheduler = ?"), arguments: [scheduler])
            while let row = try rows.next() { cursors[row[0]] = Date(timeIntervalSince1970: row[1]) }
            return cursors
        }
    }

    public func moveCursors(to slots: [ScheduledSlot]) async throws {
        try await groups.write { db in
            for slot in slots { try Self.moveCursor(db, scheduler: slot.scheduler, drive: slot.drive, to: slot.slot) }
        }
    }

    /// Moves a cursor forward, never back.
    private static func moveCursor(_ db: Database, scheduler: String, drive: String, to slot: Date) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO cursors (scheduler, drive, last_slot) VALUES (?, ?, ?)
                ON CONFLICT (scheduler, drive) DO UPDATE SET last_slot = max(last_slot, excluded.last_slot)
                """
        ).execute(arguments: [scheduler, drive, slot.timeIntervalSince1970])
    }

    /// Records the intent to take slots before their requests are sent, in one transaction; returns the state each
    /// already had, if any.
    public func begin(_ slots: [ScheduledSlot], at now: Date) async throws -> [SlotState?] {
        try await groups.write { db in
            var claimed = Set<ScheduledSlot>()
            for rows in Self.rows(of: slots) {
                let claim = try db.cachedStatement(sql: Self.claimSQL[rows.count])
                var arguments = StatementArguments()
                for slot in rows { arguments += [slot.scheduler, slot.drive, slot.slot.timeIntervalSince1970, now.timeIntervalSince1970] }
                let inserted = try Row.fetchCursor(claim, arguments: arguments)
                while let row = try inserted.next() {
                    claimed.insert(ScheduledSlot(scheduler: row[0], drive: row[1], slot: Date(timeIntervalSince1970: row[2])))
                }
            }
            let existing = try db.cachedStatement(sql: "SELECT state FROM slots WHERE scheduler = ? AND drive = ? AND slot = ?")
            return try slots.map { slot -> SlotState? in
                // Claimed now, and only once: the same slot twice in one batch finds its own claim the second time.
                if claimed.remove(slot) != nil { return nil }
                return try String.fetchOne(existing, arguments: [slot.scheduler, slot.drive, slot.slot.timeIntervalSince1970])
                    .flatMap(SlotState.init(rawValue:))
            }
        }
    }

    /// Marks slots taken by their snapshots, records the snapshots and moves the cursors, in one transaction.
    public func complete(_ slots: [TakenSlot], at now: Date) async throws -> [Bool] {
        try await groups.write { db in
            for rows in Self.rows(of: slots) {
                var slotArguments = StatementArguments()
                var snapshotArguments = StatementArguments()
                var cursorArguments = StatementArguments()
                for taken in rows {
                    let slot = taken.slot
                    let instant = slot.slot.timeIntervalSince1970
                    slotArguments += [slot.scheduler, slot.drive, instant, taken.snapshot, now.timeIntervalSince1970]
                    snapshotArguments += [taken.snapshot, slot.drive, slot.scheduler, instant, now.timeIntervalSince1970]
                    cursorArguments += [slot.scheduler, slot.drive, instant]
                }
                try db.cachedStatement(sql: Self.completeSQL[rows.count]).execute(arguments: slotArguments)
                try db.cachedStatement(sql: Self.recordSnapshotSQL[rows.count]).execute(arguments: snapshotArguments)
                try db.cachedStatement(sql: Self.moveCursorSQL[rows.count]).execute(arguments: cursorArguments)
            }
            return slots.map { _ in true }
        }
    }

    /// A batch's rows in groups of at most 32, one multi-row statement each: per statement, SQLite and GRDB have a
    /// cost of their own that one row per statement would pay 32 times.
    private static func rows<Element>(of elements: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: elements.count, by: 32).map { elements[$0..<min($0 + 32, elements.count)] }
    }

    /// The multi-row statements for 0…32 rows, built once: their text is also the statement cache's key.
    private static func byRowCount(_ row: String, _ statement: (String) -> String) -> [String] {
        (0...32).map { statement(repeatElement(row, count: $0).joined(separator: ", ")) }
    }

    private static let claimSQL = byRowCount("(?, ?, ?, 'pending', ?)") {
        """
        INSERT INTO slots (scheduler, drive, slot, state, updated) VALUES \($0)
        ON CONFLICT (scheduler, drive, slot) DO NOTHING RETURNING scheduler, drive, slot
        """
    }

    private static let completeSQL = byRowCount("(?, ?, ?, 'created', ?, ?)") {
        """
        INSERT INTO slots (scheduler, drive, slot, state, snapshot, updated) VALUES \($0)
        ON CONFLICT (scheduler, drive, slot) DO UPDATE SET state = 'created', snapshot = excluded.snapshot, updated = excluded.updated
        """
    }

    private static let recordSnapshotSQL = byRowCount("(?, ?, ?, ?, ?)") {
        "INSERT OR IGNORE INTO snapshots (id, drive, scheduler, slot, created) VALUES \($0)"
    }

    private static let moveCursorSQL = byRowCount("(?, ?, ?)") {
        """
        INSERT INTO cursors (scheduler, drive, last_slot) VALUES \($0)
        ON CONFLICT (scheduler, drive) DO UPDATE SET last_slot = max(last_slot, excluded.last_slot)
        """
    }

    /// Marks slots skipped (missed while down, or past their deadline) unless taken.
    public func skip(_ slots: [ScheduledSlot], at now: Date) async throws {
        try await groups.write { db in
            let skip = try db.cachedStatement(
                sql: """
                    INSERT INTO slots (scheduler, drive, slot, state, updated) VALUES (?, ?, ?, 'skipped', ?)
                    ON CONFLICT (scheduler, drive, slot) DO UPDATE SET state = 'skipped', updated = excluded.updated
                    WHERE state <> 'created'
                    """)
            for slot in slots {
                try skip.execute(arguments: [slot.scheduler, slot.drive, slot.slot.timeIntervalSince1970, now.timeIntervalSince1970])
            }
        }
    }

    /// Slots begun but not finished: a crash came between the intent and the outcome.
    public func pendingSlots(scheduler: String, at now: Date) async throws -> [String: [Date]] {
        try await database.read { db in
            var pending: [String: [Date]] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT drive, slot FROM slots WHERE scheduler = ? AND state = 'pending' ORDER BY drive, slot"),
                arguments: [scheduler])
            while let row = try rows.next() { pending[row[0], default: []].append(Date(timeIntervalSince1970: row[1])) }
            return pending
        }
    }

    public func markDeleted(_ snapshots: [TakenSlot], at now: Date) async throws {
        try await groups.write { db in
            let mark = try db.cachedStatement(
                sql: "UPDATE snapshots SET deleted = ? WHERE scheduler = ? AND drive = ? AND slot = ? AND id = ? AND deleted IS NULL")
            for taken in snapshots {
                let slot = taken.slot
                try mark.execute(
                    arguments: [now.timeIntervalSince1970, slot.scheduler, slot.drive, slot.slot.timeIntervalSince1970, taken.snapshot])
            }
        }
    }

    /// Slots taken, per scheduler and drive, with when retention deleted their snapshot.
    public func createdSlots() async throws -> [CreatedSlot] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT slots.scheduler, slots.drive, slots.slot, slots.snapshot, snapshots.deleted FROM slots
                    LEFT JOIN snapshots ON (snapshots.scheduler, snapshots.drive, snapshots.slot, snapshots.id)
                        = (slots.scheduler, slots.drive, slots.slot, slots.snapshot)
                    WHERE slots.state = 'created' ORDER BY slots.scheduler, slots.drive, slots.slot
                    """
            )
            .map { row in
                CreatedSlot(
                    scheduler: row[0], drive: row[1], slot: Date(timeIntervalSince1970: row[2]), snapshot: row[3],
                    deleted: (row[4] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// The newest slot taken per scheduler and drive, keyed `scheduler|drive`: one grouped query over the slots' key.
    public func newestSlots() async throws -> [ScheduledDrive: Date] {
        try await database.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT scheduler, drive, max(slot) AS newest FROM slots WHERE state = 'created' GROUP BY scheduler, drive")
            return Dictionary(
                uniqueKeysWithValues: rows.map { row -> (ScheduledDrive, Date) in
                    (ScheduledDrive(scheduler: row["scheduler"], drive: row["drive"]), Date(timeIntervalSince1970: row["newest"]))
                })
        }
    }

    // MARK: Reconcile cycles

    public func record(_ cycle: CycleRecord) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO cycles (commit_id, started, finished, outcome, actions, failed, message) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    cycle.commit, cycle.started.timeIntervalSince1970, cycle.finished.timeIntervalSince1970, cycle.outcome.rawValue,
                    cycle.actions.count, cycle.actions.count { $0.error != nil }, cycle.message,
                ])
            let id = db.lastInsertedRowID
            for action in cycle.actions {
                try db.execute(
                    sql: "INSERT INTO actions (cycle, target, kind, object, outcome, error) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, action.target, action.kind, action.object, action.error == nil ? "ok" : "failed", action.error])
            }
        }
    }

    /// The commit of the newest cycle that applied (or found nothing to apply) without failures.
    public func lastGoodCommit() async throws -> String? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT commit_id FROM cycles WHERE outcome IN ('applied', 'unchanged') ORDER BY id DESC LIMIT 1")
        }
    }

    public func recordDrift(target: String, action: String, outcome: String, at now: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO drift (at, target, action, outcome) VALUES (?, ?, ?, ?)",
                arguments: [now.timeIntervalSince1970, target, action, outcome])
        }
    }

    /// `PRAGMA integrity_check`: "ok" for an intact file.
    public func integrityCheck() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}
