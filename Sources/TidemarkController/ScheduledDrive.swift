/// A drive of a controller-run scheduler: the unit the controller takes snapshots for and reports on.
public struct ScheduledDrive: Hashable, Sendable {
    public var scheduler: String
    public var drive: String

    public init(scheduler: String, drive: String) {
        self.scheduler = scheduler
        self.drive = drive
    }
}
