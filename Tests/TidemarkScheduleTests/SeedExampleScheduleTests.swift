import Foundation
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// The eleven example schedulers of seed 000, as written in policies/, over the year 2025.
@Suite("Seed examples: fire counts and instants over 2025")
struct SeedExampleScheduleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let scheduler: String
        /// Hand-computed: fires per day × days (or the number of matching days) in 2025.
        let countIn2025: Int
        let first: [String]
        let last: String
        var testDescription: String { scheduler }
    }

    static let cases: [Case] = [
        // 24 h × 60 / 45 = 32 slots a day (00:00 … 23:15), 365 days.
        Case(
            scheduler: "every-45-minutes", countIn2025: 32 * 365,
            first: ["2025-01-01T00:00:00Z", "2025-01-01T00:45:00Z", "2025-01-01T01:30:00Z"], last: "2025-12-31T23:15:00Z"),
        // 07:00 and 19:00; 07:00 + 24 h is past the wrapped window's end (06:45 next day).
        Case(
            scheduler: "every-12-hours", countIn2025: 2 * 365,
            first: ["2025-01-01T07:00:00Z", "2025-01-01T19:00:00Z", "2025-01-02T07:00:00Z"], last: "2025-12-31T19:00:00Z"),
        // 52 Sundays in 2025 (5 January … 28 December).
        Case(
            scheduler: "every-sunday-2300", countIn2025: 52,
            first: ["2025-01-05T23:00:00Z", "2025-01-12T23:00:00Z", "2025-01-19T23:00:00Z"], last: "2025-12-28T23:00:00Z"),
        Case(
            scheduler: "first-of-month-2359", countIn2025: 12,
            first: ["2025-01-01T23:59:00Z", "2025-02-01T23:59:00Z", "2025-03-01T23:59:00Z"], last: "2025-12-01T23:59:00Z"),
        // 20:00, 21:00, 22:00, 23:00 London time; 19:00Z … 22:00Z in summer.
        Case(
            scheduler: "every-hour-evening", countIn2025: 4 * 365,
            first: ["2025-01-01T20:00:00Z", "2025-01-01T21:00:00Z", "2025-01-01T22:00:00Z"], last: "2025-12-31T23:00:00Z"),
        // 52 Saturdays + 52 Sundays, 4 times each.
        Case(
            scheduler: "defined-hours", countIn2025: 4 * 104,
            first: ["2025-01-04T02:00:00Z", "2025-01-04T06:00:00Z", "2025-01-04T20:00:00Z"], last: "2025-12-28T22:15:00Z"),
        // 261 weekdays in 2025.
        Case(
            scheduler: "weekday-3am", countIn2025: 261,
            first: ["2025-01-01T03:00:00Z", "2025-01-02T03:00:00Z", "2025-01-03T03:00:00Z"], last: "2025-12-31T03:00:00Z"),
        // 52 Mondays + 53 Wednesdays + 52 Fridays, at 07:00 and 19:00.
        Case(
            scheduler: "weekdays-workhours", countIn2025: 2 * 157,
            first: ["2025-01-01T07:00:00Z", "2025-01-01T19:00:00Z", "2025-01-03T07:00:00Z"], last: "2025-12-31T19:00:00Z"),
        Case(
            scheduler: "bi-monthly", countIn2025: 6,
            first: ["2025-02-01T17:00:00Z", "2025-04-01T17:00:00Z", "2025-06-01T17:00:00Z"], last: "2025-12-01T17:00:00Z"),
        Case(
            scheduler: "first-of-month-backup", countIn2025: 12,
            first: ["2025-01-01T23:00:00Z", "2025-02-01T23:00:00Z", "2025-03-01T23:00:00Z"], last: "2025-12-01T23:00:00Z"),
        // 01:00 at GMT-12 is 13:00Z.
        Case(
            scheduler: "sfg", countIn2025: 365,
            first: ["2025-01-01T13:00:00Z", "2025-01-02T13:00:00Z", "2025-01-03T13:00:00Z"], last: "2025-12-31T13:00:00Z"),
    ]

    @Test(arguments: cases)
    func yearOfFires(_ example: Case) throws {
        let scheduler = try #require(Fixtures.seedPolicies.scheduler(named: example.scheduler))
        let schedule = try Schedule(scheduler.spec.schedule)
        let fires = schedule.fires(in: Fixtures.instant("2025-01-01T00:00:00Z")..<Fixtures.instant("2026-01-01T00:00:00Z"))
        #expect(fires.count == example.countIn2025)
        #expect(fires.prefix(3).map { $0.formatted(.iso8601) } == example.first)
        #expect(fires.last?.formatted(.iso8601) == example.last)
        #expect(zip(fires, fires.dropFirst()).allSatisfy { $0 < $1 })
        let oracle = MinuteScanOracle(scheduler.spec.schedule)
            .fires(after: Fixtures.seconds("2024-12-31T23:59:59Z"), through: Fixtures.seconds("2025-12-31T23:59:59Z"))
        #expect(fires.map { Int64($0.timeIntervalSince1970) } == oracle)
    }

    @Test func allElevenExamplesArePresent() {
        #expect(Fixtures.seedPolicies.schedulers.count == 11)
        #expect(Set(Self.cases.map(\.scheduler)) == Set(Fixtures.seedPolicies.schedulers.map(\.name)))
    }
}
