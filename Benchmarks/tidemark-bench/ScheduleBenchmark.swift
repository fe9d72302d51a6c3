import Foundation
import TidemarkPolicy
import TidemarkProviders
import TidemarkSchedule

/// Next-fire computations per second (the same expressions as Benchmarks/cron_peers.py) and retention
/// evaluation of 1,000,000 snapshots.
enum ScheduleBenchmark {
    static let cronExpressions = [
        "*/5 * * * *", "0 4 * * *", "15 3 1-7 * mon", "0 0 1 */2 *", "30 2 * * 1-5",
        "0 */6 * * *", "0 0 29 2 *", "5 4 * * sun", "0 22 * * 1-5", "0 0,12 1 * *",
    ]
    static let zones = ["UTC", "Europe/Zurich"]
    static let seconds = 2.0

    static func run(json: Bool) throws {
        var results: [String: Double] = [:]
        for zone in zones {
            let rate = try nextFireRate(zone: zone)
            results["cron \(zone)"] = rate
            if !json { print("tidemark  cron      \(zone.padding(toLength: 14, withPad: " ", startingAt: 0)) \(Int(rate)) next-fire/s") }
        }
        let calendarRate = try calendarNextFireRate()
        results["calendar seed examples"] = calendarRate
        if !json { print("tidemark  calendar  seed examples  \(Int(calendarRate)) next-fire/s") }
        let (count, elapsed, kept) = try retentionOfAMillion()
        results["retention 1M seconds"] = elapsed
        if json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "tidemark  retention \(count) snapshots (son/father/grandfather, Europe/Zurich): "
                    + String(format: "%.3f s, %d kept", elapsed, kept))
        }
    }

    /// Chains of `chainLength` sequential next-fire calls from 2025-01-01, each starting where the previous one
    /// fired, cycling through the expressions (as Benchmarks/cron_peers.py does): the instants stay within the
    /// centuries a schedule is asked about, also for "0 0 29 2 *", which fires every four years.
    static let chainLength = 100

    static func nextFireRate(zone: String) throws -> Double {
        try chainedNextFireRate(
            cronExpressions.map { try Schedule(ScheduleSpec(timezone: zone, rule: .cron(try CronExpression(parsing: $0)))) })
    }

    static func calendarNextFireRate() throws -> Double {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try PolicyLoader(providers: ProviderRegistry.documentRules).load(path: root.appendingPathComponent("policies").path)
        return try chainedNextFireRate(result.policies.schedulers.map { try Schedule($0.spec.schedule) })
    }

    static func chainedNextFireRate(_ schedules: [Schedule]) -> Double {
        measure { chains in
            for schedule in schedules {
                for _ in 0..<chains {
                    var instant = Date(timeIntervalSince1970: 1_735_689_600)
                    for _ in 0..<chainLength { instant = schedule.nextFire(after: instant)! }
                }
            }
            return chains * chainLength * schedules.count
        }
    }

    /// Runs `body` with growing iteration counts until it has run for `seconds`; returns operations per second.
    static func measure(_ body: (Int) -> Int) -> Double {
        var iterations = 1
        while true {
            let clock = ContinuousClock()
            var operations = 0
            let elapsed = clock.measure { operations = body(iterations) }
            let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if secondsTaken >= seconds / 4 { return Double(operations) / secondsTaken }
            iterations *= 4
        }
    }

    static func retentionOfAMillion() throws -> (Int, Double, Int) {
        let zone = ZoneRules(identifier: "Europe/Zurich")!
        let policy = RetentionPolicySpec(rules: [
            .age(period: .days, quantity: 7),
            .anchored(period: .weeks, quantity: 4, timeOption: 1),
            .anchored(period: .months, quantity: 12, timeOption: 23),
        ])
        let start: Int64 = 1_500_000_000
        let snapshots = (0..<1_000_000).map { index in
            Snapshot(id: "s\(index)", takenAt: Date(timeIntervalSince1970: TimeInterval(start + Int64(index) * 300)))
        }
        let now = snapshots.last!.takenAt
        let engine = RetentionEngine(policy: policy, zone: zone)
        let clock = ContinuousClock()
        var kept = 0
        // Best of five, as the other figures on this noisy machine.
        let elapsed = (0..<5).map { _ in clock.measure { kept = engine.evaluate(snapshots, now: now).count { $0.keep } } }.min()!
        return (snapshots.count, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, kept)
    }
}
