import Foundation
import TestSupport
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// Properties that hold for any history, rules, timezone and "now".
@Suite("Retention properties")
struct RetentionPropertyTests {
    static let zones = ["Etc/UTC", "Europe/Zurich", "Australia/Lord_Howe", "Etc/GMT+12", "America/New_York"]

    static func randomRule(_ rng: inout SplitMix64) -> RetentionRule {
        let period = RetentionPeriod.allCases.randomElement(using: &rng)!
        let quantity = Int.random(in: 1...12, using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return .age(period: period, quantity: quantity)
        case 1:
            let weekly = Bool.random(using: &rng)
            return .anchored(
                period: weekly ? .weeks : .months, quantity: quantity,
                timeOption: weekly ? Int.random(in: 0...6, using: &rng) : Int.random(in: 1...31, using: &rng))
        default: return .last(Int.random(in: 1...40, using: &rng))
        }
    }

    struct Scenario {
        var snapshots: [Snapshot]
        var now: Date
        var zone: ZoneRules
        var rules: [RetentionRule]
    }

    static func scenarios(count: Int, seed: UInt64) -> [Scenario] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let now = Int64.random(in: 1_700_000_000...1_800_000_000, using: &rng)
            let span = Int64.random(in: 3_600...(800 * 86_400), using: &rng)
            let snapshots = (0..<Int.random(in: 0...300, using: &rng)).map { index in
                Snapshot(
                    id: "s\(index)",
                    takenAt: Date(timeIntervalSince1970: TimeInterval(now - Int64.random(in: -3_600...span, using: &rng))),
                    createdByTidemark: Int.random(in: 0..<10, using: &rng) > 0,
                    succeeded: Int.random(in: 0..<8, using: &rng) > 0)
            }
            let rules = (0..<Int.random(in: 1...3, using: &rng)).map { _ in randomRule(&rng) }
            return Scenario(
                snapshots: snapshots, now: Date(timeIntervalSince1970: TimeInterval(now)),
                zone: ZoneRules(identifier: zones.randomElement(using: &rng)!)!, rules: rules)
        }
    }

    static func evaluate(_ scenario: Scenario, rules: [RetentionRule]? = nil) -> [RetentionDecision] {
        RetentionEngine(policy: RetentionPolicySpec(rules: rules ?? scenario.rules), zone: scenario.zone)
            .evaluate(scenario.snapshots, now: scenario.now)
    }

    @Test func safetyRulesAlwaysHold() {
        for scenario in Self.scenarios(count: 400, seed: 1) {
            let decisions = Self.evaluate(scenario)
            for decision in decisions where !decision.snapshot.createdByTidemark || decision.snapshot.takenAt > scenario.now {
                #expect(decision.keep)
            }
            let eligible = scenario.snapshots.filter { $0.createdByTidemark && $0.succeeded && $0.takenAt <= scenario.now }
            if let newest = eligible.max(by: { $0.takenAt < $1.takenAt }) {
                #expect(decisions.contains { $0.snapshot.takenAt == newest.takenAt && $0.keep })
            }
        }
    }

    @Test func lastNKeepsExactlyMinOfNAndCount() {
        var rng = SplitMix64(seed: 2)
        for scenario in Self.scenarios(count: 300, seed: 2) {
            let count = Int.random(in: 1...50, using: &rng)
            let decisions = Self.evaluate(scenario, rules: [.last(count)])
            let eligible = decisions.filter {
                $0.snapshot.createdByTidemark && $0.snapshot.succeeded && $0.snapshot.takenAt <= scenario.now
            }
            let byRule = eligible.filter { $0.reasons.contains(.rule(index: 0)) }
            #expect(byRule.count == min(count, eligible.count))
            let oldestKept = byRule.map(\.snapshot.takenAt).min()
            if let oldestKept {
                #expect(eligible.filter { $0.snapshot.takenAt > oldestKept }.allSatisfy { $0.reasons.contains(.rule(index: 0)) })
            }
        }
    }

    @Test func rulesAreAUnion() {
        for scenario in Self.scenarios(count: 300, seed: 3) {
            let together = Self.evaluate(scenario)
            for (index, rule) in scenario.rules.enumerated() {
                let alone = Self.evaluate(scenario, rules: [rule])
                for (joint, single) in zip(together, alone) {
                    #expect(joint.reasons.contains(.rule(index: index)) == single.reasons.contains(.rule(index: 0)))
                }
            }
            for decision in together where decision.snapshot.createdByTidemark && decision.snapshot.takenAt <= scenario.now {
                let byRule = decision.reasons.contains { if case .rule = $0 { true } else { false } }
                #expect(decision.keep == (byRule || decision.reasons.contains(.newestSuccessful)))
            }
        }
    }

    @Test func evaluationIsIdempotent() {
        for scenario in Self.scenarios(count: 300, seed: 4) {
            let first = Self.evaluate(scenario)
            var survivors = scenario
            survivors.snapshots = first.filter(\.keep).map(\.snapshot)
            let stillKept = Self.evaluate(survivors).allSatisfy { $0.keep }
            #expect(stillKept, "deleting what retention deletes must not expire more")
        }
    }

    @Test func theListingsOrderDoesNotChangeTheDecisions() {
        for scenario in Self.scenarios(count: 300, seed: 6) {
            var distinct = scenario
            var seen = Set<Date>()
            distinct.snapshots = scenario.snapshots.filter { seen.insert($0.takenAt).inserted }
            func decisions(_ snapshots: [Snapshot]) -> [String: [RetentionReason]] {
                var ordered = distinct
                ordered.snapshots = snapshots
                return Dictionary(uniqueKeysWithValues: Self.evaluate(ordered).map { ($0.snapshot.id, $0.reasons) })
            }
            let oldestFirst = distinct.snapshots.sorted { $0.takenAt < $1.takenAt }
            let expected = decisions(distinct.snapshots)
            #expect(decisions(oldestFirst) == expected)
            #expect(decisions(oldestFirst.reversed()) == expected)
        }
    }

    @Test func anchoredPicksOnePerBucketInTheNewestBuckets() {
        for scenario in Self.scenarios(count: 300, seed: 5) {
            for case .anchored(let period, let quantity, let anchor) in scenario.rules {
                let decisions = Self.evaluate(scenario, rules: [.anchored(period: period, quantity: quantity, timeOption: anchor)])
                let candidates = decisions.filter {
                    $0.snapshot.createdByTidemark && $0.snapshot.succeeded && $0.snapshot.takenAt <= scenario.now
                }
                func bucket(_ snapshot: Snapshot) -> Bucket {
                    let local = scenario.zone.localSeconds(at: Int64(snapshot.takenAt.timeIntervalSince1970))
                    return Bucket(day: Int((Double(local) / 86_400).rounded(.down)), period: period, anchor: anchor)
                }
                let picks = candidates.filter { $0.reasons.contains(.rule(index: 0)) }
                let pickedBuckets = picks.map { bucket($0.snapshot).firstDay }
                #expect(Set(pickedBuckets).count == picks.count, "one pick per bucket")
                let newestBuckets = Set(candidates.map { bucket($0.snapshot).firstDay }).sorted(by: >).prefix(quantity)
                #expect(Set(pickedBuckets) == Set(newestBuckets))
                for pick in picks {
                    let home = bucket(pick.snapshot)
                    let day = { (snapshot: Snapshot) in
                        Int((Double(scenario.zone.localSeconds(at: Int64(snapshot.takenAt.timeIntervalSince1970))) / 86_400).rounded(.down))
                    }
                    let sameBucket = candidates.filter { bucket($0.snapshot).firstDay == home.firstDay }
                    let best = sameBucket.map { abs(day($0.snapshot) - home.anchorDay) }.min()!
                    #expect(abs(day(pick.snapshot) - home.anchorDay) == best, "the pick is nearest to the anchor day")
                    let onAnchor = sameBucket.filter { day($0.snapshot) == home.anchorDay }
                    if let latest = onAnchor.map(\.snapshot.takenAt).max() { #expect(pick.snapshot.takenAt == latest) }
                }
            }
        }
    }
}
