import Foundation

/// The longest time between two consecutive backups, from the fires of one or more schedules together.
public struct FireGap: Sendable, Hashable {
    /// The fire that opens the gap.
    public var start: Date
    /// The next fire.
    public var end: Date

    /// Its length.
    public var seconds: Int { Int(end.timeIntervalSince(start)) }

    /// The longest gap between consecutive fires of `schedules` merged, among the fires in `interval` and the first one
    /// after them; nil when that makes fewer than two.
    public static func longest(_ schedules: [Schedule], in interval: Range<Date>) -> FireGap? {
        var fires = schedules.flatMap { $0.fires(in: interval) }
        // The gap that straddles the end of the interval counts too.
        let last = fires.max() ?? interval.lowerBound
        fires += schedules.compactMap { $0.nextFire(after: last) }
        fires = Set(fires).sorted()
        var longest: FireGap?
        for (earlier, later) in zip(fires, fires.dropFirst()) {
            if later.timeIntervalSince(earlier) > longest.map({ $0.end.timeIntervalSince($0.start) }) ?? -1 {
                longest = FireGap(start: earlier, end: later)
            }
        }
        return longest
    }
}
