import Foundation
import TidemarkPolicy

/// A schedule ready to evaluate: the local slots of each matching day, turned into instants in its timezone.
///
/// Pure: the answers depend only on the spec, the timezone database and the instants asked about.
public struct Schedule: Sendable {
    public let spec: ScheduleSpec
    public let zone: ZoneRules
    let days: DayFilter
    /// Minutes after the owning day's local midnight, ascending; above 1439 when a window wraps past midnight.
    let slots: [Int]

    public init(_ spec: ScheduleSpec) throws(ScheduleError) {
        guard let zone = ZoneRules(identifier: spec.timezone) else { throw .unknownTimezone(spec.timezone) }
        self.spec = spec
        self.zone = zone
        self.days = DayFilter(spec.rule)
        self.slots = Self.dailySlots(spec.rule)
    }

    /// The next `count` fire instants strictly after `instant`.
    public func nextFires(after instant: Date, count: Int) -> [Date] {
        var result: [Date] = []
        result.reserveCapacity(count)
        forEachFire(after: Self.seconds(instant)) { fire in
            result.append(Date(timeIntervalSince1970: TimeInterval(fire)))
            return result.count < count
        }
        return result
    }

    /// The first fire instant strictly after `instant`.
    public func nextFire(after instant: Date) -> Date? {
        var next: Int64?
        forEachFire(after: Self.seconds(instant)) { fire in
            next = fire
            return false
        }
        return next.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Every fire instant in `interval` (start included, end excluded).
    public func fires(in interval: Range<Date>) -> [Date] {
        var result: [Date] = []
        let end = Self.seconds(interval.upperBound)
        forEachFire(after: Self.seconds(interval.lowerBound) - 1) { fire in
            guard fire < end else { return false }
            result.append(Date(timeIntervalSince1970: TimeInterval(fire)))
            return true
        }
        return result
    }

    /// Calls `body` with each fire instant (seconds since the epoch) after `after`, in order, until it returns false.
    ///
    /// Local slots are visited in increasing wall-clock order; their instants never decrease
    /// (docs/policy-language.md#daylight-saving-time), so skipped-hour slots that collapse onto one transition instant
    /// are yielded once.
    public func forEachFire(after: Int64, _ body: (Int64) -> Bool) {
        guard !slots.isEmpty else { return }
        let localMinute = floorDiv(zone.localSeconds(at: after), 60)
        // The first day whose last slot is after `after`'s local minute.
        var day = Int(floorDiv(localMinute - Int64(slots.last!), 1440)) + 1
        var previous = Int64.min
        while let match = days.nextMatch(onOrAfter: day) {
            let dayStart = Int64(match) * 1440
            var index = slots.partitionPoint { dayStart + Int64($0) <= localMinute }
            while index < slots.count {
                let fire = zone.firingInstant(localSeconds: (dayStart + Int64(slots[index])) * 60)
                index += 1
                guard fire > after, fire != previous else { continue }
                previous = fire
                guard body(fire) else { return }
            }
            day = match + 1
        }
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    static func dailySlots(_ rule: ScheduleRule) -> [Int] {
        switch rule {
        case .cron(let cron):
            var slots: [Int] = []
            for hour in 0..<24 where cron.hours & (1 << hour) != 0 {
                for minute in 0..<60 where cron.minutes & (1 << minute) != 0 { slots.append(hour * 60 + minute) }
            }
            return slots
        case .calendar(let calendar):
            switch calendar.times {
            case .at(let times):
                return times.map(\.minutesSinceMidnight).sorted()
            case .every(let minutes, let window):
                let start = window.start.minutesSinceMidnight
                return Array(stride(from: start, through: start + window.lengthInMinutes, by: minutes))
            }
        }
    }
}

/// Why a schedule cannot be evaluated.
public enum ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownTimezone(String)

    public var description: String {
        switch self {
        case .unknownTimezone(let name): "timezone '\(name)' is not in this system's time zone database"
        }
    }
}

extension Array {
    /// The index of the first element for which `belongsBefore` is false, given that it is true for a prefix.
    func partitionPoint(_ belongsBefore: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsBefore(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
