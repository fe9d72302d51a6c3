import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// Maps cloudsigma backup scheduler objects to the neutral `SchedulerState` and back (docs/providers.md#cloudsigma; seeds 000/001).
public enum CloudSigmaSchedulerMapping {
    static let ownerKey = SnapshotMetaKey.owner
    static let nameKey = "tidemark.io/name"
    static let targetKey = "tidemark.io/target"
    static let protectKey = "tidemark.io/protect"
    static let weekdayOrder: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday, .sunday]

    static func marker(_ object: JSON) -> OwnershipMarker? {
        guard let meta = object["meta"], let owner = meta[ownerKey]?.stringValue, let name = meta[nameKey]?.stringValue else { return nil }
        return OwnershipMarker(
            instance: owner, target: meta[targetKey]?.stringValue, name: name, protected: meta[protectKey]?.stringValue == "true")
    }

    // MARK: Live → neutral

    static func state(_ object: JSON) -> SchedulerState? {
        guard let backup = object["incremental_backup"], let timezone = object["user_timezone"]?.stringValue,
            let type = SchedulerType(rawValue: object["type"]?.stringValue ?? "")
        else { return nil }
        let window = timeWindow(backup)
        let days = weekdays(backup["day_of_week"])
        let daysOfMonth = numbers(backup["day_of_month"], 1...31)
        let months = numbers(backup["month"], 1...12)
        let times: DailyTimes
        var fixedTimeWindow: TimeWindow?
        if let hours = step(backup["repeat"]?["hour"]) {
            times = .every(minutes: hours * 60, window: window ?? .wholeDay)
        } else if let minutes = step(backup["repeat"]?["minute"]) {
            times = .every(minutes: minutes, window: window ?? .wholeDay)
        } else if let manual = object["manual_incremental_backup"]?.stringValue, !manual.isEmpty {
            let parsed = manual.split(separator: ",").compactMap { TimeOfDay(parsing: String($0)) }
            guard !parsed.isEmpty else { return nil }
            times = .at(Array(Set(parsed)).sorted())
            fixedTimeWindow = window
        } else if let hours = numbers(backup["hour"], 0...23), let minutes = numbers(backup["minute"], 0...59) {
            times = .at(hours.flatMap { hour in minutes.map { TimeOfDay(hour: hour, minute: $0)! } }.sorted())
            fixedTimeWindow = window
        } else {
            return nil
        }
        guard let retention = retentionRules(object["retention_policy"]?["rules"]) else { return nil }
        let schedule = ScheduleSpec(
            timezone: timezone, rule: .calendar(CalendarRule(times: times, days: days, daysOfMonth: daysOfMonth, months: months)))
        return SchedulerState(
            displayName: object["name"]?.stringValue ?? "", type: type, enabled: object["is_enabled"]?.boolValue ?? true,
            schedule: schedule, retentionName: object["retention_policy"]?["name"]?.stringValue ?? "", retention: retention,
            notifications: Notifications(
                backup: object["enable_backup_policy_notifications"]?.boolValue ?? true,
                retention: object["enable_retention_policy_notifications"]?.boolValue ?? true),
            remoteLocation: object["remote_location"]?.stringValue ?? "",
            window: fixedTimeWindow == .wholeDay ? nil : fixedTimeWindow)
    }

    /// `*/N` → N; blank → nil.
    static func step(_ value: JSON?) -> Int? {
        guard let text = value?.stringValue, text.hasPrefix("*/") else { return nil }
        return Int(text.dropFirst(2))
    }

    /// A comma list or list of numbers; `*`, blank or the whole range → nil (any).
    static func numbers(_ value: JSON?, _ range: ClosedRange<Int>) -> Set<Int>? {
        let items: [String]
        switch value {
        case .string(let text)?: items = text.split(separator: ",").map { $0.filter { $0 != " " } }
        case .array(let list)?: items = list.compactMap { $0.stringValue ?? $0.intValue.map(String.init) }
        case .int(let number)?: items = [String(number)]
        default: return nil
        }
        let values = Set(items.compactMap(Int.init).filter(range.contains))
        if items.contains("*") || values.isEmpty || values.count == range.count { return nil }
        return values
    }

    static func weekdays(_ value: JSON?) -> Set<Weekday>? {
        let names =
            value?.arrayValue?.compactMap(\.stringValue) ?? value?.stringValue.map { $0.split(separator: ",").map(String.init) } ?? []
        if names.contains("*") { return nil }
        let days = Set(names.compactMap(Weekday.init(shortName:)))
        return days.isEmpty || days.count == 7 ? nil : days
    }

    static func timeWindow(_ backup: JSON) -> TimeWindow? {
        func time(_ value: JSON?) -> TimeOfDay? {
            guard let hour = value?["hour"]?.intValue ?? value?["hour"]?.stringValue.flatMap({ Int($0) }),
                let minute = value?["minute"]?.intValue ?? value?["minute"]?.stringValue.flatMap({ Int($0) })
            else { return nil }
            return TimeOfDay(hour: hour, minute: minute)
        }
        guard let start = time(backup["start_time"]), let end = time(backup["end_time"]) else { return nil }
        return TimeWindow(start: start, end: end)
    }

    static func retentionRules(_ value: JSON?) -> [RetentionRule]? {
        var rules: [RetentionRule] = []
        for item in joinTimeOptions(value?.arrayValue ?? []) {
            guard let period = RetentionPeriod(rawValue: item["period"]?.stringValue ?? ""), let quantity = item["quantity"]?.intValue
            else {
                return nil
            }
            if let option = item["time_option"]?.intValue {
                rules.append(.anchored(period: period, quantity: quantity, timeOption: option))
            } else {
                rules.append(.age(period: period, quantity: quantity))
            }
        }
        return rules
    }

    /// Folds the `{"time_option": N}` elements the API returns into the rule before them.
    static func joinTimeOptions(_ rules: [JSON]) -> [JSON] {
        var joined: [JSON] = []
        for rule in rules {
            if let fields = rule.objectValue, fields.count == 1, let option = fields["time_option"], var last = joined.last {
                last["time_option"] = option
                joined[joined.count - 1] = last
            } else {
                joined.append(rule)
            }
        }
        return joined
    }

    // MARK: Neutral → wire

    /// Why a state cannot run natively on cloudsigma, or nil when it can, exactly.
    static func nativeLimitation(_ state: SchedulerState) -> String? {
        switch state.schedule.rule {
        case .cron(let cron) where cron.daysMatchEither:
            return "cron with both day fields restricted (either matches) has no cloudsigma equivalent"
        case .calendar(let rule):
            if case .every(let minutes, _) = rule.times, !(minutes % 60 == 0 ? minutes / 60 <= 23 : minutes <= 59) {
                return "every \(minutes)m is not a cloudsigma repeat (*/1–*/59 minutes or */1–*/23 hours)"
            }
        default: break
        }
        if state.retention.contains(where: { if case .last = $0 { true } else { false } }) {
            return "{last: N} retention is not a cloudsigma rule"
        }
        return nil
    }

    /// The wire object for `state`, starting from `base` (the live object) so fields tidemark does not manage survive.
    static func wire(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
        var object = base ?? ["is_default": false]
        object["name"] = .string(state.displayName)
        object["type"] = .string(state.type.rawValue)
        object["is_enabled"] = .bool(state.enabled)
        if object["is_default"] == nil { object["is_default"] = false }
        object["enable_backup_policy_notifications"] = .bool(state.notifications.backup)
        object["enable_retention_policy_notifications"] = .bool(state.notifications.retention)
        object["remote_location"] = .string(state.remoteLocation)
        object["user_timezone"] = .string(state.schedule.timezone)
        var meta = object["meta"]?.objectValue ?? [:]
        meta[ownerKey] = .string(marker.instance)
        meta[nameKey] = .string(marker.name)
        meta[targetKey] = marker.target.map(JSON.string)
        meta[protectKey] = marker.protected ? "true" : nil
        object["meta"] = .object(meta)
        var backup = base?["incremental_backup"] ?? [:]
        var manual = ""
        switch state.schedule.rule {
        case .calendar(let rule):
            backup["day_of_week"] = .array(
                rule.days.map { days in weekdayOrder.filter(days.contains).map { .string($0.shortName) } } ?? ["*"])
            backup["day_of_month"] = .string(list(rule.daysOfMonth))
            backup["month"] = monthField(rule.months, spelledLike: base?["incremental_backup"]?["month"])
            switch rule.times {
            case .at(let times) where times.count == 1:
                backup["hour"] = .string(String(times[0].hour))
                backup["minute"] = .string(String(times[0].minute))
                backup["repeat"] = ["hour": "", "minute": ""]
                setWindow(&backup, state.window ?? .wholeDay)
            case .at(let times):
                manual = times.map(\.description).joined(separator: ",")
                backup["hour"] = ""
                backup["minute"] = ""
                backup["repeat"] = ["hour": "", "minute": ""]
                setWindow(&backup, state.window ?? .wholeDay)
            case .every(let minutes, let window):
                backup["hour"] = ""
                backup["minute"] = ""
                backup["repeat"] =
                    minutes % 60 == 0
                    ? ["hour": .string("*/\(minutes / 60)"), "minute": ""] : ["hour": "", "minute": .string("*/\(minutes)")]
                setWindow(&backup, window)
            }
        case .cron(let cron):
            func bits(_ value: UInt64, _ range: ClosedRange<Int>) -> [Int] { range.filter { value & (1 << $0) != 0 } }
            backup["minute"] = .string(bits(cron.minutes, 0...59).map(String.init).joined(separator: ","))
            backup["hour"] = .string(bits(UInt64(cron.hours), 0...23).map(String.init).joined(separator: ","))
            let domAll = cron.daysOfMonth == DayMask.allDaysOfMonth
            backup["day_of_month"] = .string(domAll ? "*" : bits(UInt64(cron.daysOfMonth), 1...31).map(String.init).joined(separator: ","))
            let months = bits(UInt64(cron.months), 1...12)
            backup["month"] = .string(months.count == 12 ? "*" : months.map(String.init).joined(separator: ","))
            let days = Set(bits(UInt64(cron.daysOfWeek), 0...6).compactMap(Weekday.init(rawValue:)))
            backup["day_of_week"] = .array(days.count == 7 ? ["*"] : weekdayOrder.filter(days.contains).map { .string($0.shortName) })
            backup["repeat"] = ["hour": "", "minute": ""]
            setWindow(&backup, .wholeDay)
        }
        object["incremental_backup"] = backup
        object["manual_incremental_backup"] = .string(manual)
        let rules = state.retention.compactMap(wireRule)
        let splitRules =
            base?["retention_policy"]?["rules"]?.arrayValue?.contains { $0.objectValue?.keys.sorted() == ["time_option"] } ?? false
        object["retention_policy"] = ["name": .string(state.retentionName), "rules": .array(splitRules ? splitTimeOptions(rules) : rules)]
        return object
    }

    /// The rules as GET returns them: each `time_option` in an element of its own after its rule.
    static func splitTimeOptions(_ rules: [JSON]) -> [JSON] {
        rules.flatMap { rule -> [JSON] in
            guard var fields = rule.objectValue, let option = fields.removeValue(forKey: "time_option") else { return [rule] }
            return [.object(fields), ["time_option": option]]
        }
    }

    /// The cloudsigma wire format for the reconciler.
    public struct Format: SchedulerWireFormat {
        public init() {}

        public func live(_ object: JSON) -> LiveScheduler { CloudSigmaProvider.liveScheduler(object) }

        public func object(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
            wire(state, marker: marker, base: base)
        }
    }

    /// Months as a comma list, or as the list of strings the API returns a comma list as when the live object has one.
    private static func monthField(_ months: Set<Int>?, spelledLike live: JSON?) -> JSON {
        guard let months, case .array? = live else { return .string(list(months)) }
        return .array(months.sorted().map { .string(String($0)) })
    }

    private static func list(_ values: Set<Int>?) -> String {
        values.map { $0.sorted().map(String.init).joined(separator: ",") } ?? "*"
    }

    private static func setWindow(_ backup: inout JSON, _ window: TimeWindow) {
        backup["start_time"] = ["hour": .int(window.start.hour), "minute": .int(window.start.minute)]
        backup["end_time"] = ["hour": .int(window.end.hour), "minute": .int(window.end.minute)]
    }

    private static func wireRule(_ rule: RetentionRule) -> JSON? {
        switch rule.yearsAsMonths {
        case .age(let period, let quantity): return ["period": .string(period.rawValue), "quantity": .int(quantity)]
        case .anchored(let period, let quantity, let option):
            return ["period": .string(period.rawValue), "quantity": .int(quantity), "time_option": .int(option)]
        case .last: return nil
        }
    }
}
