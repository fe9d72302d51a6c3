import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// An existing snapshot that a retention change would delete, and why: the rule that kept it before, and that no rule
/// of the new retention keeps it.
public struct ExpiringSnapshot: Sendable, Codable, Hashable {
    /// The drive's name and id.
    public var drive: String
    public var driveID: String
    /// The snapshot's id and when it was taken.
    public var id: String
    public var takenAt: Date
    /// What kept it under the old retention: `rule 2 {period: weeks, quantity: 4, timeOption: 0}`, `newest successful
    /// snapshot`.
    public var keptBefore: [String]
    /// Why it goes, as people read it.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case drive, id, reason
        case driveID = "drive_id"
        case takenAt = "taken_at"
        case keptBefore = "kept_before"
    }

    /// One side of a retention change: its rules (none keeps every snapshot) in its scheduler's timezone.
    struct Side {
        var rules: [RetentionRule]
        var zone: ZoneRules
    }

    /// The snapshots of `drives` that `old` keeps at `now` and `new` does not, oldest first.
    static func between(old: Side, new: Side, drives: [LiveDrive], snapshots: [LiveSnapshot], now: Date) -> [ExpiringSnapshot] {
        guard !new.rules.isEmpty else { return [] }
        let before = RetentionEngine(policy: RetentionPolicySpec(rules: old.rules), zone: old.zone)
        let after = RetentionEngine(policy: RetentionPolicySpec(rules: new.rules), zone: new.zone)
        let byDrive = Dictionary(grouping: snapshots, by: \.driveID)
        var expiring: [ExpiringSnapshot] = []
        for drive in drives {
            let live = byDrive[drive.id] ?? []
            let items = live.map { Snapshot(id: $0.id, takenAt: $0.takenAt, createdByTidemark: true, succeeded: $0.succeeded) }
            let oldDecisions = old.rules.isEmpty ? nil : before.evaluate(items, now: now)
            for (index, new) in after.evaluate(items, now: now).enumerated() where !new.keep && oldDecisions?[index].keep != false {
                let kept = (oldDecisions?[index].reasons ?? []).map { reason -> String in
                    guard case .rule(let index) = reason else { return reason.description }
                    return "rule \(index + 1) \(before.policy.rules[index])"
                }
                let before = kept.isEmpty ? "no retention pruned it before" : "kept before by \(kept.joined(separator: " and "))"
                expiring.append(
                    ExpiringSnapshot(
                        drive: drive.name, driveID: drive.id, id: new.snapshot.id, takenAt: new.snapshot.takenAt, keptBefore: kept,
                        reason: "\(before); no rule of the new retention keeps it"))
            }
        }
        return expiring.sorted { ($0.takenAt, $0.id) < ($1.takenAt, $1.id) }
    }
}
