import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// A count of backups no smaller than what a retention policy keeps, for APIs whose only native limit is a count:
/// set that high, the API never deletes a backup the rules keep, and tidemark deletes the expired ones itself.
enum RetentionBound {
    static func count(_ rules: [RetentionRule], schedule: ScheduleSpec, now: Date) -> Int {
        guard let engine = try? Schedule(schedule) else { return 1000 }
        let perDay = max(1, engine.fires(in: now..<now.addingTimeInterval(7 * 86_400)).count / 7 + 1)
        let days = ["days": 1, "weeks": 7, "months": 31, "years": 366]
        let kept = rules.reduce(0) { total, rule in
            switch rule {
            case .age(let period, let quantity): total + perDay * (days[period.rawValue] ?? 366) * quantity + 1
            case .anchored(_, let quantity, _): total + quantity
            case .last(let count): total + count
            }
        }
        // Room for what the native scheduler takes between two controller passes.
        return kept + 2 * perDay + 2
    }
}
