import Foundation
import TidemarkSchedule

/// Formats instants for people: UTC as ISO 8601, local time with weekday and offset.
enum InstantFormatting {
    static func utc(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// `2026-03-29 Sun 03:00 +02:00`.
    static func local(_ date: Date, in zone: ZoneRules) -> String {
        let instant = Int64(date.timeIntervalSince1970.rounded(.down))
        let offset = zone.offset(at: instant)
        let local = instant + offset
        let (day, secondOfDay) = CivilDate.split(localSeconds: local)
        let date = CivilDate(dayNumber: day)
        let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.weekday]
        return "\(date) \(weekday) \(pad(secondOfDay / 3600)):\(pad(secondOfDay % 3600 / 60)) \(offsetText(offset))"
    }

    static func offsetText(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = Int(abs(seconds) / 60)
        return "\(sign)\(pad(minutes / 60)):\(pad(minutes % 60))"
    }

    /// Parses `2026-11-25T04:00:00Z`, `2026-11-25T04:00:00+01:00` or `2026-11-25` (midnight UTC).
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text + "T00:00:00Z", strategy: .iso8601)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
