/// How long snapshots are kept: a union of rules (docs/policy-language.md#retentionpolicy).
public struct RetentionPolicySpec: Sendable, Hashable {
    public var displayName: String?
    public var rules: [RetentionRule]

    public init(displayName: String? = nil, rules: [RetentionRule]) {
        self.displayName = displayName
        self.rules = rules
    }
}

/// One retention rule.
public enum RetentionRule: Sendable, Hashable, CustomStringConvertible {
    /// Every snapshot younger than `quantity` periods.
    case age(period: RetentionPeriod, quantity: Int)
    /// One snapshot in each of the `quantity` most recent period buckets, the one taken on (or nearest to)
    /// anchor day `timeOption`: day of week 0 = Sunday … 6 for weeks, day of month 1–31 for months.
    case anchored(period: RetentionPeriod, quantity: Int, timeOption: Int)
    /// The `count` newest.
    case last(Int)

    public var description: String {
        switch self {
        case .age(let period, let quantity): "{period: \(period), quantity: \(quantity)}"
        case .anchored(let period, let quantity, let option): "{period: \(period), quantity: \(quantity), timeOption: \(option)}"
        case .last(let count): "{last: \(count)}"
        }
    }
}

/// A calendar period in the scheduler's timezone; weeks are ISO weeks (Monday–Sunday).
public enum RetentionPeriod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case days, weeks, months, years

    public var description: String { rawValue }
}

/// A scheduler's retention: a RetentionPolicy by name, or rules written in place.
public enum RetentionReference: Sendable, Hashable {
    case named(Reference)
    case inline(RetentionPolicySpec)
}

extension RetentionPolicySpec {
    static let keys = ["displayName", "rules"]

    static func decode(_ spec: MappingReader) -> RetentionPolicySpec? {
        let displayName = spec.string("displayName")?.value
        guard let items = spec.list("rules", required: true) else { return nil }
        if items.isEmpty {
            spec.log.error(
                spec.keyLocation("rules"), "'rules' in \(spec.context) is empty",
                hint: "add at least one rule, e.g. {period: days, quantity: 7} or {last: 14}")
            return nil
        }
        let rules = items.compactMap { RetentionRule.decode($0, log: spec.log) }
        guard rules.count == items.count else { return nil }
        return RetentionPolicySpec(displayName: displayName, rules: rules)
    }
}

extension RetentionRule {
    static func decode(_ node: YAMLNode, log: DiagnosticLog) -> RetentionRule? {
        guard let rule = MappingReader(node, context: "retention rule", allowed: ["period", "quantity", "timeOption", "last"], log: log)
        else {
            return nil
        }
        if let last = rule.node("last") {
            if rule.node("period") != nil || rule.node("quantity") != nil || rule.node("timeOption") != nil {
                log.error(
                    node.location, "a retention rule has either 'last' or 'period' and 'quantity', not both",
                    hint: "split it into two rules")
                return nil
            }
            return MappingReader.int(last, name: "'last' in retention rule", in: 1...100_000, log: log).map { .last($0.value) }
        }
        let period = rule.choice("period", required: true, as: RetentionPeriod.self)
        let quantity = rule.int("quantity", required: true, in: 1...10_000)
        guard let period, let quantity else { return nil }
        guard let optionNode = rule.node("timeOption") else {
            return .age(period: period, quantity: quantity.value)
        }
        let range: ClosedRange<Int>
        switch period {
        case .weeks: range = 0...6
        case .months: range = 1...31
        case .days, .years:
            log.error(
                rule.keyLocation("timeOption"), "timeOption applies to weeks and months, not \(period)",
                hint: "remove timeOption, or use period weeks (0 = Sunday … 6 = Saturday) or months (1–31)")
            return nil
        }
        let name = period == .weeks ? "timeOption (day of week, 0 = Sunday)" : "timeOption (day of month)"
        return MappingReader.int(optionNode, name: name, in: range, log: log)
            .map { .anchored(period: period, quantity: quantity.value, timeOption: $0.value) }
    }
}

extension RetentionRule {
    /// `{period: years, quantity: 2}` as the 24 months every provider takes it for; other rules as they are.
    public var yearsAsMonths: RetentionRule {
        if case .age(.years, let quantity) = self { return .age(period: .months, quantity: quantity * 12) }
        return self
    }
}
