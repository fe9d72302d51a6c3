import Foundation
import TidemarkReconcile

/// The controller's memory: applied commits and their actions, fired slots, the snapshots it created, drift events
/// and the apply journal. `SQLiteStateStore` keeps it in one file for one replica; `PostgresStateStore` shares it
/// between replicas. Every write is one transaction, so a `kill -9` at any point leaves the state before or after it.
public protocol StateStore: ApplyJournal {
    /// The newest slot already dealt with for each of a scheduler's drives, read at once; a drive before its first
    /// tick has none.
    func cursors(scheduler: String) async throws -> [String: Date]
    /// Moves each drive's cursor forward to its slot, never back.
    func moveCursors(to slots: [ScheduledSlot]) async throws
    /// Claims slots before their snapshots are requested; returns, in order, the state each already had (nil: this
    /// call claimed it). Each claim is atomic; a store may write a batch in one transaction.
    func begin(_ slots: [ScheduledSlot], at now: Date) async throws -> [SlotState?]
    /// Marks slots taken by their snapshots, records the snapshots and moves the cursors, each slot in one
    /// transaction (a store may write a batch in one). Returns, in order, false where the slot is no longer this
    /// replica's claim (another took it over or finished it); the snapshot is recorded all the same.
    @discardableResult
    func complete(_ slots: [TakenSlot], at now: Date) async throws -> [Bool]
    /// Marks slots skipped (missed while down, or past their deadline) unless taken or another's live claim.
    func skip(_ slots: [ScheduledSlot], at now: Date) async throws
    /// Slots begun but not finished that this replica may take at `now`, per drive of a scheduler, in order, read at
    /// once: its own (a crash or an error came between the intent and the outcome) and, with several replicas,
    /// claims that expired.
    func pendingSlots(scheduler: String, at now: Date) async throws -> [String: [Date]]
    /// Records that retention deleted these snapshots, each named by the slot it took (the SQLite store's key) and its id.
    func markDeleted(_ snapshots: [TakenSlot], at now: Date) async throws
    /// Slots taken, per scheduler and drive, in order.
    func createdSlots() async throws -> [CreatedSlot]
    /// The newest slot taken per scheduler and drive.
    func newestSlots() async throws -> [ScheduledDrive: Date]
    func record(_ cycle: CycleRecord) async throws
    /// The commit of the newest cycle that applied (or found nothing to apply) without failures.
    func lastGoodCommit() async throws -> String?
    func recordDrift(target: String, action: String, outcome: String, at now: Date) async throws
    /// The requests an earlier run sent without recording their answer, now marked `interrupted`: the caller reports
    /// them, and the next plan, made from the live state, accounts for whatever they did.
    func takeInFlightRequests() async throws -> [InFlightRequest]
}

extension StateStore {
    /// Moves one drive's cursor forward to `slot`, never back.
    public func setCursor(scheduler: String, drive: String, to slot: Date) async throws {
        try await moveCursors(to: [ScheduledSlot(scheduler: scheduler, drive: drive, slot: slot)])
    }

    /// Marks one slot skipped unless it was taken or is another's live claim.
    public func skip(scheduler: String, drive: String, slot: Date, at now: Date) async throws {
        try await skip([ScheduledSlot(scheduler: scheduler, drive: drive, slot: slot)], at: now)
    }

    /// Claims one slot before its snapshot is requested; returns the state it already had (nil: this call claimed it).
    public func begin(scheduler: String, drive: String, slot: Date, at now: Date) async throws -> SlotState? {
        try await begin([ScheduledSlot(scheduler: scheduler, drive: drive, slot: slot)], at: now)[0]
    }

    /// Marks one slot taken by `snapshot`; false when the slot is no longer this replica's claim.
    @discardableResult
    public func complete(scheduler: String, drive: String, slot: Date, snapshot: String, at now: Date) async throws -> Bool {
        try await complete([TakenSlot(ScheduledSlot(scheduler: scheduler, drive: drive, slot: slot), snapshot: snapshot)], at: now)[0]
    }
}

/// A slot's state: `pending` (its snapshot may or may not exist yet), `created` or `skipped`.
public enum SlotState: String, Sendable {
    case pending, created, skipped
    /// Pending, and another replica's claim that has not expired: it is taking the slot, this one must not.
    case claimedElsewhere
}

/// One action a cycle carried out, and its error if it failed.
public struct ActionRecord: Sendable, Hashable {
    public var target: String
    public var kind: String
    public var object: String
    public var error: String?

    public init(target: String, kind: String, object: String, error: String? = nil) {
        self.target = target
        self.kind = kind
        self.object = object
        self.error = error
    }
}

/// One reconcile cycle and its actions.
public struct CycleRecord: Sendable {
    public var commit: String?
    public var started: Date
    public var finished: Date
    public var outcome: CycleOutcome
    public var actions: [ActionRecord]
    public var message: String?

    public init(
        commit: String?, started: Date, finished: Date, outcome: CycleOutcome, actions: [ActionRecord] = [], message: String? = nil
    ) {
        self.commit = commit
        self.started = started
        self.finished = finished
        self.outcome = outcome
        self.actions = actions
        self.message = message
    }
}

/// A request that was sent and never recorded as answered: its run stopped in between.
public struct InFlightRequest: Sendable, Hashable {
    public var target: String
    public var kind: String
    public var object: String
    public var started: Date
}
