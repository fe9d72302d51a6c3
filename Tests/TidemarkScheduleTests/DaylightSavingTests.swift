import Foundation
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// docs/policy-language.md#daylight-saving-time: each wall-clock slot fires once; gap slots fire at the gap's end
/// (collapsed); repeated slots fire at their first occurrence. Transition instants checked against Python's zoneinfo
/// (system tzdata).
@Suite("Daylight saving time")
struct DaylightSavingTests {
    func fires(_ schedule: Schedule, _ from: String, _ to: String) -> [String] {
        schedule.fires(in: Fixtures.instant(from)..<Fixtures.instant(to)).map { $0.formatted(.iso8601) }
    }

    @Test func zurichSpringForwardFiresGapSlotAtTheGapsEnd() {
        let schedule = Fixtures.calendar("Europe/Zurich", CalendarRule(times: Fixtures.times("02:30")))
        #expect(
            fires(schedule, "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z") == [
                "2025-03-29T01:30:00Z",  // 02:30 CET
                "2025-03-30T01:00:00Z",  // 02:30 does not exist: 03:00 CEST, the first instant after the gap
                "2025-03-31T00:30:00Z",  // 02:30 CEST
            ])
    }

    @Test func zurichFallBackFiresRepeatedSlotOnce() {
        let schedule = Fixtures.calendar("Europe/Zurich", CalendarRule(times: Fixtures.times("02:30")))
        #expect(
            fires(schedule, "2025-10-25T00:00:00Z", "2025-10-28T00:00:00Z") == [
                "2025-10-25T00:30:00Z",  // 02:30 CEST
                "2025-10-26T00:30:00Z",  // first 02:30 (CEST); the second (01:30Z, CET) does not fire
                "2025-10-27T01:30:00Z",  // 02:30 CET
            ])
    }

    @Test func zurichSeveralGapSlotsCollapseIntoOneFiring() {
        let schedule = Fixtures.calendar("Europe/Zurich", CalendarRule(times: Fixtures.every(15, "02:00-03:00")))
        #expect(fires(schedule, "2025-03-30T00:00:00Z", "2025-03-30T12:00:00Z") == ["2025-03-30T01:00:00Z"])
        #expect(
            fires(schedule, "2025-10-26T00:00:00Z", "2025-10-26T12:00:00Z") == [
                "2025-10-26T00:00:00Z", "2025-10-26T00:15:00Z", "2025-10-26T00:30:00Z", "2025-10-26T00:45:00Z",
                "2025-10-26T02:00:00Z",  // 03:00 CET; nothing fires again while 02:00–02:59 repeats
            ])
    }

    @Test func zurichCronAcrossTheGap() {
        let schedule = Fixtures.cron("Europe/Zurich", "*/30 * * * *")
        #expect(
            fires(schedule, "2025-03-30T00:00:00Z", "2025-03-30T02:00:00Z") == [
                "2025-03-30T00:00:00Z", "2025-03-30T00:30:00Z",
                "2025-03-30T01:00:00Z",  // 02:00 and 02:30 are skipped and 03:00 is the gap's end: one firing
                "2025-03-30T01:30:00Z",
            ])
    }

    @Test func newYork() {
        let gap = Fixtures.calendar("America/New_York", CalendarRule(times: Fixtures.times("02:30")))
        #expect(fires(gap, "2025-03-08T12:00:00Z", "2025-03-10T12:00:00Z") == ["2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z"])
        let fold = Fixtures.calendar("America/New_York", CalendarRule(times: Fixtures.times("01:30")))
        #expect(
            fires(fold, "2025-11-01T12:00:00Z", "2025-11-03T12:00:00Z") == [
                "2025-11-02T05:30:00Z",  // 01:30 EDT; 01:30 EST (06:30Z) does not fire
                "2025-11-03T06:30:00Z",
            ])
    }

    @Test func sydneySouthernHemisphere() {
        let schedule = Fixtures.calendar("Australia/Sydney", CalendarRule(times: Fixtures.times("02:30")))
        #expect(
            fires(schedule, "2025-04-04T00:00:00Z", "2025-04-07T00:00:00Z") == [
                "2025-04-04T15:30:00Z", "2025-04-05T15:30:00Z",  // 02:30 AEDT, the first of the two 02:30s on 6 April
                "2025-04-06T16:30:00Z",
            ])
        #expect(
            fires(schedule, "2025-10-03T00:00:00Z", "2025-10-06T00:00:00Z") == [
                "2025-10-03T16:30:00Z",
                "2025-10-04T16:00:00Z",  // 02:30 does not exist on 5 October: 03:00 AEDT
                "2025-10-05T15:30:00Z",
            ])
    }

    @Test func gmtPlusTwelveHasNoTransitions() {
        let schedule = Fixtures.calendar("Etc/GMT+12", CalendarRule(times: Fixtures.times("01:00")))
        let year = schedule.fires(in: Fixtures.instant("2025-01-01T00:00:00Z")..<Fixtures.instant("2026-01-01T00:00:00Z"))
        #expect(year.count == 365)
        #expect(zip(year, year.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 86_400 })
        #expect(year.first?.formatted(.iso8601) == "2025-01-01T13:00:00Z")
    }

    @Test func lordHoweThirtyMinuteShift() {
        let gap = Fixtures.calendar("Australia/Lord_Howe", CalendarRule(times: Fixtures.times("02:15")))
        #expect(fires(gap, "2025-10-04T00:00:00Z", "2025-10-05T12:00:00Z") == ["2025-10-04T15:30:00Z"])
        let fold = Fixtures.calendar("Australia/Lord_Howe", CalendarRule(times: Fixtures.times("01:45")))
        #expect(fires(fold, "2025-04-05T00:00:00Z", "2025-04-06T12:00:00Z") == ["2025-04-05T14:45:00Z"])
        let interval = Fixtures.calendar("Australia/Lord_Howe", CalendarRule(times: Fixtures.every(15, "01:00-03:00")))
        #expect(
            fires(interval, "2025-10-04T12:00:00Z", "2025-10-04T18:00:00Z") == [
                "2025-10-04T14:30:00Z", "2025-10-04T14:45:00Z", "2025-10-04T15:00:00Z", "2025-10-04T15:15:00Z",
                "2025-10-04T15:30:00Z",  // 02:00 and 02:15 fall in the gap and collapse with 02:30
                "2025-10-04T15:45:00Z", "2025-10-04T16:00:00Z",
            ])
        #expect(
            fires(interval, "2025-04-05T12:00:00Z", "2025-04-05T18:00:00Z") == [
                "2025-04-05T14:00:00Z", "2025-04-05T14:15:00Z", "2025-04-05T14:30:00Z", "2025-04-05T14:45:00Z",
                "2025-04-05T15:30:00Z",  // 02:00 (+10:30); 01:30–01:59 repeat without firing
                "2025-04-05T15:45:00Z", "2025-04-05T16:00:00Z", "2025-04-05T16:15:00Z", "2025-04-05T16:30:00Z",
            ])
    }

    @Test func firingInstantRules() throws {
        let zurich = try #require(ZoneRules(identifier: "Europe/Zurich"))
        func local(_ text: String) -> Int64 { Fixtures.seconds(text) }
        #expect(zurich.firingInstant(localSeconds: local("2025-03-30T02:00:00Z")) == Fixtures.seconds("2025-03-30T01:00:00Z"))
        #expect(zurich.firingInstant(localSeconds: local("2025-03-30T02:59:59Z")) == Fixtures.seconds("2025-03-30T01:00:00Z"))
        #expect(zurich.firingInstant(localSeconds: local("2025-03-30T03:00:00Z")) == Fixtures.seconds("2025-03-30T01:00:00Z"))
        #expect(zurich.firingInstant(localSeconds: local("2025-10-26T02:00:00Z")) == Fixtures.seconds("2025-10-26T00:00:00Z"))
        #expect(zurich.firingInstant(localSeconds: local("2025-10-26T03:00:00Z")) == Fixtures.seconds("2025-10-26T02:00:00Z"))
    }
}
