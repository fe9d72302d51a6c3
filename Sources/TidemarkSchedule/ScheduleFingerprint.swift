import TidemarkPolicy

/// What a schedule means, independent of how it is written: two specs with equal fingerprints fire at the
/// same instants. The diff compares fingerprints, so `cron: "0 3 * * 1-5"` equals `at: ["03:00"], days: weekdays`.
public struct ScheduleFingerprint: Sendable, Hashable {
    public let timezone: String
    let months: UInt16
    let daysOfMonth: UInt32
    let daysOfWeek: UInt8
    let eitherDayField: Bool
    let slots: [Int]
}

extension Schedule {
    public var fingerprint: ScheduleFingerprint {
        // With the OR rule, a full day-of-week field matches every day, as does a full day-of-month field.
        let everyDay = days.eitherDayField && (days.daysOfWeek == DayMask.allDaysOfWeek || days.daysOfMonth == DayMask.allDaysOfMonth)
        return ScheduleFingerprint(
            timezone: zone.identifier, months: days.months,
            daysOfMonth: everyDay ? DayMask.allDaysOfMonth : days.daysOfMonth,
            daysOfWeek: everyDay ? DayMask.allDaysOfWeek : days.daysOfWeek,
            eitherDayField: everyDay ? false : days.eitherDayField, slots: slots)
    }
}

extension ScheduleSpec {
    /// The fingerprint of this spec, or nil when its timezone is unknown to this system.
    public var fingerprint: ScheduleFingerprint? {
        try? Schedule(self).fingerprint
    }
}
