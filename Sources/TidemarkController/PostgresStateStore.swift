import Foundation
import Logging
import PostgresNIO
import Synchronization
import TidemarkReconcile

/// The controller's memory in PostgreSQL, shared by replicas. The tables are SQLite's, plus the replicas' heartbeats
/// and the history of which replica held which target. A slot claim records the replica that made it and when; a
/// second claimant sees a conflict, and takes a pending slot over only once the claim is older than `claimGrace`
/// (longer than a snapshot request with its retries takes), so a claim in flight is never taken twice.
public final class PostgresStateStore: StateStore {
    let client: PostgresClient
    /// This replica's id, written into the slots it claims and the requests it journals.
    public let replica: String
    /// How long a replica counts as alive after its last heartbeat.
    public let liveness: TimeInterval
    /// How long one store operation may take before it fails.
    public let operationTimeout: TimeInterval
    /// How long a pending slot stays its claimant's: after that, whoever holds the target may take it over.
    public let claimGrace: TimeInterval
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects and migrates (replicas starting together migrate once, under an advisory lock). A server that cannot
    /// be reached is an error at once: the pool would keep retrying.
    public init(
        location: PostgresLocation, replica: String, liveness: TimeInterval = 15, claimGrace: TimeInterval = 300,
        operationTimeout: TimeInterval = 30, logger: Logger
    ) async throws {
        // Migrated over a connection of its own, before the pool runs: the pool's first lease comes later.
        let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration, id: 0, logger: logger)
        do {
            try await PostgresMigrations.migrate(connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: logger)
        runner = Task { [client] in await client.run() }
        self.replica = replica
        self.liveness = liveness
        self.claimGrace = claimGrace
        self.operationTimeout = operationTimeout
        self.logger = logger
    }

    deinit { runner.cancel() }

    /// Stops the connection pool.
    public func close() { runner.cancel() }

    // MARK: Controller scheduling

    public func cursors(scheduler: String) async throws -> [String: Date] {
        try await bounded { [self] () async throws -> [String: Date] in
            let rows = try await client.query("SELECT drive, last_slot FROM cursors WHERE scheduler = \(scheduler)", logger: logger)
            var cursors: [String: Date] = [:]
            for try await (drive, last) in rows.decode((String, Double).self) { cursors[drive] = Date(timeIntervalSince1970: last) }
            return cursors
        }
    }

    /// Moves each cursor in a statement of its own, all of them at once over the pool.
    public func moveCursors(to slots: [ScheduledSlot]) async throws {
        _ = try await concurrently(slots) { [self] slot in try await moveCursor(scheduler: slot.scheduler, drive: slot.drive, to: slot.slot)
        }
    }

    private func moveCursor(scheduler: String, drive: String, to slot: Date) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.query(
                """
                INSERT INTO cursors (scheduler, drive, last_slot) VALUES (\(scheduler), \(drive), \(slot.timeIntervalSince1970))
                ON CONFLICT (scheduler, drive) DO UPDATE SET last_slot = GREATEST(cursors.last_slot, excluded.last_slot)
                """, logger: logger)
        }
    }

    /// Claims each slot in a transaction of its own, all of them at once over the pool.
    public func begin(_ slots: [ScheduledSlot], at now: Date) async throws -> [SlotState?] {
        try await concurrently(slots) { [self] slot in
            try await claimSlot(scheduler: slot.scheduler, drive: slot.drive, slot: slot.slot, at: now)
        }
    }

    /// Completes each slot in a transaction of its own, all of them at once over the pool.
    public func complete(_ slots: [TakenSlot], at now: Date) async throws -> [Bool] {
        try await concurrently(slots) { [self] taken in
            try await completeSlot(
                scheduler: taken.slot.scheduler, drive: taken.slot.drive, slot: taken.slot.slot, snapshot: taken.snapshot, at: now)
        }
    }

    /// `body` over every element at once; the results in the elements' order.
    private func concurrently<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ body: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            for (index, element) in elements.enumerated() { group.addTask { (index, try await body(element)) } }
            var results = [Result?](repeating: nil, count: elements.count)
            for try await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    private func claimSlot(scheduler: String, drive: String, slot: Date, at now: Date) async throws -> SlotState? {
        try await bounded { [self] () async throws -> SlotState? in
            let instant = slot.timeIntervalSince1970
            let claimed = try await client.query(
                """
                INSERT INTO slots (scheduler, drive, slot, state, updated, owner)
                VALUES (\(scheduler), \(drive), \(instant), 'pending', \(now.timeIntervalSince1970), \(replica))
                ON CONFLICT (scheduler, drive, slot) DO NOTHING RETURNING state
                """, logger: logger)
            for try await _ in claimed.decode(String.self) { return nil }
            // Renewed by its claimant, taken over by another replica only once the claim has expired.
            let existing = try await client.query(
                """
                UPDATE slots SET owner = \(replica), updated = \(now.timeIntervalSince1970)
                WHERE scheduler = \(scheduler) AND drive = \(drive) AND slot = \(instant) AND state = 'pending'
                  AND (slots.owner = \(replica) OR slots.owner IS NULL OR slots.updated < \(now.timeIntervalSince1970 - claimGrace))
                RETURNING state
                """, logger: logger)
            for try await _ in existing.decode(String.self) { return .pending }
            let rows = try await client.query(
                "SELECT state FROM slots WHERE scheduler = \(scheduler) AND drive = \(drive) AND slot = \(instant)", logger: logger)
            for try await state in rows.decode(String.self) {
                return state == SlotState.pending.rawValue ? .claimedElsewhere : SlotState(rawValue: state)
            }
            return .claimedElsewhere
        }
    }

    private func completeSlot(scheduler: String, drive: String, slot: Date, snapshot: String, at now: Date) async throws -> Bool {
        try await bounded { [self] () async throws -> Bool in
            let instant = slot.timeIntervalSince1970
            let time = now.timeIntervalSince1970
            return try await client.withTransaction(logger: logger) { connection in
                let recorded = try await connection.query(
                    """
                    INSERT INTO slots (scheduler, drive, slot, state, snapshot, updated, owner)
                    VALUES (\(scheduler), \(drive), \(instant), 'created', \(snapshot), \(time), \(self.replica))
                    ON CONFLICT (scheduler, drive, slot) DO UPDATE SET state = 'created', snapshot = excluded.snapshot,
                        updated = excluded.updated, owner = excluded.owner
                    WHERE slots.state = 'skipped' OR (slots.state = 'pending' AND (slots.owner = excluded.owner OR slots.owner IS NULL))
                    RETURNING state
                    """, logger: self.logger)
                var completed = false
                for try await _ in recorded.decode(String.self) { completed = true }
                try await connection.query(
                    """
                    INSERT INTO snapshots (id, drive, scheduler, slot, created)
                    VALUES (\(snapshot), \(drive), \(scheduler), \(instant), \(time))
                    ON CONFLICT (id) DO NOTHING
                    """, logger: self.logger)
                try await connection.query(
                    """
                    INSERT INTO cursors (scheduler, drive, last_slot) VALUES (\(scheduler), \(drive), \(instant))
                    ON CONFLICT (scheduler, drive) DO UPDATE SET last_slot = GREATEST(cursors.last_slot, excluded.last_slot)
                    """, logger: self.logger)
                return completed
            }
        }
    }

    /// Skips each slot in a statement of its own, all of them at once over the pool.
    public func skip(_ slots: [ScheduledSlot], at now: Date) async throws {
        _ = try await concurrently(slots) { [self] slot in
            try await skipSlot(scheduler: slot.scheduler, drive: slot.drive, slot: slot.slot, at: now)
        }
    }

    private func skipSlot(scheduler: String, drive: String, slot: Date, at now: Date) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.query(
                """
                INSERT INTO slots (scheduler, drive, slot, state, updated, owner)
                VALUES (\(scheduler), \(drive), \(slot.timeIntervalSince1970), 'skipped', \(now.timeIntervalSince1970), \(replica))
                ON CONFLICT (scheduler, drive, slot) DO UPDATE SET state = 'skipped', updated = excluded.updated
                WHERE slots.state = 'pending'
                  AND (slots.owner = \(replica) OR slots.owner IS NULL OR slots.updated < \(now.timeIntervalSince1970 - claimGrace))
                """, logger: logger)
        }
    }

    public func pendingSlots(scheduler: String, at now: Date) async throws -> [String: [Date]] {
        try await bounded { [self] () async throws -> [String: [Date]] in
            let rows = try await client.query(
                """
                SELECT drive, slot FROM slots WHERE scheduler = \(scheduler) AND state = 'pending'
                  AND (slots.owner = \(replica) OR slots.owner IS NULL OR slots.updated < \(now.timeIntervalSince1970 - claimGrace))
                ORDER BY drive, slot
                """, logger: logger)
            var pending: [String: [Date]] = [:]
            for try await (drive, slot) in rows.decode((String, Double).self) {
                pending[drive, default: []].append(Date(timeIntervalSince1970: slot))
            }
            return pending
        }
    }

    /// Keyed by id here, as the first schema has it: a replica of the previous version, still running during a rolling
    /// upgrade, records its snapshots `ON CONFLICT (id)`, which needs that key.
    public func markDeleted(_ snapshots: [TakenSlot], at now: Date) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.query(
                """
                UPDATE snapshots SET deleted = \(now.timeIntervalSince1970) WHERE id = ANY(\(snapshots.map(\.snapshot))) AND deleted IS NULL
                """,
                logger: logger)
        }
    }

    public func createdSlots() async throws -> [CreatedSlot] {
        try await bounded { [self] () async throws -> [CreatedSlot] in
            let rows = try await client.query(
                """
                SELECT slots.scheduler, slots.drive, slots.slot, slots.snapshot, snapshots.deleted FROM slots
                LEFT JOIN snapshots ON snapshots.id = slots.snapshot
                WHERE slots.state = 'created' ORDER BY slots.scheduler, slots.drive, slots.slot
                """,
                logger: logger)
            var slots: [CreatedSlot] = []
            for try await (scheduler, drive, slot, snapshot, deleted) in rows.decode((String, String, Double, String, Double?).self) {
                slots.append(
                    CreatedSlot(
                        scheduler: scheduler, drive: drive, slot: Date(timeIntervalSince1970: slot), snapshot: snapshot,
                        deleted: deleted.map(Date.init(timeIntervalSince1970:))))
            }
            return slots
        }
    }

    public func newestSlots() async throws -> [ScheduledDrive: Date] {
        try await bounded { [self] () async throws -> [ScheduledDrive: Date] in
            let rows = try await client.query(
                "SELECT scheduler, drive, max(slot) FROM slots WHERE state = 'created' GROUP BY scheduler, drive", logger: logger)
            var newest: [ScheduledDrive: Date] = [:]
            for try await (scheduler, drive, slot) in rows.decode((String, String, Double).self) {
                newest[ScheduledDrive(scheduler: scheduler, drive: drive)] = Date(timeIntervalSince1970: slot)
            }
            return newest
        }
    }

    // MARK: Reconcile cycles

    public func record(_ cycle: CycleRecord) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.withTransaction(logger: logger) { connection in
                let failed = cycle.actions.count { $0.error != nil }
                let rows = try await connection.query(
                    """
                    INSERT INTO cycles (commit_id, started, finished, outcome, actions, failed, message, replica)
                    VALUES (\(cycle.commit), \(cycle.started.timeIntervalSince1970), \(cycle.finished.timeIntervalSince1970),
                        \(cycle.outcome.rawValue), \(cycle.actions.count), \(failed), \(cycle.message), \(self.replica))
                    RETURNING id
                    """, logger: self.logger)
                var id: Int64 = 0
                for try await value in rows.decode(Int64.self) { id = value }
                for action in cycle.actions {
                    try await connection.query(
                        """
                        INSERT INTO actions (cycle, target, kind, object, outcome, error)
                        VALUES (
                            \(id), \(action.target), \(action.kind), \(action.object), \(action.error == nil ? "ok" : "failed"),
                            \(action.error))
                        """, logger: self.logger)
                }
            }
        }
    }

    public func lastGoodCommit() async throws -> String? {
        try await bounded { [self] () async throws -> String? in
            let rows = try await client.query(
                "SELECT commit_id FROM cycles WHERE outcome IN ('applied', 'unchanged') ORDER BY id DESC LIMIT 1", logger: logger)
            for try await commit in rows.decode(String?.self) { return commit }
            return nil
        }
    }

    public func recordDrift(target: String, action: String, outcome: String, at now: Date) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.query(
                "INSERT INTO drift (at, target, action, outcome) VALUES (\(now.timeIntervalSince1970), \(target), \(action), \(outcome))",
                logger: logger)
        }
    }

    // MARK: Apply journal

    public func begin(target: String, action: PlannedAction) async throws -> Int64 {
        try await bounded { [self] () async throws -> Int64 in
            let rows = try await client.query(
                """
                INSERT INTO journal (target, kind, object, started, outcome, replica)
                VALUES (\(target), \(action.kind.rawValue), \(action.subject), \(Date().timeIntervalSince1970), 'sent', \(replica))
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { return id }
            throw NoRowReturned()
        }
    }

    public func finish(_ entry: Int64, error: String?) async throws {
        try await bounded { [self] () async throws -> Void in
            try await client.query(
                """
                UPDATE journal
                SET finished = \(Date().timeIntervalSince1970), outcome = \(error == nil ? "done" : "failed"), error = \(error)
                WHERE id = \(entry)
                """, logger: logger)
        }
    }

    /// This replica's unanswered requests, and those of replicas no longer alive.
    public func takeInFlightRequests() async throws -> [InFlightRequest] {
        try await bounded { [self] () async throws -> [InFlightRequest] in
            let rows = try await client.query(
                """
                UPDATE journal SET outcome = 'interrupted'
                WHERE outcome = 'sent' AND (replica = \(replica) OR replica NOT IN (\(unescaped: Self.liveReplicas(liveness))))
                RETURNING target, kind, object, started
                """, logger: logger)
            var requests: [InFlightRequest] = []
            for try await (target, kind, object, started) in rows.decode((String, String, String, Double).self) {
                requests.append(InFlightRequest(target: target, kind: kind, object: object, started: Date(timeIntervalSince1970: started)))
            }
            return requests.sorted { $0.started < $1.started }
        }
    }

    /// Runs one store operation, failing after `operationTimeout` instead of waiting for ever: a query on a pool
    /// connection that died with its server can stay unanswered, and the controller must go on (and stop when told).
    private func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = operationTimeout
        return try await withCheckedThrowingContinuation { continuation in
            let answer = FirstAnswer()
            let operation = Task {
                do {
                    let value = try await work()
                    if answer.claim() { continuation.resume(returning: value) }
                } catch {
                    if answer.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                if answer.claim() {
                    operation.cancel()
                    continuation.resume(throwing: OperationTimedOut(seconds: seconds))
                }
            }
        }
    }

    /// Lets only the first of the operation and its timeout resume the caller.
    private final class FirstAnswer: Sendable {
        private let answered = Mutex(false)

        func claim() -> Bool {
            answered.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }

    /// A store operation that did not finish in time.
    public struct OperationTimedOut: Error, CustomStringConvertible {
        public var seconds: TimeInterval
        public var description: String { "the state store did not answer within \(Int(seconds)) s" }
    }

    /// The ids of live replicas: their session is open and their heartbeat younger than `liveness` (server clock).
    /// A replica killed outright drops out at once, as its session ends with it.
    static func liveReplicas(_ liveness: TimeInterval) -> String {
        """
        SELECT r.id FROM replicas r WHERE r.seen > extract(epoch FROM clock_timestamp()) - \(Int(liveness.rounded(.up)))
          AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.pid)
        """
    }

    /// An INSERT … RETURNING that returned nothing.
    struct NoRowReturned: Error, CustomStringConvertible {
        var description: String { "the state store returned no id for a new apply journal entry" }
    }
}
