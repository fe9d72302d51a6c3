import Foundation
import TidemarkPolicy

/// Decides which snapshots of one drive a retention policy keeps (docs/policy-language.md#retentionpolicy). Pure: snapshots, policy,
/// timezone and "now" in; one decision per snapshot out.
///
/// Rules choose among snapshots tidemark created and that were taken by "now"; `{period, quantity, timeOption}`
/// and `{last}` choose only successful ones, while the age rule keeps every snapshot in its window.
public struct RetentionEngine: Sendable {
    public let policy: RetentionPolicySpec
    public let zone: ZoneRules

    public init(policy: RetentionPolicySpec, zone: ZoneRules) {
        self.policy = policy
        self.zone = zone
    }

    /// One decision per snapshot, in the order given.
    public func evaluate(_ snapshots: [Snapshot], now: Date) -> [RetentionDecision] {
        let nowSeconds = Schedule.seconds(now)
        let instants = snapshots.map { Schedule.seconds($0.takenAt) }
        var decisions = snapshots.map { RetentionDecision(snapshot: $0, reasons: []) }
        // Eligible: tidemark's own, taken by now; newest first.
        var eligible: [Int] = []
        eligible.reserveCapacity(snapshots.count)
        for index in snapshots.indices {
            if !snapshots[index].createdByTidemark {
                decisions[index].reasons.append(.notCreatedByTidemark)
            } else if instants[index] > nowSeconds {
                decisions[index].reasons.append(.takenAfterNow)
            } else {
                eligible.append(index)
            }
        }
        // Listings usually come oldest first; then newest first is their reverse.
        if zip(eligible, eligible.dropFirst()).allSatisfy({ instants[$0] <= instants[$1] }) {
            eligible.reverse()
        } else {
            eligible.sort { instants[$0] != instants[$1] ? instants[$0] > instants[$1] : $0 > $1 }
        }
        var successful: [Int] = []
        successful.reserveCapacity(eligible.count)
        for index in eligible where snapshots[index].succeeded { successful.append(index) }

        for (ruleIndex, rule) in policy.rules.enumerated() {
            let kept: [Int]
            switch rule {
            case .age(let period, let quantity):
                let cutoff = ageCutoff(now: nowSeconds, period: period, quantity: quantity)
                kept = eligible.prefix { instants[$0] > cutoff }
            case .anchored(let period, let quantity, let anchor):
                kept = anchoredPicks(successful, instants: instants, period: period, quantity: quantity, anchor: anchor)
            case .last(let count):
                kept = Array(successful.prefix(count))
            }
            for index in kept { decisions[index].reasons.append(.rule(index: ruleIndex)) }
        }
        if let newest = successful.first { decisions[newest].reasons.append(.newestSuccessful) }
        return decisions
    }

    /// The instant `quantity` calendar periods before `now`, in local time; snapshots after it are kept.
    func ageCutoff(now: Int64, period: RetentionPeriod, quantity: Int) -> Int64 {
        let local = zone.localSeconds(at: now)
        let (dayNumber, second) = CivilDate.split(localSeconds: local)
        let secondOfDay = Int64(second)
        let date = CivilDate(dayNumber: dayNumber)
        let shifted: CivilDate
        switch period {
        case .days: shifted = CivilDate(dayNumber: dayNumber - quantity)
        case .weeks: shifted = CivilDate(dayNumber: dayNumber - 7 * quantity)
        case .months: shifted = date.addingMonths(-quantity)
        case .years: shifted = date.addingMonths(-12 * quantity)
        }
        return zone.firingInstant(localSeconds: Int64(shifted.dayNumber) * 86_400 + secondOfDay)
    }

    /// One pick per bucket for the `quantity` newest buckets that hold a snapshot. `newestFirst` is sorted newest first.
    private func anchoredPicks(
        _ newestFirst: [Int], instants: [Int64], period: RetentionPeriod, quantity: Int,
        anchor: Int
    ) -> [Int] {
        var picks: [Int] = []
        var position = 0
        while position < newestFirst.count, picks.count < quantity {
            let bucket = Bucket(day: localDay(instants[newestFirst[position]]), period: period, anchor: anchor)
            var best: (index: Int, distance: Int, day: Int)?
            while position < newestFirst.count {
                let index = newestFirst[position]
                let day = localDay(instants[index])
                guard day >= bucket.firstDay else { break }
                position += 1
                let distance = abs(day - bucket.anchorDay)
                // Walking newest first: on or before the anchor day the first seen is the latest (wanted);
                // after it, a later-visited (earlier) snapshot of the same day is nearer, so it replaces.
                if let current = best {
                    let closer = distance < current.distance
                    let sameDistanceEarlierDay = distance == current.distance && day < current.day
                    let sameDayAfterAnchor = day == current.day && day > bucket.anchorDay
                    if closer || sameDistanceEarlierDay || sameDayAfterAnchor { best = (index, distance, day) }
                } else {
                    best = (index, distance, day)
                }
            }
            if let best { picks.append(best.index) }
        }
        return picks
    }

    private func localDay(_ instant: Int64) -> Int {
        Int(floorDiv(zone.localSeconds(at: instant), 86_400))
    }
}

/// A calendar bucket (week or month) holding a day, with its anchor day.
struct Bucket {
    let firstDay: Int
    let anchorDay: Int

    /// `anchor`: for weeks 0 = Sunday … 6 = Saturday within the ISO week (Monday–Sunday); for months the day
    /// of the month, clamped to the month's length; for days and years the first day.
    init(day: Int, period: RetentionPeriod, anchor: Int) {
        switch period {
        case .days:
            firstDay = day
            anchorDay = day
        case .weeks:
            let monday = day - (CivilDate.weekday(ofDayNumber: day) + 6) % 7
            firstDay = monday
            anchorDay = monday + (anchor + 6) % 7
        case .months:
            let date = CivilDate(dayNumber: day)
            firstDay = day - date.day + 1
            anchorDay = firstDay + min(anchor, CivilDate.daysInMonth(year: date.year, month: date.month)) - 1
        case .years:
            let date = CivilDate(dayNumber: day)
            firstDay = CivilDate(year: date.year, month: 1, day: 1).dayNumber
            anchorDay = firstDay
        }
    }
}
