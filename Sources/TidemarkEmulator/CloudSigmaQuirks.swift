import TidemarkJSON

/// How the seed API stores and renders backup schedulers, quirks included (seed 001):
/// - a rule's `time_option` is accepted inside the rule and returned by GET and PUT as a separate list element
///   after it (the POST response still shows it inside);
/// - a comma-separated `month` comes back as a list of strings;
/// - an empty `day_of_week` list comes back as `[""]`;
/// - `start_time`/`end_time` numbers sent as strings (`"20"`, `"00"`) come back as numbers.
enum CloudSigmaQuirks {
    /// The stored form of a scheduler: rules with `time_option` inside, quirky fields normalized.
    static func stored(_ object: JSON) -> JSON {
        var object = object
        if var policy = object["retention_policy"], let rules = policy["rules"]?.arrayValue {
            policy["rules"] = .array(joinTimeOptions(rules))
            object["retention_policy"] = policy
        }
        if var backup = object["incremental_backup"], backup.objectValue != nil {
            if case .string(let month) = backup["month"], month.contains(",") {
                backup["month"] = .array(month.split(separator: ",").map { .string($0.filter { $0 != " " }) })
            }
            if case .array(let days) = backup["day_of_week"], days.isEmpty { backup["day_of_week"] = [""] }
            for key in ["start_time", "end_time"] { backup[key] = backup[key].map(numericTime) }
            object["incremental_backup"] = backup
        }
        if var initial = object["initial_backup"], initial.objectValue != nil {
            for key in ["start_time", "end_time"] { initial[key] = initial[key].map(numericTime) }
            object["initial_backup"] = initial
        }
        return object
    }

    /// The form GET and PUT return: each `time_option` moved to its own list element after its rule.
    static func rendered(_ stored: JSON) -> JSON {
        guard var policy = stored["retention_policy"], let rules = policy["rules"]?.arrayValue else { return stored }
        var split: [JSON] = []
        for rule in rules {
            guard var fields = rule.objectValue, let option = fields.removeValue(forKey: "time_option") else {
                split.append(rule)
                continue
            }
            split.append(.object(fields))
            split.append(["time_option": option])
        }
        policy["rules"] = .array(split)
        var object = stored
        object["retention_policy"] = policy
        return object
    }

    /// Folds `{"time_option": N}` elements into the rule before them. The provider has its own reading of this quirk
    /// on purpose: the emulator shares no code with the client it tests.
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

    private static func numericTime(_ time: JSON) -> JSON {
        guard var fields = time.objectValue else { return time }
        for (key, value) in fields {
            if case .string(let text) = value, !text.isEmpty, let number = Int(text) { fields[key] = .int(number) }
        }
        return .object(fields)
    }
}
