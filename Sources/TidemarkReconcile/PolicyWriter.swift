import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviders

/// Writes policy YAML for live objects, so a team can adopt what already exists (`tidemark import`).
public enum PolicyWriter {
    /// One file's text: the scheduler's RetentionPolicy, the Scheduler (with `adopt: true`) and a DriveBinding
    /// for the drives bound to it.
    public static func document(name: String, target: String, state: SchedulerState, drives: [LiveDrive]) -> String {
        var lines = [
            "# Imported by tidemark from \(quote(state.displayName)); applying it adopts the live object.",
            "apiVersion: tidemark.io/v1", "kind: RetentionPolicy", "metadata: {name: \(name)}", "spec:",
            "  displayName: \(quote(state.retentionName))", "  rules:",
        ]
        lines += state.retention.map { "    - \($0)" }
        if state.retention.isEmpty { lines[lines.count - 1] = "  rules: []" }
        lines += [
            "---", "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:",
            "  target: \(target)", "  type: \(state.type.rawValue)", "  displayName: \(quote(state.displayName))",
            "  enabled: \(state.enabled)",
        ]
        lines += schedule(state.schedule)
        lines += [
            "  retention: \(name)",
            "  notifications: {backup: \(state.notifications.backup), retention: \(state.notifications.retention)}",
        ]
        if !state.remoteLocation.isEmpty { lines.append("  remoteLocation: \(quote(state.remoteLocation))") }
        if let window = state.window { lines += ["  options:", "    window: \(quote(window.description))"] }
        lines.append("  adopt: true")
        if !drives.isEmpty {
            lines += [
                "---", "apiVersion: tidemark.io/v1", "kind: DriveBinding", "metadata: {name: \(name)}", "spec:",
                "  target: \(target)", "  scheduler: \(name)", "  drives:",
                "    uuids: [" + drives.map(\.id).sorted().joined(separator: ", ") + "]",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `  schedule:` and its fields, under a document's `spec:`.
    static func schedule(_ spec: ScheduleSpec) -> [String] {
        var lines = ["  schedule:", "    timezone: \(spec.timezone)"]
        switch spec.rule {
        case .cron(let cron):
            lines.append("    cron: \(quote(cron.source))")
        case .calendar(let rule):
            switch rule.times {
            case .at(let times): lines.append("    at: [" + times.map { quote($0.description) }.joined(separator: ", ") + "]")
            case .every(let minutes, let window):
                lines.append("    every: \(minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes)m")")
                if window != .wholeDay { lines.append("    window: \(quote(window.description))") }
            }
            if let days = rule.days {
                lines.append("    days: [" + Weekday.allCases.filter(days.contains).map(\.shortName).joined(separator: ", ") + "]")
            }
            if let days = rule.daysOfMonth {
                lines.append("    daysOfMonth: [" + days.sorted().map(String.init).joined(separator: ", ") + "]")
            }
            if let months = rule.months { lines.append("    months: [" + months.sorted().map(String.init).joined(separator: ", ") + "]") }
        }
        return lines
    }

    /// A scheduled-backup plan as a BackupPlan document with `adopt: true`.
    public static func backupPlan(name: String, target: String, state: SchedulerState) -> String {
        let resources = (try? JSON.parse(Data((state.options[ScheduledBackupMapping.resources] ?? "[]").utf8)))?.arrayValue ?? []
        var lines = [
            "# Imported by tidemark from plan \(quote(state.displayName)); applying it adopts the live plan.",
            "apiVersion: tidemark.io/v1", "kind: BackupPlan", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(state.displayName))", "  mode: \(state.options[ScheduledBackupMapping.mode] ?? "full")", "  resources:",
        ]
        lines += resources.map {
            "    - {id: \(quote($0["id"]?.stringValue ?? "")), name: \(quote($0["name"]?.stringValue ?? "")), type: \(quote($0["type"]?.stringValue ?? ""))}"
        }
        lines += schedule(state.schedule)
        lines += [
            "  retention: {last: \(state.options[ScheduledBackupMapping.maxBackups] ?? "1")}", "  suspended: \(!state.enabled)",
            "  adopt: true",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Danube backup definitions of one name and settings as a Scheduler with `adopt: true` and a DriveBinding for
    /// their VM disks.
    public static func danubeDefinition(name: String, target: String, state: SchedulerState, drives: [String]) -> String {
        var lines = [
            "# Imported by tidemark from backup definition \(quote(state.displayName)); applying it adopts the live definitions.",
            "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(state.displayName))", "  enabled: \(state.enabled)",
        ]
        lines += schedule(state.schedule)
        lines += [
            "  retention: {last: \(state.options[DanubeMapping.retention] ?? "1")}", "  options:",
            "    node: \(quote(state.options[DanubeMapping.node] ?? ""))",
            "    zpool: \(quote(state.options[DanubeMapping.zpool] ?? "zones"))",
        ]
        if let limit = state.options[DanubeMapping.bwlimit], !limit.isEmpty { lines.append("    bwlimit: \(quote(limit))") }
        lines += [
            "  adopt: true", "---", "apiVersion: tidemark.io/v1", "kind: DriveBinding", "metadata: {name: \(name)}", "spec:",
            "  target: \(target)", "  scheduler: \(name)", "  drives:",
            "    names: [" + drives.sorted().map(quote).joined(separator: ", ") + "]",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A freezer job as a Scheduler with `adopt: true`; nil when its interval and start date have no calendar form.
    public static func freezerJob(name: String, target: String, description: String, state: SchedulerState) -> String? {
        guard
            let spec = FreezerMapping.calendar(
                interval: state.options[FreezerMapping.interval] ?? "", start: state.options[FreezerMapping.startDate] ?? "")
        else { return nil }
        var lines = [
            "# Imported by tidemark from job \(quote(description)); applying it adopts the live job.",
            "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(description))", "  enabled: \(state.enabled)",
        ]
        lines += schedule(spec)
        if let days = state.options[FreezerMapping.removeOlderThan], !days.isEmpty {
            lines.append("  retention: {period: days, quantity: \(days)}")
        }
        lines.append("  options:")
        for (option, field) in [
            ("clientId", FreezerMapping.clientID), ("backupName", "backup_name"), ("container", "container"),
            ("pathToBackup", "path_to_backup"), ("storage", "storage"), ("mode", "mode"),
        ] {
            if let value = state.options[field], !value.isEmpty { lines.append("    \(option): \(quote(value))") }
        }
        lines.append("  adopt: true")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A policy name from a display name: lower-case letters, digits and '-', unique among `taken`.
    public static func name(for displayName: String, taken: Set<String>) -> String {
        var slug = ""
        for character in displayName.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                slug.append(character)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.last == "-" { slug.removeLast() }
        let base = String((slug.isEmpty ? "imported" : slug).prefix(56))
        var candidate = base
        var counter = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }

    /// A YAML double-quoted scalar.
    static func quote(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
