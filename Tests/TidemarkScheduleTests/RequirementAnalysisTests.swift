import Foundation
import TestSupport
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// The two answers requirements ask of the engines: the longest gap between backups (FireGap) and what a retention
/// keeps over time (RetentionSimulation), each against an independent computation.
@Suite("Requirement analysis: longest gap and retention simulation")
struct RequirementAnalysisTests {
    static let now = Fixtures.instant("2027-01-01T00:00:00Z")
    static let year = now..<now.addingTimeInterval(366 * 86_400)

    /// Daily 02:30 Europe/Zurich, through Foundation's Calendar: every day's 02:30 local, the first one when the
    /// autumn night has two.
    static func calendarDailyFires(hour: Int, minute: Int, zone: String) -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        var fires: [Date] = []
        var day = calendar.startOfDay(for: now)
        while day < year.upperBound.addingTimeInterval(2 * 86_400) {
            var parts = calendar.dateComponents([.year, .month, .day], from: day)
            parts.hour = hour
            parts.minute = minute
            if let fire = calendar.date(from: parts), fire >= now { fires.append(fire) }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return fires
    }

    @Test("a daily slot in a DST zone is 25h apart only across the autumn night, as Foundation's calendar says")
    func daylightSavingNightGap() throws {
        let schedule = Fixtures.cron("Europe/Zurich", "30 2 * * *")
        let gap = try #require(FireGap.longest([schedule], in: Self.year))
        let oracle = Self.calendarDailyFires(hour: 2, minute: 30, zone: "Europe/Zurich").filter { $0 < Self.year.upperBound }
        let gaps = zip(oracle, oracle.dropFirst()).map { Int($1.timeIntervalSince($0)) }
        #expect(gap.seconds == gaps.max())
        #expect(gap.seconds == 25 * 3600)
        #expect(gaps.count { $0 > 24 * 3600 } == 1, "only one night exceeds 24h")
        #expect(gap.start == Fixtures.instant("2027-10-31T00:30:00Z"), "the gap opens at the first 02:30 of the night clocks fall back")
        let utc = try #require(FireGap.longest([Fixtures.cron("UTC", "30 2 * * *")], in: Self.year))
        #expect(utc.seconds == 24 * 3600)
    }

    @Test("several schedules protect together: the gap is taken over their merged fires")
    func mergedSchedules() throws {
        let morning = Fixtures.cron("UTC", "0 2 * * *")
        let weekly = Fixtures.cron("UTC", "0 14 * * 0")
        #expect(try #require(FireGap.longest([weekly], in: Self.year)).seconds == 7 * 86_400)
        #expect(try #require(FireGap.longest([morning, weekly], in: Self.year)).seconds == 24 * 3600)
        let yearly = Fixtures.cron("UTC", "0 0 1 1 *")
        #expect(try #require(FireGap.longest([yearly], in: Self.year)).seconds == 366 * 86_400, "2028 is a leap year")
    }

    /// The controller's way, by brute force: a snapshot at every fire from long before `now`, retention run after
    /// each and what it drops removed; the youngest wall-clock age at which a snapshot is dropped after `now`, and
    /// the fewest kept after a slot after `now`.
    static func bruteForce(_ schedule: Schedule, _ policy: RetentionPolicySpec) -> (youngestDeleted: Int?, fewestKept: Int) {
        let engine = RetentionEngine(policy: policy, zone: schedule.zone)
        let fires = schedule.fires(in: now.addingTimeInterval(-1_200 * 86_400)..<year.upperBound)
        var kept: [Snapshot] = []
        var youngest: Int?
        var fewest = Int.max
        for fire in fires {
            kept.append(Snapshot(id: "", takenAt: fire))
            let decisions = engine.evaluate(kept, now: fire)
            if fire >= now {
                for decision in decisions where !decision.keep {
                    let age = Int(
                        schedule.zone.localSeconds(at: Int64(fire.timeIntervalSince1970))
                            - schedule.zone.localSeconds(at: Int64(decision.snapshot.takenAt.timeIntervalSince1970)))
                    youngest = min(youngest ?? .max, age)
                }
                fewest = min(fewest, decisions.count(where: \.keep))
            }
            kept = decisions.filter(\.keep).map(\.snapshot)
        }
        return (youngest, fewest)
    }

    static func randomPolicy(_ random: inout SplitMix64) -> RetentionPolicySpec {
        let rules = (0..<Int.random(in: 1...3, using: &random)).map { _ -> RetentionRule in
            switch Int.random(in: 0..<5, using: &random) {
            case 0: .age(period: .days, quantity: Int.random(in: 1...40, using: &random))
            case 1: .age(period: .weeks, quantity: Int.random(in: 1...8, using: &random))
            case 2:
                .anchored(
                    period: .weeks, quantity: Int.random(in: 1...8, using: &random), timeOption: Int.random(in: 0...6, using: &random))
            case 3:
                .anchored(
                    period: .months, quantity: Int.random(in: 1...6, using: &random), timeOption: Int.random(in: 1...31, using: &random))
            default: .last(Int.random(in: 1...30, using: &random))
            }
        }
        return RetentionPolicySpec(rules: rules)
    }

    @Test("the simulation finds exactly the youngest deletion and the fewest kept that running retention after every slot finds")
    func simulationAgainstBruteForce() {
        var random = SplitMix64(seed: 0x5EED_16)
        let schedules = [
            Fixtures.cron("Europe/Zurich", "30 2 * * *"), Fixtures.cron("UTC", "0 3 * * *"),
            Fixtures.cron("America/New_York", "0 1,13 * * 1-5"), Fixtures.cron("UTC", "0 4 * * 1"),
            Fixtures.cron("Europe/Zurich", "0 3 1 * *"),
        ]
        for round in 0..<30 {
            let schedule = schedules[round % schedules.count]
            let policy = Self.randomPolicy(&random)
            let truth = Self.bruteForce(schedule, policy)
            let simulation = RetentionSimulation(schedule: schedule, policy: policy)
            if let youngest = truth.youngestDeleted {
                let exact = simulation.check(from: Self.now, minimumAge: youngest + 1, minimumKept: nil)
                #expect(exact.earlyDeletion?.age == youngest, "\(policy.rules) on \(schedule.spec)")
                #expect(simulation.check(from: Self.now, minimumAge: youngest, minimumKept: nil).earlyDeletion == nil, "\(policy.rules)")
            } else {
                #expect(simulation.check(from: Self.now, minimumAge: 400 * 86_400, minimumKept: nil).earlyDeletion == nil)
            }
            let fewest = simulation.check(from: Self.now, minimumAge: nil, minimumKept: truth.fewestKept + 1).fewestKept
            #expect(fewest?.count == truth.fewestKept, "\(policy.rules) on \(schedule.spec)")
            #expect(simulation.check(from: Self.now, minimumAge: nil, minimumKept: truth.fewestKept).fewestKept == nil)
        }
    }

    @Test("age counts on the wall clock: {days: 7} keeps snapshots 7 days, except the spring night's, taken late at 03:00")
    func wallClockAge() throws {
        let schedule = Fixtures.cron("Europe/Zurich", "30 2 * * *")
        let simulation = RetentionSimulation(schedule: schedule, policy: RetentionPolicySpec(rules: [.age(period: .days, quantity: 7)]))
        #expect(simulation.check(from: Self.now, minimumAge: 7 * 86_400 - 1800, minimumKept: 7) == .init())
        let spring = try #require(simulation.check(from: Self.now, minimumAge: 7 * 86_400, minimumKept: nil).earlyDeletion)
        #expect(spring.taken == Fixtures.instant("2027-03-28T01:00:00Z"), "02:30 does not exist that night: the slot fires at 03:00")
        #expect(spring.age == 7 * 86_400 - 1800)
        let early = try #require(simulation.check(from: Self.now, minimumAge: 8 * 86_400, minimumKept: nil).earlyDeletion)
        #expect(early.age == 7 * 86_400)
        #expect(
            RetentionSimulation(schedule: schedule, policy: nil).check(from: Self.now, minimumAge: 999 * 86_400, minimumKept: 99) == .init()
        )
    }

    @Test("a schedule sparser than the buckets: monthly snapshots under 8 weekly buckets keep 8")
    func sparseScheduleKeepsOnePerBucketItFills() throws {
        let monthly = Fixtures.cron("UTC", "0 3 1 * *")
        let simulation = RetentionSimulation(
            schedule: monthly, policy: RetentionPolicySpec(rules: [.anchored(period: .weeks, quantity: 8, timeOption: 1)]))
        #expect(simulation.check(from: Self.now, minimumAge: nil, minimumKept: 8).fewestKept == nil)
        #expect(simulation.check(from: Self.now, minimumAge: nil, minimumKept: 9).fewestKept?.count == 8)
        #expect(Self.bruteForce(monthly, simulation.policy!).fewestKept == 8)
    }
}
