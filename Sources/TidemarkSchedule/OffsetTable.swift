import Foundation
import Synchronization

/// A zone's UTC offsets from 1900 to 2500 as a table of transitions, read once from the time zone database and
/// shared by every `ZoneRules` of the zone: an offset lookup costs an array index and a step or two, not a call into
/// Foundation's calendar code.
final class OffsetTable: Sendable {
    /// 1900-01-01T00:00Z up to 2500-01-01T00:00Z; outside it `offset(at:)` answers nil.
    static let coverage: Range<Int64> = -2_208_988_800..<16_725_225_600
    /// Lookups start from the first transition of the instant's bucket of 2^bucketShift seconds (about 194 days).
    private static let bucketShift: Int64 = 24

    /// Instants at which the offset changes, ascending.
    private let transitions: [Int64]
    /// `offsets[i]` is in effect from `transitions[i - 1]` (or the start of coverage) until `transitions[i]`.
    private let offsets: [Int64]
    /// For each bucket, the index of the first transition after the bucket's start.
    private let firstTransition: [Int]

    init(zone: TimeZone) {
        func offset(at instant: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        let coverage = Self.coverage
        var transitions: [Int64] = []
        var offsets = [offset(at: coverage.lowerBound)]
        var cursor = Date(timeIntervalSince1970: TimeInterval(coverage.lowerBound))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < Double(coverage.upperBound) {
            cursor = next
            let instant = Int64(next.timeIntervalSince1970.rounded(.down))
            let after = offset(at: instant)
            // Transitions that change only the zone's name or daylight flag leave the offset as it was.
            guard after != offsets.last else { continue }
            transitions.append(instant)
            offsets.append(after)
        }
        let bucketCount = Int((coverage.upperBound - coverage.lowerBound) >> Self.bucketShift) + 1
        var firstTransition = [Int](repeating: 0, count: bucketCount)
        var index = 0
        for bucket in 0..<bucketCount {
            let bucketStart = coverage.lowerBound + Int64(bucket) << Self.bucketShift
            while index < transitions.count, transitions[index] <= bucketStart { index += 1 }
            firstTransition[bucket] = index
        }
        self.transitions = transitions
        self.offsets = offsets
        self.firstTransition = firstTransition
    }

    /// The UTC offset in seconds at `instant`, or nil outside `coverage`.
    @inline(__always)
    func offset(at instant: Int64) -> Int64? {
        guard Self.coverage.contains(instant) else { return nil }
        var index = firstTransition[Int((instant - Self.coverage.lowerBound) >> Self.bucketShift)]
        while index < transitions.count, transitions[index] <= instant { index += 1 }
        return offsets[index]
    }

    /// The offset in effect throughout `range` if no transition falls inside it; nil otherwise or outside `coverage`.
    @inline(__always)
    func constantOffset(throughout range: ClosedRange<Int64>) -> Int64? {
        guard Self.coverage.contains(range.lowerBound), Self.coverage.contains(range.upperBound) else { return nil }
        var index = firstTransition[Int((range.lowerBound - Self.coverage.lowerBound) >> Self.bucketShift)]
        while index < transitions.count, transitions[index] <= range.lowerBound { index += 1 }
        guard index == transitions.count || transitions[index] > range.upperBound else { return nil }
        return offsets[index]
    }

    private static let shared = Mutex<[String: OffsetTable]>([:])

    /// The table of `zone`, built on first use.
    static func of(_ zone: TimeZone) -> OffsetTable {
        if let table = shared.withLock({ $0[zone.identifier] }) { return table }
        let table = OffsetTable(zone: zone)
        return shared.withLock { tables in
            if let existing = tables[zone.identifier] { return existing }
            tables[zone.identifier] = table
            return table
        }
    }
}
