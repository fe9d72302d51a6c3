import TidemarkPolicy

/// Which local days a schedule fires on, as bit sets, with cron's day-of-month/day-of-week OR rule.
struct DayFilter: Sendable, Hashable {
    /// Bits 1–12.
    var months: UInt16
    /// Bits 1–31.
    var daysOfMonth: UInt32
    /// Bits 0–6, 0 = Sunday.
    var daysOfWeek: UInt8
    /// Vixie's rule: a day matches if either day field matches (both restricted); otherwise both must.
    var eitherDayField: Bool

    init(_ rule: ScheduleRule) {
        switch rule {
        case .cron(let cron):
            months = cron.months
            daysOfMonth = cron.daysOfMonth
            daysOfWeek = cron.daysOfWeek
            eitherDayField = cron.daysMatchEither
        case .calendar(let calendar):
            months = calendar.months.map { $0.reduce(0) { $0 | 1 << $1 } } ?? DayMask.allMonths
            daysOfMonth = calendar.daysOfMonth.map { $0.reduce(0) { $0 | 1 << $1 } } ?? DayMask.allDaysOfMonth
            daysOfWeek = calendar.days.map { $0.reduce(0) { $0 | 1 << $1.rawValue } } ?? DayMask.allDaysOfWeek
            eitherDayField = false
        }
    }

    /// The first matching day number at or after `day`, a month at a time; nil if none within `horizon` days.
    func nextMatch(onOrAfter day: Int, horizon: Int = 366 * 30) -> Int? {
        let start = CivilDate(dayNumber: day)
        var (year, month) = (start.year, start.month)
        var monthStart = day - start.day + 1
        var fromDay = start.day
        let limit = day + horizon
        while monthStart <= limit {
            let length = CivilDate.daysInMonth(year: year, month: month)
            if months & (1 << month) != 0 {
                let weekdays = Self.daysOfMonth(onWeekdays: daysOfWeek, firstOfMonth: CivilDate.weekday(ofDayNumber: monthStart))
                let dom = UInt64(daysOfMonth)
                let candidates =
                    (eitherDayField ? (dom | weekdays) : (dom & weekdays))
                    & (UInt64(2) << length - 2)  // days 1...length
                    & ~(UInt64(1) << fromDay - 1)  // days fromDay...
                if candidates != 0 {
                    let match = monthStart + candidates.trailingZeroBitCount - 1
                    return match <= limit ? match : nil
                }
            }
            monthStart += length
            fromDay = 1
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return nil
    }

    /// Bits 1–31: the days of a month, whose first day falls on weekday `first`, that fall on one of `weekdays`.
    @inline(__always)
    static func daysOfMonth(onWeekdays weekdays: UInt8, firstOfMonth first: Int) -> UInt64 {
        // Bit k: day k + 1 falls on weekday (first + k) % 7.
        let week = UInt64((weekdays >> first) | (weekdays << (7 - first))) & 0x7F
        return (week | week << 7 | week << 14 | week << 21 | week << 28) << 1
    }
}
