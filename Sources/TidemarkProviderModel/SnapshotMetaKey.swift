/// Metadata keys of a snapshot the controller takes for a slot.
public enum SnapshotMetaKey {
    public static let owner = "tidemark.io/owner"
    public static let scheduler = "tidemark.io/scheduler"
    public static let slot = "tidemark.io/slot"
}
