/// A local wall-clock time, minute precision.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let hour: Int
    public let minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `H:MM` or `HH:MM` (00:00–23:59).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var minutesSinceMidnight: Int { hour * 60 + minute }

    public var description: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        lhs.minutesSinceMidnight < rhs.minutesSinceMidnight
    }

    public static let midnight = TimeOfDay(hour: 0, minute: 0)!
    public static let lastMinute = TimeOfDay(hour: 23, minute: 59)!
}

/// An inclusive daily window; an end before the start wraps past midnight.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    public let start: TimeOfDay
    public let end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    /// Parses `HH:MM-HH:MM`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let start = TimeOfDay(parsing: parts[0].trimmed(of: " ")),
            let end = TimeOfDay(parsing: parts[1].trimmed(of: " "))
        else { return nil }
        self.init(start: start, end: end)
    }

    public var wrapsPastMidnight: Bool { end < start }

    /// Minutes from the window's start to its end.
    public var lengthInMinutes: Int {
        let length = end.minutesSinceMidnight - start.minutesSinceMidnight
        return length < 0 ? length + 1440 : length
    }

    public var description: String { "\(start)-\(end)" }

    public static let wholeDay = TimeWindow(start: .midnight, end: .lastMinute)
}
