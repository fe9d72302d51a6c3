/// The `options` a Scheduler may carry on one provider: which keys exist, which are required, and what makes a
/// value wrong. Providers declare theirs; unknown, missing and malformed options are reported with their location.
public struct SchedulerOptionRules: Sendable {
    /// One option: its key, whether it must be given, and what makes a value wrong (nil: the value is fine).
    public struct Rule: Sendable {
        public var key: String
        public var required: Bool
        public var problem: @Sendable (String) -> String?

        public init(key: String, required: Bool = false, problem: @escaping @Sendable (String) -> String? = { _ in nil }) {
            self.key = key
            self.required = required
            self.problem = problem
        }
    }

    public var rules: [Rule]

    public init(_ rules: [Rule]) {
        self.rules = rules
    }

    /// Unknown, missing and malformed options of `scheduler` on `target`.
    public func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic] {
        let spec = scheduler.spec
        let provider = target.spec.provider.rawValue
        let known = rules.map(\.key)
        var found: [Diagnostic] = []
        for key in spec.options.keys.sorted() where !known.contains(key) {
            found.append(
                Diagnostic(
                    spec.optionLocations[key] ?? scheduler.location,
                    "unknown option '\(key)' for scheduler '\(scheduler.name)' on \(provider) target '\(target.name)'",
                    hint: Suggestion.didYouMean(key, in: known)
                        + (known.isEmpty ? "\(provider) schedulers take no options" : "known: \(known.joined(separator: ", "))")))
        }
        for rule in rules {
            guard let value = spec.options[rule.key] else {
                if rule.required {
                    found.append(
                        Diagnostic(
                            spec.optionsLocation ?? scheduler.location,
                            "scheduler '\(scheduler.name)' on \(provider) target '\(target.name)' needs options.\(rule.key)",
                            hint: "add \(rule.key): … under options"))
                }
                continue
            }
            if let problem = rule.problem(value) {
                found.append(
                    Diagnostic(
                        spec.optionLocations[rule.key] ?? scheduler.location,
                        "options.\(rule.key) '\(value)' of scheduler '\(scheduler.name)' \(problem)"))
            }
        }
        return found
    }
}
