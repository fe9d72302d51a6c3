import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviders
import TidemarkReconcile
import TidemarkSchedule

/// `tidemark preview SCHEDULER --live`: the live snapshots of the objects a scheduler protects, which rule keeps each,
/// and when retention deletes each if the schedule goes on (docs/requirements.md#retention-explained).
struct LivePreview {
    var scheduler: String
    var target: PolicyDocument<TargetSpec>
    var schedule: ScheduleSpec
    var retention: RetentionPolicySpec
    var policies: PolicySet
    var instance: String
    var now: Date

    /// What `preview --live --json` prints.
    struct Report: Encodable {
        var formatVersion = "1"
        var kind = "retention_live"
        var subject: String
        var target: String
        var now: String
        var rules: [String]
        var objects: [Object]
        var nextDeletion: Deletion?

        enum CodingKeys: String, CodingKey {
            case formatVersion = "format_version"
            case kind, subject, target, now, rules, objects
            case nextDeletion = "next_deletion"
        }

        struct Object: Encodable {
            var id: String
            var name: String
            var snapshots: [LiveEntry]
        }

        struct LiveEntry: Encodable {
            var id: String
            var takenAt: String
            /// What keeps it now; empty when the next retention pass deletes it.
            var keptBy: [String]
            /// When retention deletes it if the schedule goes on; nil beyond the forecast, or never.
            var deletedAt: String?

            enum CodingKeys: String, CodingKey {
                case id
                case takenAt = "taken_at"
                case keptBy = "kept_by"
                case deletedAt = "deleted_at"
            }
        }

        struct Deletion: Encodable {
            var object: String
            var snapshot: String
            var at: String
        }
    }

    func report() async throws -> Report {
        let provider = try ProviderFactory.make(for: target, logger: Logger(label: "tidemark"))
        let protected = try await Auditor(instance: instance, now: now).snapshots(
            protectedBy: scheduler, on: target, policies: policies, provider: provider)
        let forecast = RetentionForecast(policy: retention, schedule: try Schedule(schedule))
        var next: (object: String, snapshot: String, at: Date)?
        let objects = protected.map { item in
            let snapshots = item.snapshots.map {
                Snapshot(id: $0.id, takenAt: $0.takenAt, createdByTidemark: $0.createdByTidemark, succeeded: $0.succeeded)
            }
            let entries = forecast.entries(snapshots, now: now).map { entry -> Report.LiveEntry in
                if let at = entry.deletedAt, at < next?.at ?? .distantFuture { next = (item.object.name, entry.snapshot.id, at) }
                return Report.LiveEntry(
                    id: entry.snapshot.id, takenAt: InstantFormatting.utc(entry.snapshot.takenAt),
                    keptBy: entry.keptBy.map(describe), deletedAt: entry.deletedAt.map(InstantFormatting.utc))
            }
            return Report.Object(id: item.object.id, name: item.object.name, snapshots: entries)
        }
        return Report(
            subject: "scheduler \(scheduler)", target: target.name, now: InstantFormatting.utc(now),
            rules: retention.rules.enumerated().map { "rule \($0.offset + 1) \($0.element)" }, objects: objects,
            nextDeletion: next.map { Report.Deletion(object: $0.object, snapshot: $0.snapshot, at: InstantFormatting.utc($0.at)) })
    }

    private func describe(_ reason: RetentionReason) -> String {
        guard case .rule(let index) = reason else { return reason.description }
        return "rule \(index + 1) \(retention.rules[index])"
    }

    static func text(_ report: Report, noun: String) -> [String] {
        var lines = ["\(report.subject) on target \(report.target), live at \(report.now)"]
        lines += report.rules.map { "  \($0)" }
        if report.objects.isEmpty { lines.append("it protects no \(noun) now") }
        for object in report.objects {
            lines.append("")
            lines.append("\(noun) \(object.name) (\(object.id)): \(object.snapshots.count) snapshots")
            for entry in object.snapshots.reversed() {
                let kept = entry.keptBy.isEmpty ? "not kept" : "kept by \(entry.keptBy.joined(separator: " and "))"
                let deletion =
                    entry.deletedAt.map { $0 == report.now ? "deleted at the next retention pass" : "deleted after the slot of \($0)" }
                    ?? "kept beyond the forecast"
                lines.append("  \(entry.takenAt)  \(kept); \(deletion)")
            }
        }
        lines.append("")
        lines.append(
            report.nextDeletion.map { "next deletion: snapshot \($0.snapshot) of \($0.object) at \($0.at)" }
                ?? "no snapshot is deleted within the forecast")
        return lines
    }
}
