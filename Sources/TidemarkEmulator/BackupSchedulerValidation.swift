import TidemarkJSON
import TidemarkPolicy

/// Validates a backup scheduler as the seed's schema says; every problem becomes one error entry.
enum BackupSchedulerValidation {
    static let types = ["migration", "backup", "dr", "snapshot"]
    static let required = ["name", "type", "is_enabled", "is_default", "manual_incremental_backup", "incremental_backup"]
    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "*", ""]

    static func errors(_ object: JSON) -> [JSON] {
        var errors: [JSON] = []
        func fail(_ point: String, _ message: String) { errors.append(APIError.validation(message, at: point)) }
        guard let fields = object.objectValue else { return [APIError.validation("Expected an object", at: nil)] }
        for key in required where fields[key] == nil || fields[key] == .null { fail(key, "This field is required.") }
        if let type = fields["type"], type != .null, !types.contains(type.stringValue ?? "") {
            fail("type", "Select a valid choice. \(type) is not one of the available choices.")
        }
        if let name = fields["name"], name != .null, (name.stringValue ?? "").isEmpty { fail("name", "Name must be a non-empty string.") }
        for key in ["is_enabled", "is_default", "enable_backup_policy_notifications", "enable_retention_policy_notifications"] {
            if let value = fields[key], value != .null, value.boolValue == nil { fail(key, "\(key) must be a boolean.") }
        }
        if let zone = fields["user_timezone"], zone != .null, !CloudSigmaTimezones.allowed.contains(zone.stringValue ?? "") {
            fail("user_timezone", "Invalid timezone \(zone).")
        }
        if let manual = fields["manual_incremental_backup"], manual != .null {
            let text = manual.stringValue ?? "?"
            if !text.isEmpty,
                !text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy({ TimeOfDay(parsing: String($0)) != nil })
            {
                fail("manual_incremental_backup", "Expected comma separated HH:MM times.")
            }
        }
        if let meta = fields["meta"], meta != .null, meta.objectValue == nil { fail("meta", "meta must be a dictionary.") }
        if let backup = fields["incremental_backup"], backup != .null { validateIncremental(backup, fail) }
        if let policy = fields["retention_policy"], policy != .null { validateRetention(policy, fail) }
        return errors
    }

    private static func validateIncremental(_ backup: JSON, _ fail: (String, String) -> Void) {
        guard backup.objectValue != nil else { return fail("incremental_backup", "Expected an object.") }
        func checkList(_ key: String, _ range: ClosedRange<Int>) {
            let items: [String]
            switch backup[key] {
            case .string(let text)?: items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            case .array(let values)?: items = values.map { $0.stringValue ?? $0.intValue.map(String.init) ?? "?" }
            case nil, .null?: return
            default: return fail("incremental_backup.\(key)", "Expected a string.")
            }
            for item in items where !(item.isEmpty || item == "*" || Int(item).map(range.contains) == true) {
                fail("incremental_backup.\(key)", "Accepts values between \(range.lowerBound) and \(range.upperBound), got '\(item)'.")
            }
        }
        checkList("day_of_month", 1...31)
        checkList("hour", 0...23)
        checkList("minute", 0...59)
        checkList("month", 1...12)
        if let days = backup["day_of_week"]?.arrayValue {
            for day in days where !weekdays.contains(day.stringValue ?? "?") {
                fail("incremental_backup.day_of_week", "Accepts values mon, tue, wed, thu, fri, sat, sun, got \(day).")
            }
        } else if let day = backup["day_of_week"], day != .null, !weekdays.contains(day.stringValue ?? "?") {
            fail("incremental_backup.day_of_week", "Accepts values mon, tue, wed, thu, fri, sat, sun, got \(day).")
        }
        if let repeatRule = backup["repeat"], repeatRule != .null {
            for (key, limit) in [("hour", 23), ("minute", 59)] {
                guard let text = repeatRule[key]?.stringValue, !text.isEmpty else { continue }
                guard text.hasPrefix("*/"), let step = Int(text.dropFirst(2)), (1...limit).contains(step) else {
                    fail("incremental_backup.repeat.\(key)", "Expected */N with N between 1 and \(limit), got '\(text)'.")
                    continue
                }
            }
        }
        for key in ["start_time", "end_time"] {
            guard let time = backup[key], time != .null else { continue }
            for (field, range) in [("hour", 0...23), ("minute", 0...59)] {
                switch time[field] {
                case .int(let value)? where !range.contains(value):
                    fail("incremental_backup.\(key).\(field)", "Accepts values between \(range.lowerBound) and \(range.upperBound).")
                case .string(let text)? where !text.isEmpty && Int(text).map(range.contains) != true:
                    fail("incremental_backup.\(key).\(field)", "Accepts values between \(range.lowerBound) and \(range.upperBound).")
                default: break
                }
            }
        }
    }

    private static func validateRetention(_ policy: JSON, _ fail: (String, String) -> Void) {
        guard let rules = policy["rules"]?.arrayValue else { return fail("retention_policy.rules", "Expected a list of rules.") }
        for (index, rule) in CloudSigmaQuirks.joinTimeOptions(rules).enumerated() {
            let point = "retention_policy.rules.\(index)"
            guard let period = rule["period"]?.stringValue, ["days", "weeks", "months"].contains(period) else {
                fail("\(point).period", "Allowed values: days, weeks, months.")
                continue
            }
            if (rule["quantity"]?.intValue ?? 0) < 1 { fail("\(point).quantity", "Expected a positive integer.") }
            if let option = rule["time_option"] {
                let range = period == "weeks" ? 0...6 : 1...31
                if period == "days" || !(option.intValue.map(range.contains) ?? false) {
                    fail("\(point).time_option", "Invalid time_option \(option) for period \(period).")
                }
            }
        }
    }
}
