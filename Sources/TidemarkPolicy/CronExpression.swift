/// A 5-field cron expression with Vixie semantics, parsed into one bit set per field.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    /// Bits 0–59.
    public let minutes: UInt64
    /// Bits 0–23.
    public let hours: UInt32
    /// Bits 1–31.
    public let daysOfMonth: UInt32
    /// Bits 1–12.
    public let months: UInt16
    /// Bits 0–6, 0 = Sunday.
    public let daysOfWeek: UInt8
    /// True unless the day-of-month field is exactly `*`.
    public let daysOfMonthRestricted: Bool
    /// True unless the day-of-week field is exactly `*`.
    public let daysOfWeekRestricted: Bool

    public var description: String { source }

    /// Whether both day fields are restricted, so that a day matching either fires (Vixie's OR rule).
    public var daysMatchEither: Bool { daysOfMonthRestricted && daysOfWeekRestricted }

    public init(parsing source: String) throws(CronParseError) {
        self.source = source
        var text = source.trimmed(of: " \t")
        if text.hasPrefix("@") {
            guard let expanded = Self.macros[text.lowercased()] else {
                throw CronParseError(
                    message: "unknown cron macro '\(text)'", offset: 0,
                    hint: "use @yearly, @monthly, @weekly, @daily or @hourly, or five fields")
            }
            text = expanded
        }
        let fields = Self.fieldsWithOffsets(text, in: source)
        guard fields.count == 5 else {
            throw CronParseError(
                message: "cron expression '\(source)' has \(fields.count) fields, expected 5",
                offset: 0, hint: "minute hour day-of-month month day-of-week, e.g. \"0 4 * * *\"")
        }
        minutes = try Self.parse(fields[0], .minute)
        hours = UInt32(try Self.parse(fields[1], .hour))
        daysOfMonth = UInt32(try Self.parse(fields[2], .dayOfMonth))
        months = UInt16(try Self.parse(fields[3], .month))
        let week = try Self.parse(fields[4], .dayOfWeek)
        daysOfWeek = UInt8((week & 0x7F) | (week >> 7 & 1))
        daysOfMonthRestricted = fields[2].text != "*"
        daysOfWeekRestricted = fields[4].text != "*"
        if !canEverFire {
            throw CronParseError(
                message: "cron expression '\(source)' never fires: no month it allows has those days",
                offset: fields[2].offset, hint: "check the day-of-month and month fields")
        }
    }

    /// False when the day-of-month and month fields only name dates that do not exist (e.g. 30 February).
    private var canEverFire: Bool {
        guard daysOfMonthRestricted, !daysOfWeekRestricted else { return true }
        let longestMonth = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains { month in
            months & (1 << month) != 0 && (1...longestMonth[month]).contains { daysOfMonth & (1 << $0) != 0 }
        }
    }

    enum Field: CaseIterable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        var names: [String] {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }
    }

    struct FieldText {
        var text: Substring
        var offset: Int
    }

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    private static func fieldsWithOffsets(_ text: String, in source: String) -> [FieldText] {
        let base = text == source.trimmed(of: " \t") ? source.prefix(while: { $0 == " " || $0 == "\t" }).count : 0
        var result: [FieldText] = []
        var index = text.startIndex
        while index < text.endIndex {
            while index < text.endIndex, text[index] == " " || text[index] == "\t" { index = text.index(after: index) }
            guard index < text.endIndex else { break }
            let start = index
            while index < text.endIndex, text[index] != " ", text[index] != "\t" { index = text.index(after: index) }
            result.append(FieldText(text: text[start..<index], offset: base + text.distance(from: text.startIndex, to: start)))
        }
        return result
    }

    private static func parse(_ field: FieldText, _ kind: Field) throws(CronParseError) -> UInt64 {
        var bits: UInt64 = 0
        var offset = field.offset
        for item in field.text.split(separator: ",", omittingEmptySubsequences: false) {
            bits |= try parseItem(item, kind, offset: offset)
            offset += item.count + 1
        }
        return bits
    }

    private static func parseItem(_ item: Substring, _ kind: Field, offset: Int) throws(CronParseError) -> UInt64 {
        func fail(_ message: String) -> CronParseError {
            let range = kind.range
            let names = kind.names.isEmpty ? "" : " or names \(kind.names.first!)–\(kind.names.last!)"
            return CronParseError(
                message: "\(message) in the \(kind.name) field", offset: offset,
                hint: "use *, \(range.lowerBound)–\(range.upperBound)\(names), ranges a-b, lists a,b and steps */n")
        }
        guard !item.isEmpty else { throw fail("empty list item") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
        var step = 1
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 1, value <= kind.range.count else {
                throw fail("step '\(parts[1])' is not a number from 1 to \(kind.range.count)")
            }
            step = value
        }
        let span = parts[0]
        var low: Int
        var high: Int
        if span == "*" {
            (low, high) = (kind.range.lowerBound, kind.range.upperBound)
            if kind == .dayOfWeek { high = 6 }
        } else {
            let bounds = span.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { throw fail("'\(span)' is not a value or a range") }
            guard let first = value(bounds[0], kind) else { throw fail("'\(bounds[0])' is not a valid value") }
            low = first
            if bounds.count == 2 {
                guard let last = value(bounds[1], kind) else { throw fail("'\(bounds[1])' is not a valid value") }
                high = last
                guard low <= high else { throw fail("range '\(span)' goes backwards") }
            } else {
                // `a/n` runs to the field's end; in day-of-week that is Saturday, and `7/n` is Sunday alone.
                high = parts.count == 2 ? (kind == .dayOfWeek ? max(low, 6) : kind.range.upperBound) : low
            }
        }
        var bits: UInt64 = 0
        for value in stride(from: low, through: high, by: step) { bits |= 1 << value }
        return bits
    }

    private static func value(_ text: Substring, _ kind: Field) -> Int? {
        if let number = Int(text), text.allSatisfy(\.isNumber) {
            return kind.range.contains(number) ? number : nil
        }
        guard let index = kind.names.firstIndex(of: text.lowercased()) else { return nil }
        return kind == .month ? index + 1 : index
    }
}

/// Why a cron expression was refused; `offset` is the character index of the offending field.
public struct CronParseError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int
    public var hint: String
}
