import Foundation
import GRDB
import TidemarkReconcile

/// The apply journal: one row per mutating request, `sent` before it goes out and `done` or `failed` after.
extension SQLiteStateStore {
    public func begin(target: String, action: PlannedAction) async throws -> Int64 {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO journal (target, kind, object, started, outcome) VALUES (?, ?, ?, ?, 'sent')",
                arguments: [target, action.kind.rawValue, action.subject, Date().timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func finish(_ entry: Int64, error: String?) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE journal SET finished = ?, outcome = ?, error = ? WHERE id = ?",
                arguments: [Date().timeIntervalSince1970, error == nil ? "done" : "failed", error, entry])
        }
    }

    /// The requests an earlier run sent without recording their answer, now marked `interrupted`: the caller reports
    /// them, and the next plan, made from the live state, accounts for whatever they did.
    public func takeInFlightRequests() async throws -> [InFlightRequest] {
        try await database.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT target, kind, object, started FROM journal WHERE outcome = 'sent' ORDER BY id")
            try db.execute(sql: "UPDATE journal SET outcome = 'interrupted' WHERE outcome = 'sent'")
            return rows.map { row in
                InFlightRequest(
                    target: row["target"], kind: row["kind"], object: row["object"],
                    started: Date(timeIntervalSince1970: row["started"]))
            }
        }
    }
}
