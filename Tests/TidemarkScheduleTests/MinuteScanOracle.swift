import Foundation
import TidemarkPolicy

@testable import TidemarkSchedule

/// An independent, deliberately naive model of docs/policy-language.md#schedules, for checking the engine.
///
/// It walks UTC minute by minute and reads the wall clock with Foundation's `TimeZone`. A slot fires at the first
/// instant the wall clock shows the slot's time or a later one: after a spring-forward jump every skipped slot
/// fires at the jump (collapsing into one firing), and when clocks fall back nothing fires again.
struct MinuteScanOracle {
    let spec: ScheduleSpec
    let zone: TimeZone
    private let days = DayCache()

    init(_ spec: ScheduleSpec) {
        self.spec = spec
        self.zone = TimeZone(identifier: spec.timezone)!
    }

    /// Fire instants (seconds) in `(after, through]`, scanning from a day before `after` to find the clock's high mark.
    func fires(after: Int64, through: Int64) -> [Int64] {
        var result: [Int64] = []
        var start = (after / 60 - 1440 * 2) * 60
        var highMark = localMinute(at: start)
        start += 60
        var instant = start
        while instant <= through {
            let local = localMinute(at: instant)
            if local > highMark {
                let fired = (highMark + 1...local).contains(where: isSlot)
                if fired, instant > after { result.append(instant) }
                highMark = local
            }
            instant += 60
        }
        return result
    }

    private func localMinute(at instant: Int64) -> Int64 {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        return Int64((Double(instant + offset) / 60).rounded(.down))
    }

    /// Whether a local minute (since the local epoch) is a slot of the schedule, judged from the spec directly.
    func isSlot(_ minute: Int64) -> Bool {
        let day = Int((Double(minute) / 1440).rounded(.down))
        let ofDay = Int(minute - Int64(day) * 1440)
        switch spec.rule {
        case .cron(let cron):
            guard dayMatches(day, cron: cron) else { return false }
            return cron.hours & (1 << (ofDay / 60)) != 0 && cron.minutes & (1 << (ofDay % 60)) != 0
        case .calendar(let rule):
            // A slot belongs to the day its window starts on, which for a wrapping window may be yesterday.
            return [(day, ofDay), (day - 1, ofDay + 1440)].contains { owner, offset in
                dayMatches(owner, rule: rule) && timeMatches(offset, rule.times)
            }
        }
    }

    private func timeMatches(_ offset: Int, _ times: DailyTimes) -> Bool {
        switch times {
        case .at(let list):
            return list.contains { $0.minutesSinceMidnight == offset }
        case .every(let minutes, let window):
            let start = window.start.minutesSinceMidnight
            var end = window.end.minutesSinceMidnight
            if end < start { end += 1440 }
            return offset >= start && offset <= end && (offset - start) % minutes == 0
        }
    }

    private func components(_ day: Int) -> DateComponents {
        if let cached = days.components[day] { return cached }
        let parts = days.calendar.dateComponents(
            [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: TimeInterval(day) * 86_400))
        days.components[day] = parts
        return parts
    }

    /// Foundation's calendar is slow; the oracle asks about the same few days thousands of times.
    private final class DayCache {
        var components: [Int: DateComponents] = [:]
        let calendar: Calendar = {
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            return utc
        }()
    }

    private func dayMatches(_ day: Int, rule: CalendarRule) -> Bool {
        let parts = components(day)
        if let months = rule.months, !months.contains(parts.month!) { return false }
        if let days = rule.daysOfMonth, !days.contains(parts.day!) { return false }
        if let weekdays = rule.days, !weekdays.contains(Weekday(rawValue: parts.weekday! - 1)!) { return false }
        return true
    }

    private func dayMatches(_ day: Int, cron: CronExpression) -> Bool {
        let parts = components(day)
        guard cron.months & (1 << parts.month!) != 0 else { return false }
        let dom = cron.daysOfMonth & (1 << parts.day!) != 0
        let dow = cron.daysOfWeek & (1 << (parts.weekday! - 1)) != 0
        return cron.daysMatchEither ? dom || dow : dom && dow
    }
}

enum Fixtures {
    /// The repository root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The policies/ directory of the repository, loaded and validated.
    static let seedPolicies: PolicySet = {
        let result = try! PolicyLoader(providers: { _ in nil }).load(path: repositoryRoot.appendingPathComponent("policies").path)
        precondition(result.isValid, "policies/ does not validate: \(result.diagnostics)")
        return result.policies
    }()

    static func instant(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    static func seconds(_ text: String) -> Int64 {
        Int64(instant(text).timeIntervalSince1970)
    }

    static func iso(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    static func calendar(_ timezone: String, _ rule: CalendarRule) -> Schedule {
        try! Schedule(ScheduleSpec(timezone: timezone, rule: .calendar(rule)))
    }

    static func cron(_ timezone: String, _ expression: String) -> Schedule {
        try! Schedule(ScheduleSpec(timezone: timezone, rule: .cron(try! CronExpression(parsing: expression))))
    }

    static func times(_ list: String...) -> DailyTimes {
        .at(list.map { TimeOfDay(parsing: $0)! })
    }

    static func every(_ minutes: Int, _ window: String = "00:00-23:59") -> DailyTimes {
        .every(minutes: minutes, window: TimeWindow(parsing: window)!)
    }
}
