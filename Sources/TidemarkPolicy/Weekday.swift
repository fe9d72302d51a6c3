/// A day of the week, numbered as cron does (0 = Sunday … 6 = Saturday).
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case sunday = 0
    case monday, tuesday, wednesday, thursday, friday, saturday

    /// The three-letter lower-case name (`mon`), as policies and cloudsigma write it.
    public var shortName: String { Self.shortNames[rawValue] }

    public var description: String { shortName }

    public init?(shortName: String) {
        guard let index = Self.shortNames.firstIndex(of: shortName.lowercased()) else { return nil }
        self.init(rawValue: index)
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let weekdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
    public static let weekends: Set<Weekday> = [.saturday, .sunday]

    static let shortNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
}
