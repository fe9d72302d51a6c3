import Foundation
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// Each seed example's "Snapshot Timeline": simulate two years with retention applied after every snapshot,
/// and count what is retained right after each snapshot during the second year.
@Suite("Seed examples: snapshots retained (the pages' Snapshot Timeline figures)")
struct SeedRetentionFigureTests {
    struct Figure: CustomTestStringConvertible, Sendable {
        let scheduler: String
        let fewest: Int
        let most: Int
        var testDescription: String { scheduler }
    }

    /// Where a page's figure is a single number the simulation must hit it every time; where the page
    /// approximates (or its arithmetic is off) the exact range is asserted and explained in docs/policy-language.md.
    static let figures: [Figure] = [
        Figure(scheduler: "every-45-minutes", fewest: 64, most: 64),  // page: 32 × 2 = 64
        Figure(scheduler: "every-12-hours", fewest: 4, most: 4),  // page: 4
        Figure(scheduler: "every-sunday-2300", fewest: 4, most: 4),  // page: 4
        Figure(scheduler: "first-of-month-2359", fewest: 6, most: 6),  // page: 6
        Figure(scheduler: "every-hour-evening", fewest: 28, most: 28),  // page: 4 × 7 = 28
        Figure(scheduler: "defined-hours", fewest: 32, most: 40),  // page: 32, assuming a month is 4 weeks
        Figure(scheduler: "weekday-3am", fewest: 15, most: 15),  // page: 15
        Figure(scheduler: "weekdays-workhours", fewest: 24, most: 28),  // page: ~26
        Figure(scheduler: "bi-monthly", fewest: 3, most: 3),  // page: 3
        Figure(scheduler: "first-of-month-backup", fewest: 12, most: 12),  // page: 12
        Figure(scheduler: "sfg", fewest: 20, most: 22),  // page: 7 + 4 + 12 = 23, ignoring overlaps
    ]

    @Test(arguments: figures)
    func retainedAfterEverySnapshot(_ figure: Figure) throws {
        let policies = Fixtures.seedPolicies
        let scheduler = try #require(policies.scheduler(named: figure.scheduler))
        let policy = try #require(policies.resolve(scheduler.spec.retention))
        let schedule = try Schedule(scheduler.spec.schedule)
        let engine = RetentionEngine(policy: policy, zone: schedule.zone)
        let measureFrom = Fixtures.instant("2025-01-01T00:00:00Z")
        var retained: [Snapshot] = []
        var history: [Snapshot] = []
        var counts: [Int] = []
        for fire in schedule.fires(in: Fixtures.instant("2024-01-01T00:00:00Z")..<Fixtures.instant("2026-01-01T00:00:00Z")) {
            let snapshot = Snapshot(id: fire.formatted(.iso8601), takenAt: fire)
            retained.append(snapshot)
            history.append(snapshot)
            retained = engine.evaluate(retained, now: fire).filter(\.keep).map(\.snapshot)
            if fire >= measureFrom { counts.append(retained.count) }
        }
        #expect(counts.min() == figure.fewest)
        #expect(counts.max() == figure.most)
        // Applying retention after every snapshot ends where one evaluation of the whole history does.
        let end = history.last!.takenAt
        let once = engine.evaluate(history, now: end).filter(\.keep).map(\.snapshot.id)
        #expect(retained.map(\.id) == once)
    }
}
