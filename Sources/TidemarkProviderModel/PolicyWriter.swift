import Foundation
import TidemarkJSON
import TidemarkPolicy

/// Writes policy YAML for live objects, so a team can adopt what already exists (`tidemark import`): the pieces every
/// provider's importer shares; each provider folder extends it with its own documents.
public enum PolicyWriter {
    /// `  schedule:` and its fields, under a document's `spec:`.
    public static func schedule(_ spec: ScheduleSpec) -> [String] {
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
    public static func quote(_ text: String) -> String {
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
