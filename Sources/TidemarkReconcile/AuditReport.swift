import Foundation
import TidemarkPolicy
import TidemarkProviderModel

/// What `tidemark audit` found over the live state of every target (docs/requirements.md#tidemark-audit); encoded as
/// versioned JSON.
public struct AuditReport: Sendable, Codable {
    public static let formatVersion = "1"

    public var formatVersion: String
    public var tidemarkVersion: String
    public var createdAt: Date
    public var source: Plan.Source
    public var targets: [TargetAudit]

    public init(tidemarkVersion: String, createdAt: Date, source: Plan.Source, targets: [TargetAudit]) {
        self.formatVersion = Self.formatVersion
        self.tidemarkVersion = tidemarkVersion
        self.createdAt = createdAt
        self.source = source
        self.targets = targets
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case tidemarkVersion = "tidemark_version"
        case createdAt = "created_at"
        case source, targets, compliant
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(String.self, forKey: .formatVersion)
        tidemarkVersion = try container.decode(String.self, forKey: .tidemarkVersion)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        source = try container.decode(Plan.Source.self, forKey: .source)
        targets = try container.decode([TargetAudit].self, forKey: .targets)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(tidemarkVersion, forKey: .tidemarkVersion)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(source, forKey: .source)
        try container.encode(targets, forKey: .targets)
        try container.encode(compliant, forKey: .compliant)
    }

    /// Whether every object every requirement selects meets it.
    public var compliant: Bool { targets.allSatisfy { $0.requirements.allSatisfy(\.compliant) } }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }
}

/// The audit of one target.
public struct TargetAudit: Sendable, Codable {
    /// The Target's name and provider.
    public var name: String
    public var provider: ProviderKind
    /// What its objects are called: drive, VM disk, resource, client.
    public var noun: String
    public var requirements: [RequirementAudit]
    /// Objects no enabled scheduler protects (coverage gaps).
    public var unprotected: [ObjectReference]
    /// Live schedulers no policy owns.
    public var orphanSchedulers: [OrphanScheduler]
    /// Live snapshots no policy owns: no retention will ever delete them.
    public var orphanSnapshots: [OrphanSnapshot]

    enum CodingKeys: String, CodingKey {
        case name, provider, noun, requirements, unprotected
        case orphanSchedulers = "orphan_schedulers"
        case orphanSnapshots = "orphan_snapshots"
    }
}

/// An object as the audit names it.
public struct ObjectReference: Sendable, Codable, Hashable {
    /// Its id on the API, and its name.
    public var id: String
    public var name: String
}

/// One requirement on one target: each object it selects, compliant or not and why.
public struct RequirementAudit: Sendable, Codable {
    /// The Requirement's name.
    public var requirement: String
    public var objects: [ObjectCompliance]

    public var compliant: Bool { objects.allSatisfy(\.compliant) }
}

/// One selected object: the rules it breaks, each with why (empty: compliant), and its newest snapshot.
public struct ObjectCompliance: Sendable, Codable {
    public struct Violation: Sendable, Codable, Hashable {
        public var rule: RequirementViolation.Rule
        public var detail: String
    }

    public var object: ObjectReference
    /// The schedulers that protect it now.
    public var protectedBy: [String]
    /// When its newest successful snapshot was taken; nil when it has none.
    public var newestSnapshot: Date?
    public var violations: [Violation]

    public var compliant: Bool { violations.isEmpty }

    enum CodingKeys: String, CodingKey {
        case object, violations, compliant
        case protectedBy = "protected_by"
        case newestSnapshot = "newest_snapshot"
    }

    public init(object: ObjectReference, protectedBy: [String], newestSnapshot: Date?, violations: [Violation]) {
        self.object = object
        self.protectedBy = protectedBy
        self.newestSnapshot = newestSnapshot
        self.violations = violations
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(ObjectReference.self, forKey: .object)
        protectedBy = try container.decode([String].self, forKey: .protectedBy)
        newestSnapshot = try container.decodeIfPresent(Date.self, forKey: .newestSnapshot)
        violations = try container.decode([Violation].self, forKey: .violations)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(protectedBy, forKey: .protectedBy)
        try container.encode(newestSnapshot, forKey: .newestSnapshot)
        try container.encode(violations, forKey: .violations)
        try container.encode(compliant, forKey: .compliant)
    }
}

/// A live scheduler no policy owns, and why.
public struct OrphanScheduler: Sendable, Codable, Hashable {
    /// Its id on the API, and its policy name (or its live name when it has no marker).
    public var id: String
    public var name: String
    public var reason: String
}

/// A live snapshot no policy owns, and why.
public struct OrphanSnapshot: Sendable, Codable, Hashable {
    /// Its id on the API.
    public var id: String
    /// What it is a copy of (a drive id, a plan or job id).
    public var of: String
    public var takenAt: Date
    /// Why no policy owns it.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case id, of, reason
        case takenAt = "taken_at"
    }
}
