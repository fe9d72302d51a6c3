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
