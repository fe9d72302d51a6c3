import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, in versions applied once each, in order, in one transaction under an advisory lock, so
/// replicas that start together do not race.
enum PostgresMigrations {
    /// Each version's statements (one statement per query, as the extended protocol requires).
    static let versions: [(name: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE cycles (
                    id BIGSERIAL PRIMARY KEY, commit_id TEXT, started DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION NOT NULL,
                    outcome TEXT NOT NULL, actions INTEGER NOT NULL, failed INTEGER NOT NULL, message TEXT, replica TEXT)
                """,
                """
                CREATE TABLE actions (
                    id BIGSERIAL PRIMARY KEY, cycle BIGINT NOT NULL REFERENCES cycles(id), target TEXT NOT NULL, kind TEXT NOT NULL,
                    object TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT)
                """,
                """
                CREATE TABLE cursors (
                    scheduler TEXT NOT NULL, drive TEXT NOT NULL, last_slot DOUBLE PRECISION NOT NULL, PRIMARY KEY (scheduler, drive))
                """,
                """
                CREATE TABLE slots (
                    scheduler TEXT NOT NULL, drive TEXT NOT NULL, slot DOUBLE PRECISION NOT NULL, state TEXT NOT NULL, snapshot TEXT,
                    updated DOUBLE PRECISION NOT NULL, owner TEXT, PRIMARY KEY (scheduler, drive, slot))
                """,
                """
                CREATE TABLE snapshots (
                    id TEXT PRIMARY KEY, drive TEXT NOT NULL, scheduler TEXT NOT NULL, slot DOUBLE PRECISION NOT NULL,
                    created DOUBLE PRECISION NOT NULL, deleted DOUBLE PRECISION)
                """,
                """
                CREATE TABLE drift (
                    id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, target TEXT NOT NULL, action TEXT NOT NULL,
                    outcome TEXT NOT NULL)
                """,
                """
                CREATE TABLE journal (
                    id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, object TEXT NOT NULL,
                    started DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION, outcome TEXT NOT NULL, error TEXT, replica TEXT)
                """,
                "CREATE INDEX journal_unfinished ON journal(outcome) WHERE outcome = 'sent'",
                """
                CREATE TABLE replicas (
                    id TEXT PRIMARY KEY, address TEXT NOT NULL, started DOUBLE PRECISION NOT NULL, seen DOUBLE PRECISION NOT NULL,
                    pid INTEGER NOT NULL)
                """,
                """
                CREATE TABLE holds (
                    id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, replica TEXT NOT NULL, acquired DOUBLE PRECISION NOT NULL,
                    released DOUBLE PRECISION)
                """,
            ]
        ),
        ("v2-pending-slots", ["CREATE INDEX slots_pending ON slots(scheduler, drive, slot) WHERE state = 'pending'"]),
    ]

    /// The advisory lock key that serializes migrations.
    static let lockKey: Int64 = 0x7469_6465_6D61_726B

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS tidemark_migrations (name TEXT PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)",
                logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM tidemark_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for version in versions where !applied.contains(version.name) {
                for statement in version.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO tidemark_migrations (name, applied) VALUES (\(version.name), \(Date().timeIntervalSince1970))",
                    logger: logger)
            }
        }
    }
}
