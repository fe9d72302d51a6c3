import TidemarkPolicy
import TidemarkProviderModel

/// One object that breaks one rule of a requirement.
public struct RequirementViolation: Sendable, Hashable {
    /// The rule broken, as the Requirement spells it.
    public enum Rule: String, Sendable, Hashable, Codable {
        case protected, rpo, type
        case minimumAge = "retention.minAge"
        case minimumKept
        /// A protecting scheduler's settings cannot be read, so the rules cannot be checked.
        case unreadable
        /// The newest live snapshot is older than the rpo: a backup that should have happened did not (audit only).
        case stale
    }

    public var requirement: String
    /// Where the broken rule is written (the requirement's name when the rule is implied).
    public var location: SourceLocation
    /// drive, VM disk, resource or client.
    public var noun: String
    public var object: LiveDrive
    public var rule: Rule
    /// What is wrong, after the object's name: `would be protected every 48h (…); requirement prod-rpo wants ≤ 24h`.
    public var detail: String
}
