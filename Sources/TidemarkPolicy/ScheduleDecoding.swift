import Foundation

extension ScheduleSpec {
    static let keys = ["timezone", "at", "every", "window", "days", "daysOfMonth", "months", "cron"]

    /// Decodes `schedule:`; returns the spec and where its timezone is written.
    static func decode(_ node: YAMLNode, log: DiagnosticLog) -> (spec: ScheduleSpec, timezoneLocation: SourceLocation)? {
        guard let schedule = MappingReader(node, context: "schedule", allowed: keys, log: log) else { return nil }
        let timezone = schedule.string("timezone", required: true)
        if let timezone, !Timezones.isIANA(timezone.value) {
            log.error(
                timezone.location, "invalid timezone '\(timezone.value)'",
                hint: Suggestion.didYouMean(timezone.value, in: Timezones.known) + "use an IANA name such as Europe/Zurich or Etc/UTC")
        }
        let rule: ScheduleRule?
        if let cron = schedule.string("cron") {
            for key in ["at", "every", "window", "days", "daysOfMonth", "months"] where schedule.node(key) != nil {
                log.error(
                    schedule.keyLocation(key), "'\(key)' cannot be combined with 'cron'",
                    hint: "express the whole schedule in the cron expression, or drop 'cron'")
            }
            rule = decodeCron(cron, node: schedule.node("cron")!, log: log).map(ScheduleRule.cron)
        } else {
            rule = decodeCalendar(schedule).map(ScheduleRule.calendar)
        }
        guard let timezone, Timezones.isIANA(timezone.value), let rule else { return nil }
        return (ScheduleSpec(timezone: timezone.value, rule: rule), timezone.location)
    }

    private static func decodeCron(_ cron: Located<String>, node: YAMLNode, log: DiagnosticLog) -> CronExpression? {
        do {
            return try CronExpression(parsing: cron.value)
        } catch {
            var location = cron.location
            if case .scalar(_, let style, _) = node, style != .block {
                location.column += error.offset + (style == .quoted ? 1 : 0)
            }
            log.error(location, error.message, hint: error.hint)
            return nil
        }
    }

    private static func decodeCalendar(_ schedule: MappingReader) -> CalendarRule? {
        let log = schedule.log
        let atNodes = schedule.list("at", scalarAllowed: true)
        let every = schedule.string("every")
        let windowText = schedule.string("window")
        var times: DailyTimes?
        switch (atNodes, every) {
        case (.some, .some):
            log.error(
                schedule.keyLocation("every"), "'at' and 'every' cannot be combined",
                hint: "use 'at' for fixed times or 'every' with an optional 'window' for an interval")
        case (nil, nil):
            log.error(
                schedule.location, "schedule needs 'at', 'every' or 'cron'",
                hint: "e.g. at: [\"03:00\"], or every: 12h, or cron: \"0 4 * * *\"")
        case (let atNodes?, nil):
            if let windowText {
                log.error(
                    windowText.location, "'window' applies only to a schedule with 'every'",
                    hint: "remove 'window', or use 'every' to repeat within it")
            }
            times = decodeTimes(atNodes, keyLocation: schedule.keyLocation("at"), log: log).map(DailyTimes.at)
        case (nil, let every?):
            let minutes = decodeInterval(every, log: log)
            var window = TimeWindow.wholeDay
            if let windowText {
                if let parsed = TimeWindow(parsing: windowText.value) {
                    window = parsed
                } else {
                    log.error(
                        windowText.location, "invalid window '\(windowText.value)'",
                        hint: "use HH:MM-HH:MM, e.g. \"07:00-19:00\"; an end before the start wraps past midnight")
                }
            }
            times = minutes.map { DailyTimes.every(minutes: $0, window: window) }
        }
        let days = nonEmptyList("days", schedule).flatMap { decodeDays($0, log: log) }
        let daysOfMonth = nonEmptyList("daysOfMonth", schedule).flatMap {
            decodeNumbers($0, name: "daysOfMonth", range: 1...31, names: [], log: log)
        }
        let months = nonEmptyList("months", schedule).flatMap {
            decodeNumbers($0, name: "months", range: 1...12, names: CronExpression.Field.month.names, log: log)
        }
        guard let times else { return nil }
        let rule = CalendarRule(times: times, days: days, daysOfMonth: daysOfMonth, months: months)
        if !rule.datesExist {
            log.error(
                schedule.keyLocation("daysOfMonth"), "schedule never fires: none of its months has those days of the month",
                hint: "check daysOfMonth and months")
            return nil
        }
        return rule
    }

    /// A day filter's items; an empty list is refused, since it would never fire.
    private static func nonEmptyList(_ key: String, _ schedule: MappingReader) -> [YAMLNode]? {
        guard let items = schedule.list(key, scalarAllowed: true) else { return nil }
        if items.isEmpty {
            schedule.log.error(
                schedule.keyLocation(key), "'\(key)' is empty, so the schedule would never fire",
                hint: "remove '\(key)' to mean every day, or list the days")
            return nil
        }
        return items
    }

    private static func decodeTimes(_ nodes: [YAMLNode], keyLocation: SourceLocation, log: DiagnosticLog) -> [TimeOfDay]? {
        guard !nodes.isEmpty else {
            log.error(keyLocation, "'at' is empty", hint: "list at least one time, e.g. [\"03:00\"]")
            return nil
        }
        var times: [TimeOfDay] = []
        for node in nodes {
            guard let text = node.scalarText, let time = TimeOfDay(parsing: text) else {
                log.error(
                    node.location, "invalid time \(node.scalarText.map { "'\($0)'" } ?? node.kindDescription) in 'at'",
                    hint: "use HH:MM from 00:00 to 23:59, quoted: \"03:00\"")
                return nil
            }
            times.append(time)
        }
        return Array(Set(times)).sorted()
    }

    private static func decodeInterval(_ every: Located<String>, log: DiagnosticLog) -> Int? {
        let text = every.value
        let digits = text.dropLast()
        guard let unit = text.last, unit == "m" || unit == "h", !digits.isEmpty, digits.allSatisfy(\.isNumber),
            let amount = Int(digits)
        else {
            log.error(every.location, "invalid interval '\(text)'", hint: "use a number followed by m or h, e.g. 45m or 12h")
            return nil
        }
        let minutes = unit == "h" ? amount * 60 : amount
        guard (1...1440).contains(minutes) else {
            log.error(
                every.location, "interval '\(text)' must be between 1m and 24h",
                hint: "for less often than daily, use 'at' with days, daysOfMonth or months")
            return nil
        }
        return minutes
    }

    private static func decodeDays(_ nodes: [YAMLNode], log: DiagnosticLog) -> Set<Weekday>? {
        var days: Set<Weekday> = []
        for node in nodes {
            let text = node.scalarText?.lowercased() ?? ""
            if text == "weekdays" {
                days.formUnion(Weekday.weekdays)
            } else if text == "weekends" {
                days.formUnion(Weekday.weekends)
            } else if let day = Weekday(shortName: text) {
                days.insert(day)
            } else {
                let names = Weekday.shortNames + ["weekdays", "weekends"]
                log.error(
                    node.location, "invalid day name \(node.scalarText.map { "'\($0)'" } ?? node.kindDescription)",
                    hint: Suggestion.didYouMean(text, in: names) + "use mon, tue, wed, thu, fri, sat, sun, weekdays or weekends")
                return nil
            }
        }
        return days
    }

    private static func decodeNumbers(
        _ nodes: [YAMLNode], name: String, range: ClosedRange<Int>, names: [String],
        log: DiagnosticLog
    ) -> Set<Int>? {
        var values: Set<Int> = []
        for node in nodes {
            if let text = node.scalarText, let index = names.firstIndex(of: text.lowercased()) {
                values.insert(range.lowerBound + index)
                continue
            }
            guard let value = MappingReader.int(node, name: "'\(name)' item", in: range, log: log) else { return nil }
            values.insert(value.value)
        }
        return values
    }
}

extension CalendarRule {
    /// False when `daysOfMonth` names only days that none of `months` has.
    var datesExist: Bool {
        let longest = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let months = self.months ?? Set(1...12)
        let days = self.daysOfMonth ?? Set(1...31)
        return months.contains { month in days.contains { $0 <= longest[month] } }
    }
}
