/// A drive of a controller-run scheduler: the unit the controller takes snapshots for and reports on.
public struct ScheduledDrive: Hashable, Sendable {
    public var scheduler: String
    public var drive: String

    public init(scheduler: String, drive: String) {
        self.scheduler = scheduler
        self.drive = drive
    }
}

/// One slot of a scheduled drive, in `SnapshotMarker.slotText` form: the identity of the snapshot taken for it.
struct SlotKey: Hashable, Sendable {
    var scheduled: ScheduledDrive
    var slot: String

    init(_ scheduler: String, _ drive: String, _ slot: String) {
        scheduled = ScheduledDrive(scheduler: scheduler, drive: drive)
        self.slot = slot
    }
}
