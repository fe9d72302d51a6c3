import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// An existing snapshot that a retention change would delete, and why: the rule that kept it before, and that no rule
/// of the new retention keeps it.
public struct ExpiringSnapshot: Sendable, Codable, Hashable {
    public var drive: String
    public var driveID: String
    public var id: String
    public var takenAt: Date
    /// What kept it under the old retention: `rule 2 {period: weeks, quantity: 4, timeOption: 0}`, `newest successful
    /// snapshot`.
    public var keptBefore: [String]
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case drive, id, reason
        case driveID = "drive_id"
        case takenAt = "taken_at"
        case keptBefore = "kept_before"
    }

    /// The snapshots of `drives` that `old` keeps at `now` and `new` does not, oldest first.
    static func between(
        old: [RetentionRule], new: [RetentionRule], zone: ZoneRules, drives: [LiveDrive], snapshots: [LiveSnapshot], now: Date
    ) -> [ExpiringSnapshot] {
        let before = RetentionEngine(policy: RetentionPolicySpec(rules: old), zone: zone)
        let after = RetentionEngine(policy: RetentionPolicySpec(rules: new), zone: zone)
        let byDrive = Dictionary(grouping: snapshots, by: \.driveID)
        var expiring: [ExpiringSnapshot] = []
        for drive in drives {
            let live = byDrive[drive.id] ?? []
            let items = live.map { Snapshot(id: $0.id, takenAt: $0.takenAt, createdByTidemark: true, succeeded: $0.succeeded) }
            for (old, new) in zip(before.evaluate(items, now: now), after.evaluate(items, now: now)) where old.keep && !new.keep {
                let kept = old.reasons.map { reason -> String in
                    guard case .rule(let index) = reason else { return reason.description }
                    return "rule \(index + 1) \(before.policy.rules[index])"
                }
                expiring.append(
                    ExpiringSnapshot(
                        drive: drive.name, driveID: drive.id, id: old.snapshot.id, takenAt: old.snapshot.takenAt, keptBefore: kept,
                        reason: "kept before by \(kept.joined(separator: " and ")); no rule of the new retention keeps it"))
            }
        }
        return expiring.sorted { ($0.takenAt, $0.id) < ($1.takenAt, $1.id) }
    }
}
