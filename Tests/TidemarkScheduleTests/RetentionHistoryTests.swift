import Foundation
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// Hand-made histories with hand-computed answers.
@Suite("Retention: son/father/grandfather and anchors")
struct RetentionHistoryTests {
    static let sfg = RetentionPolicySpec(rules: [
        .age(period: .days, quantity: 7),
        .anchored(period: .weeks, quantity: 4, timeOption: 1),
        .anchored(period: .months, quantity: 12, timeOption: 23),
    ])

    /// One snapshot a day at 01:00 in Etc/GMT+12 (13:00Z), from `first` to `last` (local dates).
    static func dailyHistory(from first: String, to last: String, failing: Set<String> = []) -> [Snapshot] {
        var snapshots: [Snapshot] = []
        var day = CivilDate(year: Int(first.prefix(4))!, month: Int(first.dropFirst(5).prefix(2))!, day: Int(first.suffix(2))!).dayNumber
        let end = CivilDate(year: Int(last.prefix(4))!, month: Int(last.dropFirst(5).prefix(2))!, day: Int(last.suffix(2))!).dayNumber
        while day <= end {
            let name = CivilDate(dayNumber: day).description
            let instant = Date(timeIntervalSince1970: TimeInterval(day) * 86_400 + 13 * 3600)
            snapshots.append(Snapshot(id: name, takenAt: instant, succeeded: !failing.contains(name)))
            day += 1
        }
        return snapshots
    }

    static func kept(_ decisions: [RetentionDecision]) -> [String: [RetentionReason]] {
        Dictionary(uniqueKeysWithValues: decisions.filter(\.keep).map { ($0.snapshot.id, $0.reasons) })
    }

    let zone = ZoneRules(identifier: "Etc/GMT+12")!

    @Test func sonFatherGrandfatherKeepsTheDocumentedDays() {
        // Now: Tuesday 2025-11-25 02:00 local (14:00Z), the day's 01:00 snapshot taken.
        let history = Self.dailyHistory(from: "2025-01-01", to: "2025-11-25")
        let decisions = RetentionEngine(policy: Self.sfg, zone: zone).evaluate(history, now: Fixtures.instant("2025-11-25T14:00:00Z"))
        let kept = Self.kept(decisions)
        let sons = (19...25).map { "2025-11-\($0)" }
        let fathers = ["2025-11-03", "2025-11-10", "2025-11-17", "2025-11-24"]
        let grandfathers = (1...11).map { "2025-\($0 < 10 ? "0" : "")\($0)-23" }
        #expect(Set(kept.keys) == Set(sons + fathers + grandfathers))
        #expect(kept.count == 20)  // 7 + 4 + 11, less the 24th and 23rd that the son rule already keeps
        #expect(sons.allSatisfy { kept[$0]!.contains(.rule(index: 0)) })
        #expect(fathers.allSatisfy { kept[$0]!.contains(.rule(index: 1)) })
        #expect(grandfathers.allSatisfy { kept[$0]!.contains(.rule(index: 2)) })
        #expect(kept["2025-11-25"]!.contains(.newestSuccessful))
    }

    @Test func missingAnchorDayFallsBackToTheNearestEarlierOnATie() {
        let history = Self.dailyHistory(from: "2025-09-01", to: "2025-11-25", failing: ["2025-10-23"])
        let kept = Self.kept(RetentionEngine(policy: Self.sfg, zone: zone).evaluate(history, now: Fixtures.instant("2025-11-25T14:00:00Z")))
        #expect(kept["2025-10-22"] == [.rule(index: 2)])  // 22nd and 24th are both one day away: the earlier wins
        #expect(kept["2025-10-23"] == nil)  // failed snapshots are never representatives, and this one is old
        #expect(kept["2025-10-24"] == nil)
    }

    @Test func weeklyAnchorOnSundayIsTheLastDayOfTheISOWeek() {
        let policy = RetentionPolicySpec(rules: [.anchored(period: .weeks, quantity: 3, timeOption: 0)])
        // Wednesday 2025-11-26 is today: this week has Mon–Wed; nearest to Sunday is Wednesday's.
        let history = Self.dailyHistory(from: "2025-11-01", to: "2025-11-26")
        let kept = Self.kept(RetentionEngine(policy: policy, zone: zone).evaluate(history, now: Fixtures.instant("2025-11-26T20:00:00Z")))
        #expect(Set(kept.keys) == ["2025-11-16", "2025-11-23", "2025-11-26"])
    }

    @Test func monthlyAnchorIsClampedToShortMonths() {
        let policy = RetentionPolicySpec(rules: [.anchored(period: .months, quantity: 3, timeOption: 31)])
        let history = Self.dailyHistory(from: "2025-01-01", to: "2025-03-15")
        let kept = Self.kept(RetentionEngine(policy: policy, zone: zone).evaluate(history, now: Fixtures.instant("2025-03-16T00:00:00Z")))
        #expect(Set(kept.keys) == ["2025-01-31", "2025-02-28", "2025-03-15"])
    }

    @Test func anchorAfterTheBucketsSnapshotsPicksTheLatest() {
        let policy = RetentionPolicySpec(rules: [.anchored(period: .months, quantity: 1, timeOption: 20)])
        let history = Self.dailyHistory(from: "2025-03-01", to: "2025-03-10")
        let kept = Self.kept(RetentionEngine(policy: policy, zone: zone).evaluate(history, now: Fixtures.instant("2025-03-11T00:00:00Z")))
        #expect(Set(kept.keys) == ["2025-03-10"])
    }

    @Test func snapshotsNotCreatedByTidemarkAreNeverDeletedAndNotCounted() {
        var history = Self.dailyHistory(from: "2025-11-01", to: "2025-11-10")
        history[0].createdByTidemark = false
        history[9].createdByTidemark = false
        let policy = RetentionPolicySpec(rules: [.last(2)])
        let kept = Self.kept(RetentionEngine(policy: policy, zone: zone).evaluate(history, now: Fixtures.instant("2025-11-11T00:00:00Z")))
        #expect(kept["2025-11-01"] == [.notCreatedByTidemark])
        #expect(kept["2025-11-10"] == [.notCreatedByTidemark])
        #expect(kept["2025-11-09"] == [.rule(index: 0), .newestSuccessful])
        #expect(kept["2025-11-08"] == [.rule(index: 0)])
        #expect(kept.count == 4)
    }

    @Test func newestSuccessfulSurvivesEvenWhenEveryRuleExpiresIt() {
        let history = Self.dailyHistory(from: "2025-01-01", to: "2025-01-05", failing: ["2025-01-05"])
        let policy = RetentionPolicySpec(rules: [.age(period: .days, quantity: 1)])
        let kept = Self.kept(RetentionEngine(policy: policy, zone: zone).evaluate(history, now: Fixtures.instant("2025-06-01T00:00:00Z")))
        #expect(kept == ["2025-01-04": [.newestSuccessful]])
    }

    @Test func ageRuleCountsCalendarMonthsInTheSchedulersTimezone() throws {
        let zurich = try #require(ZoneRules(identifier: "Europe/Zurich"))
        let engine = RetentionEngine(policy: RetentionPolicySpec(rules: [.age(period: .months, quantity: 1)]), zone: zurich)
        // 31 March 10:00 CEST minus one month is 28 February 10:00 CET (clamped), 09:00Z.
        #expect(
            engine.ageCutoff(now: Fixtures.seconds("2025-03-31T08:00:00Z"), period: .months, quantity: 1)
                == Fixtures.seconds("2025-02-28T09:00:00Z"))
        // Across the spring-forward: 30 March 12:00 CEST minus one day is 29 March 12:00 CET, 11:00Z.
        #expect(
            engine.ageCutoff(now: Fixtures.seconds("2025-03-30T10:00:00Z"), period: .days, quantity: 1)
                == Fixtures.seconds("2025-03-29T11:00:00Z"))
    }
}
