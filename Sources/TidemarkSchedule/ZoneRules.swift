import Foundation

/// An IANA timezone's offsets, and the daylight saving rules of docs/policy-language.md#daylight-saving-time for
/// turning local slots into instants.
public struct ZoneRules: Sendable {
    public let identifier: String
    private let zone: TimeZone
    private let table: OffsetTable

    /// Nil when the platform's time zone database does not know `identifier`.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
        self.table = OffsetTable.of(zone)
    }

    /// UTC offset in seconds in effect at `instant` (seconds since the epoch).
    @inline(__always)
    public func offset(at instant: Int64) -> Int64 {
        table.offset(at: instant) ?? Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// Local wall-clock seconds (since the local epoch) at `instant`.
    @inline(__always)
    public func localSeconds(at instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The instant a local wall-clock time fires at: itself when it exists once, its first occurrence
    /// when clocks fall back over it, and the end of the gap (the transition) when clocks spring past it.
    public func firingInstant(localSeconds local: Int64) -> Int64 {
        // No transition within a day either side (offsets stay under a day): the one offset applies.
        if let offset = table.constantOffset(throughout: (local - 2 * 86_400)...(local + 2 * 86_400)) { return local - offset }
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        let early = local - before
        let late = local - after
        if before == after {
            if offset(at: early) == before { return early }
            return resolveNearby(local)
        }
        let earlyValid = offset(at: early) == before
        let lateValid = offset(at: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        case (false, false): return transition(between: min(early, late), and: max(early, late), leaving: before)
        }
    }

    /// Rare: two transitions within two days of `local`; try every offset seen nearby.
    private func resolveNearby(_ local: Int64) -> Int64 {
        let offsets = Set(stride(from: local - 86_400, through: local + 86_400, by: 3_600).map { offset(at: $0) })
        let valid = offsets.map { local - $0 }.filter { offset(at: $0) == local - $0 }
        if let first = valid.min() { return first }
        let candidates = offsets.map { local - $0 }
        return transition(between: candidates.min()!, and: candidates.max()!, leaving: offset(at: candidates.min()! - 1))
    }

    /// The first instant in `low...high` whose offset is no longer `previous`.
    private func transition(between low: Int64, and high: Int64, leaving previous: Int64) -> Int64 {
        var low = low
        var high = high
        while low < high {
            let mid = low + (high - low) / 2
            if offset(at: mid) == previous { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension ZoneRules {
    /// The instants in `interval` at which the UTC offset changes.
    public func transitions(in interval: Range<Date>) -> [Date] {
        var result: [Date] = []
        var cursor = interval.lowerBound
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < interval.upperBound {
            result.append(next)
            cursor = next
        }
        return result
    }
}
