import Foundation

/// A snapshot as retention sees it.
public struct Snapshot: Sendable, Hashable {
    public var id: String
    public var takenAt: Date
    /// Only snapshots tidemark created may be deleted by retention.
    public var createdByTidemark: Bool
    public var succeeded: Bool

    public init(id: String, takenAt: Date, createdByTidemark: Bool = true, succeeded: Bool = true) {
        self.id = id
        self.takenAt = takenAt
        self.createdByTidemark = createdByTidemark
        self.succeeded = succeeded
    }
}

/// Keep or delete, with every reason to keep.
public struct RetentionDecision: Sendable, Hashable {
    public var snapshot: Snapshot
    /// Empty means the snapshot is deleted.
    public var reasons: [RetentionReason]

    public var keep: Bool { !reasons.isEmpty }
}

/// Why a snapshot is kept.
public enum RetentionReason: Sendable, Hashable, CustomStringConvertible {
    /// Rule number `index` (0-based) of the policy keeps it.
    case rule(index: Int)
    /// The newest successful snapshot is never deleted.
    case newestSuccessful
    /// Snapshots tidemark did not create are never deleted.
    case notCreatedByTidemark
    /// Taken after "now" (clock skew); never deleted.
    case takenAfterNow

    public var description: String {
        switch self {
        case .rule(let index): "rule \(index + 1)"
        case .newestSuccessful: "newest successful snapshot"
        case .notCreatedByTidemark: "not created by tidemark"
        case .takenAfterNow: "taken after now"
        }
    }
}
