extension ScheduleSpec {
    /// A one-line human description, e.g. `every 45m from 00:00 to 23:59 on mon, wed, fri (Europe/London)`.
    public var summary: String { "\(rule.summary) (\(timezone))" }
}

extension ScheduleRule {
    public var summary: String {
        switch self {
        case .cron(let cron): return "cron \"\(cron.source)\""
        case .calendar(let calendar): return calendar.summary
        }
    }
}

extension CalendarRule {
    public var summary: String {
        var parts: [String]
        switch times {
        case .at(let times): parts = ["at " + times.map(\.description).joined(separator: ", ")]
        case .every(let minutes, let window):
            let interval = minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes)m"
            parts = ["every \(interval) from \(window.start) to \(window.end)\(window.wrapsPastMidnight ? " next day" : "")"]
        }
        if let days {
            parts.append("on " + days.sorted { ($0.rawValue + 6) % 7 < ($1.rawValue + 6) % 7 }.map(\.shortName).joined(separator: ", "))
        }
        if let daysOfMonth { parts.append("on day " + daysOfMonth.sorted().map(String.init).joined(separator: ", ") + " of the month") }
        if let months { parts.append("in months " + months.sorted().map(String.init).joined(separator: ", ")) }
        if days == nil, daysOfMonth == nil, months == nil { parts.append("every day") }
        return parts.joined(separator: " ")
    }
}
