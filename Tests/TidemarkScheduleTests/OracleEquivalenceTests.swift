import Foundation
import TestSupport
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// Random schedules in zones with and without daylight saving, compared with the minute-scan oracle
/// around each zone's transitions: no slot lost, none fired twice, gaps collapsed, folds fired once.
@Suite("Engine equals the minute-scan oracle")
struct OracleEquivalenceTests {
    static let zones = [
        "Etc/UTC", "Europe/Zurich", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
        "Etc/GMT+12", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "Europe/London",
    ]

    static func randomRule(_ rng: inout SplitMix64) -> ScheduleRule {
        func subset(_ range: ClosedRange<Int>, _ rng: inout SplitMix64) -> Set<Int> {
            Set((0..<Int.random(in: 1...4, using: &rng)).map { _ in Int.random(in: range, using: &rng) })
        }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            let minute = ["*/15", "0", "30", "0,20,40", "5-10", "*/7"].randomElement(using: &rng)!
            let hour = ["*", "1-3", "2", "*/2", "0,12", "1,2,3"].randomElement(using: &rng)!
            let dom = ["*", "*", "1-7", "15", "*/3"].randomElement(using: &rng)!
            let dow = ["*", "*", "mon-fri", "0", "sat,sun", "2"].randomElement(using: &rng)!
            return .cron(try! CronExpression(parsing: "\(minute) \(hour) \(dom) * \(dow)"))
        case 1:
            let times = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                TimeOfDay(hour: Int.random(in: 0...23, using: &rng), minute: [0, 15, 30, 45, 59].randomElement(using: &rng)!)!
            }
            let days: Set<Weekday>? = Bool.random(using: &rng) ? nil : Set(subset(0...6, &rng).map { Weekday(rawValue: $0)! })
            return .calendar(CalendarRule(times: .at(Array(Set(times)).sorted()), days: days))
        default:
            let start = TimeOfDay(hour: Int.random(in: 0...23, using: &rng), minute: [0, 30, 45].randomElement(using: &rng)!)!
            let end = TimeOfDay(hour: Int.random(in: 0...23, using: &rng), minute: [0, 15, 59].randomElement(using: &rng)!)!
            let every = [10, 15, 20, 30, 45, 60, 90, 120, 720].randomElement(using: &rng)!
            return .calendar(CalendarRule(times: .every(minutes: every, window: TimeWindow(start: start, end: end))))
        }
    }

    /// Transition instants of a zone in 2025, found from offset changes.
    static func transitions(_ zone: String) -> [Int64] {
        let rules = ZoneRules(identifier: zone)!
        var result: [Int64] = []
        var instant = Fixtures.seconds("2025-01-01T00:00:00Z")
        var previous = rules.offset(at: instant)
        while instant < Fixtures.seconds("2026-01-01T00:00:00Z") {
            instant += 1800
            let offset = rules.offset(at: instant)
            if offset != previous { result.append(instant) }
            previous = offset
        }
        return result
    }

    @Test(arguments: zones)
    func aroundEveryTransition(_ zone: String) {
        var rng = SplitMix64(seed: UInt64(abs(zone.hashValue % 1000)) &+ 17)
        let windows = Self.transitions(zone).map { $0 - 36 * 3600 } + [Fixtures.seconds("2025-06-10T05:07:00Z")]
        for start in windows {
            for _ in 0..<12 {
                let spec = ScheduleSpec(timezone: zone, rule: Self.randomRule(&rng))
                let schedule = try! Schedule(spec)
                let after = start + Int64.random(in: 0..<7200, using: &rng)
                let end = after + 72 * 3600
                let oracle = MinuteScanOracle(spec).fires(after: after, through: end)
                var engine: [Int64] = []
                schedule.forEachFire(after: after) { fire in
                    guard fire <= end else { return false }
                    engine.append(fire)
                    return true
                }
                #expect(engine == oracle, "\(spec.rule.summary) in \(zone) after \(Fixtures.iso(after))")
            }
        }
    }

    @Test func nextFiresAgreesWithFiresInInterval() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let spec = ScheduleSpec(timezone: Self.zones.randomElement(using: &rng)!, rule: Self.randomRule(&rng))
            let schedule = try! Schedule(spec)
            let start = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: 1_500_000_000...2_100_000_000, using: &rng)))
            let next = schedule.nextFires(after: start, count: 20)
            #expect(next.count == 20)
            guard let last = next.last else { continue }
            let inInterval = schedule.fires(in: start.addingTimeInterval(1)..<last.addingTimeInterval(1))
            #expect(inInterval == next, "\(spec.rule.summary) in \(spec.timezone)")
        }
    }
}
