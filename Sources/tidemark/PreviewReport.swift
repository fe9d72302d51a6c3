import Foundation
import TidemarkPolicy
import TidemarkSchedule

/// What `preview --json` prints: fire times, or a retention simulation with the rule that keeps each snapshot.
/// Versioned by `format_version` (docs/commands.md#tidemark-preview).
struct PreviewReport: Encodable {
    static let formatVersion = "1"

    var formatVersion = Self.formatVersion
    /// `fires` or `retention_simulation`.
    var kind: String
    /// `scheduler NAME`, `backup plan NAME` or `retention policy NAME`.
    var subject: String
    var target: String?
    var schedule: String
    /// Where the simulated schedule came from, for a simulation.
    var scheduleSource: String?
    var timezone: String
    var from: String
    var to: String?
    var fires: [Fire]?
    var rules: [Rule]?
    var taken: Int?
    var kept: Int?
    var snapshots: [SimulatedSnapshot]?

    struct Fire: Encodable {
        var utc: String
        var local: String
    }

    struct Rule: Encodable {
        var number: Int
        var rule: String
        var keeps: Int
    }

    struct SimulatedSnapshot: Encodable {
        var takenAt: String
        var local: String
        var keep: Bool
        /// Why it is kept (`rule 2`, `newest successful snapshot`, …); empty when it is deleted.
        var keptBy: [String]

        enum CodingKeys: String, CodingKey {
            case takenAt = "taken_at"
            case local, keep
            case keptBy = "kept_by"
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case kind, subject, target, schedule
        case scheduleSource = "schedule_source"
        case timezone, from, to, fires, rules, taken, kept, snapshots
    }

    static func fires(subject: String, target: String, spec: ScheduleSpec, zone: ZoneRules, after start: Date, fires: [Date]) -> Self {
        PreviewReport(
            kind: "fires", subject: subject, target: target, schedule: spec.summary, timezone: zone.identifier,
            from: InstantFormatting.utc(start),
            fires: fires.map { Fire(utc: InstantFormatting.utc($0), local: InstantFormatting.local($0, in: zone)) })
    }

    static func simulation(
        subject: String, policy: RetentionPolicySpec, spec: ScheduleSpec, scheduleSource: String, zone: ZoneRules, from begin: Date,
        to end: Date, decisions: [RetentionDecision]
    ) -> Self {
        var keeps = [Int](repeating: 0, count: policy.rules.count)
        for decision in decisions {
            for case .rule(let index) in decision.reasons { keeps[index] += 1 }
        }
        return PreviewReport(
            kind: "retention_simulation", subject: subject, schedule: spec.summary, scheduleSource: scheduleSource,
            timezone: zone.identifier, from: InstantFormatting.utc(begin), to: InstantFormatting.utc(end),
            rules: policy.rules.enumerated().map { Rule(number: $0.offset + 1, rule: "\($0.element)", keeps: keeps[$0.offset]) },
            taken: decisions.count, kept: decisions.count { $0.keep },
            snapshots: decisions.sorted { $0.snapshot.takenAt < $1.snapshot.takenAt }.map { decision in
                SimulatedSnapshot(
                    takenAt: InstantFormatting.utc(decision.snapshot.takenAt),
                    local: InstantFormatting.local(decision.snapshot.takenAt, in: zone),
                    keep: decision.keep, keptBy: decision.keep ? decision.reasons.map(\.description) : [])
            })
    }
}
