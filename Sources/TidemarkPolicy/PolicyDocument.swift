/// The kinds of document the policy language has (docs/policy-language.md).
public enum PolicyKind: String, Sendable, CaseIterable, Hashable {
    case target = "Target"
    case retentionPolicy = "RetentionPolicy"
    case scheduler = "Scheduler"
    case driveBinding = "DriveBinding"
    case backupPlan = "BackupPlan"
    case requirement = "Requirement"
}

/// `metadata` of a document.
public struct Metadata: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(name: String, labels: [String: String] = [:], annotations: [String: String] = [:]) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
    }
}

/// One policy document: its metadata, its typed spec, and where it was written.
public struct PolicyDocument<Spec: Sendable & Hashable>: Sendable, Hashable {
    public var metadata: Metadata
    public var spec: Spec
    /// Where the document's `metadata.name` is written.
    public var location: SourceLocation

    public init(metadata: Metadata, spec: Spec, location: SourceLocation) {
        self.metadata = metadata
        self.spec = spec
        self.location = location
    }

    public var name: String { metadata.name }
}

/// A name that refers to another document, with where the reference is written.
public typealias Reference = Located<String>
