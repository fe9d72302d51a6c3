import Foundation

/// One slot of one drive of a controller-run scheduler: what the state store claims and completes.
public struct ScheduledSlot: Hashable, Sendable {
    public var scheduler: String
    public var drive: String
    public var slot: Date

    public init(scheduler: String, drive: String, slot: Date) {
        self.scheduler = scheduler
        self.drive = drive
        self.slot = slot
    }
}

/// A slot and the snapshot that took it.
public struct TakenSlot: Hashable, Sendable {
    public var slot: ScheduledSlot
    public var snapshot: String

    public init(_ slot: ScheduledSlot, snapshot: String) {
        self.slot = slot
        self.snapshot = snapshot
    }
}

/// A slot taken, as the state store records it: its snapshot, and when retention deleted that snapshot.
public struct CreatedSlot: Hashable, Sendable {
    public var scheduler: String
    public var drive: String
    public var slot: Date
    public var snapshot: String
    public var deleted: Date?

    public init(scheduler: String, drive: String, slot: Date, snapshot: String, deleted: Date? = nil) {
        self.scheduler = scheduler
        self.drive = drive
        self.slot = slot
        self.snapshot = snapshot
        self.deleted = deleted
    }
}
