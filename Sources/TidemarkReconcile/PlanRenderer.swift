import Foundation
import TidemarkJSON

/// Renders a plan for people: a terminal (in the style of `terraform plan`) or a pull-request comment.
public struct PlanRenderer: Sendable {
    public var colour: Bool
    /// Also show each action's wire changes: the JSON Pointer of every field the request changes, before and after.
    public var wire: Bool

    public init(colour: Bool, wire: Bool = false) {
        self.colour = colour
        self.wire = wire
    }

    public func text(_ plan: Plan) -> String {
        var lines = ["tidemark plan of \(plan.source.headline) (\(plan.source.files.count) files, digest \(plan.source.digest))"]
        lines += fileList(plan.source).map { "  " + $0 }
        for target in plan.targets {
            lines.append("")
            lines.append("target \(target.name) (\(target.provider.rawValue), \(target.endpoint))")
            lines += placements(target).map { "  " + $0 }
            for action in target.actions {
                lines.append("  " + paint(symbol(action.kind), action.kind) + " " + headline(action))
                for change in action.changes {
                    let value =
                        switch (change.before, change.after) {
                        case (nil, let after?): after
                        case (let before?, nil): "\(before) → (none)"
                        case (let before?, let after?): "\(before) → \(after)"
                        case (nil, nil): ""
                        }
                    lines.append("      \(change.field): \(value)")
                }
                if wire {
                    for change in action.wire {
                        lines.append("      wire \(change.path): \(Self.wireValue(change.before)) → \(Self.wireValue(change.after))")
                    }
                }
                for impact in action.impact { lines.append("      " + paint("! " + impact, .delete)) }
                for snapshot in action.retroactive ?? [] {
                    let taken = Self.instant(snapshot.takenAt)
                    lines.append("        - snapshot \(snapshot.id) of \(snapshot.drive), taken \(taken): \(snapshot.reason)")
                }
            }
            for warning in target.warnings { lines.append("  warning: \(warning)") }
            for error in target.errors { lines.append("  " + paint("error: \(error)", .delete)) }
        }
        lines.append("")
        lines.append(summaryLine(plan))
        return lines.joined(separator: "\n")
    }

    /// `2026-11-25T04:00:00Z`.
    static func instant(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// A wire value as JSON, `(absent)` when the field is not there.
    static func wireValue(_ value: JSON?) -> String { value?.description ?? "(absent)" }

    /// `read policies/a.yaml` and `ignored README.yaml (no tidemark documents)`, one per line; long lists are cut.
    func fileList(_ source: Plan.Source, limit: Int = 50) -> [String] {
        let entries = source.files.map { "read \($0)" } + (source.ignoredFiles ?? []).map { "ignored \($0) (no tidemark documents)" }
        guard entries.count > limit else { return entries }
        return Array(entries.prefix(limit)) + ["… and \(entries.count - limit) more (the JSON plan lists them all)"]
    }

    /// A pull-request comment: the summary line first, then every error, the files read (folded), and per target
    /// its actions, in a table folded when it is longer than `foldAfter` rows.
    public func markdown(_ plan: Plan, foldAfter: Int = 10) -> String {
        var lines = ["### tidemark plan", "", "**\(summaryLine(plan))**", ""]
        for target in plan.targets {
            for error in target.errors { lines.append("- ❌ **error** (target `\(target.name)`): \(error)") }
        }
        if !plan.errors.isEmpty { lines.append("") }
        lines += ["Policies: `\(plan.source.headline)`, \(plan.source.files.count) files, digest `\(plan.source.digest)`.", ""]
        let files = fileList(plan.source)
        if !files.isEmpty {
            lines += ["<details><summary>\(files.count) files read</summary>", ""] + files.map { "    " + $0 } + ["", "</details>", ""]
        }
        for target in plan.targets {
            lines.append("#### target `\(target.name)` (\(target.provider.rawValue))")
            lines.append("")
            let placed = placements(target)
            if !placed.isEmpty { lines += placed.map { "- \($0)" } + [""] }
            if target.actions.isEmpty {
                lines.append("No changes.")
            } else {
                let folded = target.actions.count > foldAfter
                if folded { lines += ["<details><summary>\(target.actions.count) actions</summary>", ""] }
                lines.append("| | object | changes |")
                lines.append("|---|---|---|")
                for action in target.actions {
                    let details =
                        action.changes.map { "`\($0.field)`: \($0.before.map { "\($0) → " } ?? "")\($0.after ?? "(none)")" }
                        + action.impact.map { "⚠️ \($0)" }
                        + (action.retroactive ?? []).map { "`\($0.id)` of \($0.drive), \(Self.instant($0.takenAt)): \($0.reason)" }
                    lines.append(
                        "| \(action.kind.rawValue) | \(headline(action)) | "
                            + "\(details.joined(separator: "<br>").replacingOccurrences(of: "|", with: "\\|")) |"
                    )
                }
                if folded { lines += ["", "</details>"] }
            }
            for warning in target.warnings { lines.append("- warning: \(warning)") }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Who runs each scheduler and its retention, where the plan has something to say about it.
    func placements(_ target: TargetPlan) -> [String] {
        target.placements.flatMap { placement -> [String] in
            var lines: [String] = []
            if placement.mode != .native {
                lines.append("\(target.noun) \(placement.scheduler) runs in the controller: \(placement.reason ?? "")")
            } else if let reason = placement.reason {
                lines.append("\(target.noun) \(placement.scheduler) runs natively: \(reason)")
            }
            if placement.retention == .controller {
                lines.append(
                    "\(target.noun) \(placement.scheduler): retention enforced by the controller: \(placement.retentionReason ?? "")")
            }
            return lines
        }
    }

    func summaryLine(_ plan: Plan) -> String {
        guard plan.hasChanges else {
            let unchanged = plan.targets.map(\.unchanged).reduce(0, +)
            return
                "No changes. Live state matches the policies (\(unchanged) scheduler\(unchanged == 1 ? "" : "s") "
                + "on \(plan.targets.count) target\(plan.targets.count == 1 ? "" : "s"))."
                + "\(plan.errors.isEmpty ? "" : " \(plan.errors.count) errors.")"
        }
        let summary = plan.summary
        let counts = [
            ("create", "to create"), ("update", "to update"), ("adopt", "to adopt"), ("bind", "to bind"), ("unbind", "to unbind"),
            ("delete", "to delete"),
        ].map { "\(summary[$0.0] ?? 0) \($0.1)" }
        let retroactive = plan.retroactiveDeletions
        return "Plan: " + counts.joined(separator: ", ") + "."
            + (retroactive == 0 ? "" : " Retroactive: \(retroactive) existing snapshot\(retroactive == 1 ? "" : "s") deleted.")
            + (plan.errors.isEmpty ? "" : " \(plan.errors.count) error\(plan.errors.count == 1 ? "" : "s"): nothing can be applied.")
    }

    /// `bind drive db-1 (uuid) to scheduler sfg`, `scheduler sfg (uuid)`.
    public func headline(_ action: PlannedAction) -> String {
        let id = action.id.map { " (\($0))" } ?? ""
        switch action.kind {
        case .bind: return "bind drive \(action.name)\(id) to scheduler \(action.scheduler ?? "?")"
        case .unbind: return "unbind drive \(action.name)\(id) from scheduler \(action.scheduler ?? "?")"
        default: return "\(action.kind == .adopt ? "adopt " : "")\(action.subject)\(id)"
        }
    }

    func symbol(_ kind: PlannedAction.Kind) -> String {
        switch kind {
        case .create, .bind: "+"
        case .update, .adopt: "~"
        case .delete, .unbind: "-"
        }
    }

    func paint(_ text: String, _ kind: PlannedAction.Kind) -> String {
        guard colour else { return text }
        let code =
            switch kind {
            case .create, .bind: "32"
            case .update, .adopt: "33"
            case .delete, .unbind: "31"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
