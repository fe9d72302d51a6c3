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

    func matches(_ date: CivilDate, dayNumber: Int) -> Bool {
        guard months & (1 << date.month) != 0 else { return false }
        let dom = daysOfMonth & (1 << date.day) != 0
        let dow = daysOfWeek & (1 << CivilDate.weekday(ofDayNumber: dayNumber)) != 0
        return eitherDayField ? (dom || dow) : (dom && dow)
    }

    /// The first matching day number at or after `day`, skipping whole months that do not match;
    /// nil if none within `horizon` days.
    func nextMatch(onOrAfter day: Int, horizon: Int = 366 * 30) -> Int? {
        var current = day
        let limit = day + horizon
        while current <= limit {
            let date = CivilDate(dayNumber: current)
            if months & (1 << date.month) == 0 {
                current = nextAllowedMonthStart(after: date)
                continue
            }
            let monthEnd = current + CivilDate.daysInMonth(year: date.year, month: date.month) - date.day
            var dayOfMonth = date.day
            while current <= monthEnd {
                let dom = daysOfMonth & (1 << dayOfMonth) != 0
                let dow = daysOfWeek & (1 << CivilDate.weekday(ofDayNumber: current)) != 0
                if eitherDayField ? (dom || dow) : (dom && dow) { return current }
                current += 1
                dayOfMonth += 1
            }
        }
        return nil
    }

    private func nextAllowedMonthStart(after date: CivilDate) -> Int {
        var year = date.year
        var month = date.month + 1
        while true {
            if month > 12 {
                month = 1
                year += 1
            }
            if months & (1 << month) != 0 { return CivilDate(year: year, month: month, day: 1).dayNumber }
            month += 1
        }
    }
}
