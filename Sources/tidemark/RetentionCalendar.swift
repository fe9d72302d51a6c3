import Foundation
import TidemarkPolicy
import TidemarkSchedule

/// Renders retention decisions as a month-by-day grid, so the son/father/grandfather pattern shows at a glance.
///
/// Each cell is one local day: the number of the first rule that keeps a snapshot of that day, `N` when only the
/// newest-successful safety keeps it, `·` when every snapshot of the day is deleted, blank when none was taken.
struct RetentionCalendar {
    let policy: RetentionPolicySpec
    let decisions: [RetentionDecision]
    let zone: ZoneRules

    func render() -> [String] {
        var lines = ["legend: " + policy.rules.enumerated().map { "\(glyph(rule: $0.offset)) = \($0.element)" }.joined(separator: "   ")]
        lines.append("        N = newest successful only   · = deleted   blank = no snapshot")
        lines.append("")
        var days: [Int: (glyph: Character, taken: Int, kept: Int)] = [:]
        for decision in decisions {
            let instant = Int64(decision.snapshot.takenAt.timeIntervalSince1970.rounded(.down))
            let local = zone.localSeconds(at: instant)
            let day = CivilDate.split(localSeconds: local).dayNumber
            var cell = days[day] ?? ("·", 0, 0)
            cell.taken += 1
            if decision.keep {
                cell.kept += 1
                let candidate = glyph(for: decision.reasons)
                if cell.glyph == "·" || rank(candidate) < rank(cell.glyph) { cell.glyph = candidate }
            }
            days[day] = cell
        }
        guard let first = days.keys.min(), let last = days.keys.max() else { return lines + ["no snapshots in the simulated period"] }
        lines.append("          " + (1...31).map { $0 % 5 == 0 || $0 == 1 ? String($0 % 10) : " " }.joined() + "    kept/taken")
        var month = CivilDate(dayNumber: first)
        month = CivilDate(year: month.year, month: month.month, day: 1)
        let end = CivilDate(dayNumber: last)
        var perRule = [Int](repeating: 0, count: policy.rules.count)
        for decision in decisions {
            for case .rule(let index) in decision.reasons { perRule[index] += 1 }
        }
        while month <= end {
            let start = month.dayNumber
            var row = ""
            var taken = 0
            var kept = 0
            for offset in 0..<CivilDate.daysInMonth(year: month.year, month: month.month) {
                if let cell = days[start + offset] {
                    row.append(cell.glyph)
                    taken += cell.taken
                    kept += cell.kept
                } else {
                    row.append(" ")
                }
            }
            let label = "\(month)".prefix(7)
            lines.append("\(label)   \(row.padding(toLength: 31, withPad: " ", startingAt: 0))    \(kept)/\(taken)")
            month = month.addingMonths(1)
        }
        lines.append("")
        lines.append(
            policy.rules.enumerated().map { "rule \($0.offset + 1) keeps \(perRule[$0.offset])" }.joined(separator: ", ")
                + "; \(decisions.filter(\.keep).count) of \(decisions.count) kept in all")
        return lines
    }

    private func glyph(rule index: Int) -> Character {
        let symbols = Array("123456789abcdefghijklmnopqrstuvwxyz")
        return index < symbols.count ? symbols[index] : "+"
    }

    private func glyph(for reasons: [RetentionReason]) -> Character {
        let rules = reasons.compactMap { if case .rule(let index) = $0 { index } else { nil } }
        if let first = rules.min() { return glyph(rule: first) }
        return "N"
    }

    private func rank(_ glyph: Character) -> Int {
        if glyph == "N" { return 1_000 }
        if glyph == "·" { return 2_000 }
        return Array("123456789abcdefghijklmnopqrstuvwxyz").firstIndex(of: glyph) ?? 999
    }
}
