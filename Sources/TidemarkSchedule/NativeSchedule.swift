import Foundation
import TidemarkPolicy

/// Translations of a schedule into the native forms of APIs that know only UTC cron or a fixed interval, used only
/// when they fire at exactly the same instants (docs/providers.md#native-or-controller: tidemark never silently
/// changes what a policy means).
///
/// A candidate is built at the UTC offset in force at `from` and then checked against the schedule engine over the
/// next eight days and around every UTC-offset change in the following 400 days.
public enum NativeSchedule {
    /// A 5-field cron expression in UTC with the same fires as `spec`, or why there is none.
    public static func utcCron(_ spec: ScheduleSpec, from: Date) -> Result<String, Inexpressible> {
        let schedule: Schedule
        do { schedule = try Schedule(spec) } catch { return .failure(Inexpressible("\(error)")) }
        let offsetMinutes = Int(schedule.zone.offset(at: Schedule.seconds(from)) / 60)
        var shifts = Set<Int>()
        var minutes = Set<Int>()
        var hours = Set<Int>()
        var utc = Set<Int>()
        for slot in schedule.slots {
            let minute = slot - offsetMinutes
            let shift = Int((Double(minute) / 1440).rounded(.down))
            let ofDay = minute - shift * 1440
            shifts.insert(shift)
            utc.insert(ofDay)
            minutes.insert(ofDay % 60)
            hours.insert(ofDay / 60)
        }
        guard utc.count == minutes.count * hours.count else {
            return .failure(
                Inexpressible(
                    "its UTC times (\(utc.sorted().prefix(4).map(clock).joined(separator: ", "))…) are not one cron minute × hour grid"))
        }
        let days = schedule.days
        let domRestricted = days.daysOfMonth != DayMask.allDaysOfMonth
        let monthsRestricted = days.months != DayMask.allMonths
        let dowRestricted = days.daysOfWeek != DayMask.allDaysOfWeek
        if domRestricted, dowRestricted, !days.eitherDayField {
            return .failure(Inexpressible("it needs both a day of the month and a day of the week, which cron treats as either"))
        }
        var dow = days.daysOfWeek
        if domRestricted || monthsRestricted || dowRestricted {
            guard shifts.count == 1, let shift = shifts.first else {
                return .failure(Inexpressible("in UTC its times fall on different days than in \(spec.timezone)"))
            }
            if shift != 0 {
                guard !domRestricted, !monthsRestricted else {
                    return .failure(Inexpressible("in UTC it fires on a different day of the month than in \(spec.timezone)"))
                }
                dow = (0..<7).reduce(0) { bits, day in days.daysOfWeek & (1 << day) != 0 ? bits | 1 << ((day + shift + 7) % 7) : bits }
            }
        }
        let text = [
            field(minutes, range: 0..<60), field(hours, range: 0..<24), field(bits: UInt64(days.daysOfMonth), range: 1..<32),
            field(bits: UInt64(days.months), range: 1..<13), field(bits: UInt64(dow), range: 0..<7),
        ].joined(separator: " ")
        guard let cron = try? CronExpression(parsing: text),
            let utcSchedule = try? Schedule(ScheduleSpec(timezone: "UTC", rule: .cron(cron)))
        else {
            return .failure(Inexpressible("no cron expression fits"))
        }
        for window in windows(schedule.zone.identifier, from: from) where schedule.fires(in: window) != utcSchedule.fires(in: window) {
            return .failure(Inexpressible("daylight saving time in \(spec.timezone) moves its UTC times (around \(day(window)))"))
        }
        return .success(text)
    }

    /// A fixed interval in seconds and the first fire on or after `anchor`, with the same fires as `spec`, or why
    /// there is none. The anchor keeps the start date stable from one plan to the next.
    public static func interval(
        _ spec: ScheduleSpec, from: Date,
        anchor: Date = Date(timeIntervalSince1970: 1_767_225_600)
    ) -> Result<(seconds: Int, start: Date), Inexpressible> {
        let schedule: Schedule
        do { schedule = try Schedule(spec) } catch { return .failure(Inexpressible("\(error)")) }
        let first = schedule.nextFires(after: anchor.addingTimeInterval(-1), count: 3)
        guard first.count == 3 else { return .failure(Inexpressible("it fires fewer than three times")) }
        let seconds = Int(first[1].timeIntervalSince(first[0]))
        guard seconds > 0, seconds % 60 == 0, Int(first[2].timeIntervalSince(first[1])) == seconds else {
            return .failure(Inexpressible("its fires are not evenly spaced"))
        }
        let start = first[0]
        for (index, window) in windows(schedule.zone.identifier, from: from).enumerated() {
            let fires = schedule.fires(in: window)
            let steps = Int((window.lowerBound.timeIntervalSince(start) / Double(seconds)).rounded(.up))
            let expected = stride(from: start.addingTimeInterval(Double(steps * seconds)), to: window.upperBound, by: Double(seconds)).map {
                $0
            }
            if fires != expected {
                return .failure(
                    Inexpressible(
                        index == 0
                            ? "its fires are not evenly spaced"
                            : "daylight saving time in \(spec.timezone) moves its fires (around \(day(window)))"))
            }
        }
        return .success((seconds, start))
    }

    /// Why a schedule has no native form.
    public struct Inexpressible: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Eight days from `from`, then two days either side of each UTC-offset change in the 400 days after it.
    static func windows(_ zone: String, from: Date) -> [Range<Date>] {
        var windows = [from..<from.addingTimeInterval(8 * 86_400)]
        guard let timeZone = TimeZone(identifier: zone) else { return windows }
        var cursor = from
        let end = from.addingTimeInterval(400 * 86_400)
        while let transition = timeZone.nextDaylightSavingTimeTransition(after: cursor), transition < end {
            windows.append(transition.addingTimeInterval(-2 * 86_400)..<transition.addingTimeInterval(2 * 86_400))
            cursor = transition
        }
        return windows
    }

    static func field(_ values: Set<Int>, range: Range<Int>) -> String {
        values.count == range.count ? "*" : values.sorted().map(String.init).joined(separator: ",")
    }

    static func field(bits: UInt64, range: Range<Int>) -> String {
        field(Set(range.filter { bits & (1 << $0) != 0 }), range: range)
    }

    static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    static func day(_ window: Range<Date>) -> String {
        window.lowerBound.addingTimeInterval(2 * 86_400).formatted(.iso8601.year().month().day())
    }
}
