import Foundation
import TidemarkProviderModel
import TidemarkProviders
import TidemarkSchedule

/// How the controller names and marks the snapshot of a slot, so a retry or a restart finds it instead of taking
/// a second one.
public enum SnapshotMarker {
    public static let ownerKey = SnapshotMetaKey.owner
    public static let schedulerKey = SnapshotMetaKey.scheduler
    public static let slotKey = SnapshotMetaKey.slot

    /// `2026-01-31T03:00:00Z`. Whole seconds in years 1600–9999 are formatted here, the rest by Foundation's
    /// ISO 8601 style (whose calendar is Julian before 1582): the controller formats a slot several times per snapshot.
    public static func slotText(_ slot: Date) -> String {
        let seconds = slot.timeIntervalSince1970
        guard seconds == seconds.rounded(.down), let whole = Int64(exactly: seconds) else { return formatted(slot) }
        let (dayNumber, secondOfDay) = CivilDate.split(localSeconds: whole)
        let date = CivilDate(dayNumber: dayNumber)
        guard (1600...9999).contains(date.year) else { return formatted(slot) }
        return String(unsafeUninitializedCapacity: 20) { text in
            func put(_ value: Int, digits: Int, at offset: Int) {
                var value = value
                for index in (offset..<offset + digits).reversed() {
                    text[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(date.year, digits: 4, at: 0)
            put(date.month, digits: 2, at: 5)
            put(date.day, digits: 2, at: 8)
            put(secondOfDay / 3600, digits: 2, at: 11)
            put(secondOfDay / 60 % 60, digits: 2, at: 14)
            put(secondOfDay % 60, digits: 2, at: 17)
            for (offset, character) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")] as [(Int, Unicode.Scalar)] {
                text[offset] = UInt8(ascii: character)
            }
            return 20
        }
    }

    private static func formatted(_ slot: Date) -> String {
        slot.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// The slot of a `slotText`; other ISO 8601 forms are read by Foundation.
    public static func slot(from text: String) -> Date? {
        var text = text
        if let slot = text.withUTF8(parseSlotText) { return slot }
        return try? Date(text, strategy: .iso8601)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` from 1600 on with every field in range, or nil.
    private static func parseSlotText(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        guard text.count == 20, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(at offset: Int, digits: Int) -> Int? {
            var value = 0
            for byte in text[offset..<offset + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(at: 0, digits: 4), let month = number(at: 5, digits: 2), let day = number(at: 8, digits: 2),
            let hour = number(at: 11, digits: 2), let minute = number(at: 14, digits: 2), let second = number(at: 17, digits: 2),
            year >= 1600, (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day), hour < 24,
            minute < 60,
            second < 60
        else { return nil }
        let days = CivilDate(year: year, month: month, day: day).dayNumber
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    public static func name(scheduler: String, slot: Date) -> String {
        "tidemark \(scheduler) \(slotText(slot))"
    }

    public static func meta(instance: String, scheduler: String, slot: Date) -> [String: String] {
        [ownerKey: instance, schedulerKey: scheduler, slotKey: slotText(slot)]
    }
}
