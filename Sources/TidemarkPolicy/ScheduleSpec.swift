/// When a scheduler fires, in a named IANA timezone (docs/policy-language.md#schedules).
public struct ScheduleSpec: Sendable, Hashable {
    public var timezone: String
    public var rule: ScheduleRule

    public init(timezone: String, rule: ScheduleRule) {
        self.timezone = timezone
        self.rule = rule
    }
}

/// Either the unified calendar form or a raw cron expression.
public enum ScheduleRule: Sendable, Hashable {
    case calendar(CalendarRule)
    case cron(CronExpression)
}

/// Fixed times or an interval within a window, on the days that match every given day filter.
public struct CalendarRule: Sendable, Hashable {
    public var times: DailyTimes
    /// Days of the week; nil means every day.
    public var days: Set<Weekday>?
    /// Days of the month (1–31); nil means any.
    public var daysOfMonth: Set<Int>?
    /// Months (1–12); nil means any.
    public var months: Set<Int>?

    public init(times: DailyTimes, days: Set<Weekday>? = nil, daysOfMonth: Set<Int>? = nil, months: Set<Int>? = nil) {
        self.times = times
        self.days = days
        self.daysOfMonth = daysOfMonth
        self.months = months
    }
}

/// The slots of one matching day.
public enum DailyTimes: Sendable, Hashable {
    /// Fixed local times.
    case at([TimeOfDay])
    /// `window.start`, `+every`, … while within the window (which may wrap past midnight).
    case every(minutes: Int, window: TimeWindow)
}
