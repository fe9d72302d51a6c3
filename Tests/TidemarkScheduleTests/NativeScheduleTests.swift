import Foundation
import Testing
import TidemarkPolicy
import TidemarkSchedule

/// UTC cron and fixed-interval forms of schedules, for APIs that know only those.
@Suite("native schedule translations")
struct NativeScheduleTests {
    static let now = Date(timeIntervalSince1970: 1_795_600_000)  // 2026-11-24

    static func at(_ times: [String], _ zone: String, days: Set<Weekday>? = nil, daysOfMonth: Set<Int>? = nil) -> ScheduleSpec {
        ScheduleSpec(
            timezone: zone,
            rule: .calendar(CalendarRule(times: .at(times.compactMap(TimeOfDay.init(parsing:))), days: days, daysOfMonth: daysOfMonth)))
    }

    static func every(_ minutes: Int, _ zone: String) -> ScheduleSpec {
        ScheduleSpec(timezone: zone, rule: .calendar(CalendarRule(times: .every(minutes: minutes, window: .wholeDay))))
    }

    static func cron(_ text: String, _ zone: String) throws -> ScheduleSpec {
        ScheduleSpec(timezone: zone, rule: .cron(try CronExpression(parsing: text)))
    }

    @Test func fixedOffsetZonesShiftIntoUTC() throws {
        #expect(try NativeSchedule.utcCron(Self.at(["03:00"], "Etc/GMT-1"), from: Self.now).get() == "0 2 * * *")
        #expect(
            try NativeSchedule.utcCron(Self.at(["00:30"], "Etc/GMT-2", days: [.monday]), from: Self.now).get() == "30 22 * * 0",
            "Monday 00:30 at UTC+2 is Sunday 22:30 UTC")
        #expect(try NativeSchedule.utcCron(Self.at(["01:00", "13:00"], "UTC"), from: Self.now).get() == "0 1,13 * * *")
        #expect(try NativeSchedule.utcCron(try Self.cron("15 4 1 * *", "Etc/UTC"), from: Self.now).get() == "15 4 1 * *")
        #expect(try NativeSchedule.utcCron(Self.every(15, "Asia/Kolkata"), from: Self.now).get() == "0,15,30,45 * * * *")
        #expect(
            NativeSchedule.utcCron(Self.every(15, "Europe/Zurich"), from: Self.now).failure?.description
                == "daylight saving time in Europe/Zurich moves its UTC times (around 2027-10-31)",
            """
            a repeated hour fires once (docs/policy-language.md#daylight-saving-time), \
            so even a quarter-hourly schedule differs from UTC cron when clocks fall back
            """
        )
    }

    @Test func daylightSavingTimeAndDayShiftsOfMonthDaysAreRefusedWithTheReason() throws {
        #expect(
            NativeSchedule.utcCron(Self.at(["01:30"], "Europe/Zurich"), from: Self.now).failure?.description
                == "daylight saving time in Europe/Zurich moves its UTC times (around 2027-03-28)")
        #expect(
            NativeSchedule.utcCron(Self.at(["00:30"], "Etc/GMT-2", daysOfMonth: [1]), from: Self.now).failure?.description
                == "in UTC it fires on a different day of the month than in Etc/GMT-2")
        #expect(
            NativeSchedule.utcCron(Self.at(["01:00", "03:30"], "UTC"), from: Self.now).failure != nil,
            "01:00 and 03:30 are no minute × hour grid")
        #expect(
            NativeSchedule.utcCron(Self.at(["02:00"], "UTC", days: [.monday], daysOfMonth: [1]), from: Self.now).failure?.description
                == "it needs both a day of the month and a day of the week, which cron treats as either")
    }

    @Test func intervalsStartAtTheFirstFireOfAFixedAnchor() throws {
        let twelve = try NativeSchedule.interval(Self.every(720, "UTC"), from: Self.now).get()
        #expect(twelve.seconds == 43_200)
        #expect(twelve.start == Date(timeIntervalSince1970: 1_767_225_600))
        let daily = try NativeSchedule.interval(Self.at(["02:00"], "Etc/GMT-1"), from: Self.now).get()
        #expect(daily.seconds == 86_400)
        #expect(daily.start == Date(timeIntervalSince1970: 1_767_225_600 + 3600))
        let weekly = try NativeSchedule.interval(Self.at(["02:00"], "UTC", days: [.monday]), from: Self.now).get()
        #expect(weekly.seconds == 7 * 86_400)
        #expect(
            NativeSchedule.interval(Self.at(["02:00"], "Europe/Zurich"), from: Self.now).failure?.description
                == "daylight saving time in Europe/Zurich moves its fires (around 2027-03-28)")
        #expect(
            NativeSchedule.interval(Self.at(["02:00", "03:00"], "UTC"), from: Self.now).failure?.description
                == "its fires are not evenly spaced")
    }

    /// Every translation fires exactly when the schedule does, over a year, in a sample of fixed-offset zones; only a
    /// month filter whose day moves in UTC has no translation.
    @Test(arguments: ["Etc/GMT-1", "Etc/GMT+5", "Etc/GMT-14", "Asia/Kolkata"])
    func translationsFireAtTheSameInstantsForAYear(_ zone: String) throws {
        let year = Self.now..<Self.now.addingTimeInterval(366 * 86_400)
        var translated = 0
        for spec in [
            Self.at(["00:15"], zone), Self.at(["23:45"], zone, days: [.sunday, .wednesday]), Self.every(60, zone),
            try Self.cron("5 6 * 2-4 1-5", zone),
        ] {
            guard case .success(let text) = NativeSchedule.utcCron(spec, from: Self.now) else { continue }
            translated += 1
            let utc = try Schedule(try Self.cron(text, "UTC"))
            #expect(try Schedule(spec).fires(in: year) == utc.fires(in: year), "\(spec.summary) → \(text)")
        }
        #expect(translated >= 3)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
