import Foundation
import TestSupport
import Testing

@testable import TidemarkSchedule

/// `ZoneRules` reads offsets from a table built once per zone; it must answer exactly as Foundation's time zone does,
/// in every zone of the database, at every transition and between them.
@Suite("Offset table")
struct OffsetTableTests {
    static func foundationOffset(_ zone: TimeZone, _ instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    @Test func everyZoneMatchesFoundationAtEachTransitionAndBetween() throws {
        var rng = SplitMix64(seed: 15)
        var compared = 0
        for identifier in TimeZone.knownTimeZoneIdentifiers {
            let zone = try #require(TimeZone(identifier: identifier))
            let rules = try #require(ZoneRules(identifier: identifier))
            var instants: [Int64] = []
            var cursor = Date(timeIntervalSince1970: TimeInterval(OffsetTable.coverage.lowerBound))
            let end = Date(timeIntervalSince1970: TimeInterval(OffsetTable.coverage.upperBound))
            while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
                let instant = Int64(next.timeIntervalSince1970)
                instants += [instant - 1, instant, instant + 1]
                cursor = next
            }
            instants += (0..<200).map { _ in Int64.random(in: OffsetTable.coverage, using: &rng) }
            for instant in instants {
                let expected = Self.foundationOffset(zone, instant)
                guard rules.offset(at: instant) == expected else {
                    Issue.record("\(identifier) at \(instant): \(rules.offset(at: instant)) != Foundation's \(expected)")
                    return
                }
                compared += 1
            }
        }
        #expect(compared > 100_000)
    }

    @Test func outsideTheTableFoundationAnswers() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let rules = try #require(ZoneRules(identifier: "America/New_York"))
        for instant in [OffsetTable.coverage.lowerBound - 1, OffsetTable.coverage.upperBound, Int64(20_000_000_000)] {
            #expect(OffsetTable.of(zone).offset(at: instant) == nil)
            #expect(rules.offset(at: instant) == Self.foundationOffset(zone, instant))
        }
        // Local mean time before standard time (1883): -4:56:02.
        #expect(rules.offset(at: -2_800_000_000) == -17_762)
    }

    @Test func aConstantOffsetIsReportedOnlyWithoutATransitionInside() throws {
        let table = OffsetTable.of(try #require(TimeZone(identifier: "Europe/Zurich")))
        let springForward: Int64 = 1_743_296_400  // 2025-03-30T01:00:00Z
        #expect(table.constantOffset(throughout: (springForward - 100)...(springForward - 1)) == 3_600)
        #expect(table.constantOffset(throughout: springForward...(springForward + 100)) == 7_200)
        #expect(table.constantOffset(throughout: (springForward - 1)...springForward) == nil)
        #expect(table.constantOffset(throughout: (OffsetTable.coverage.upperBound - 1)...OffsetTable.coverage.upperBound) == nil)
    }
}
