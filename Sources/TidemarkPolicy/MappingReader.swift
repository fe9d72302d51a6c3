/// Strict, located reading of one YAML mapping: typed accessors, required keys, unknown keys refused.
struct MappingReader {
    let location: SourceLocation
    /// What the mapping is, for messages: "Scheduler spec", "schedule".
    let context: String
    let log: DiagnosticLog
    private var entries: [String: (key: YAMLNode, value: YAMLNode)] = [:]

    /// Reads `node` as a mapping with the given keys; reports a non-mapping or unknown keys.
    init?(_ node: YAMLNode, context: String, allowed: [String], log: DiagnosticLog) {
        self.location = node.location
        self.context = context
        self.log = log
        guard case .mapping(let pairs, _) = node else {
            log.error(
                node.location, "\(context) must be a mapping, found \(node.kindDescription)",
                hint: "write it as key: value lines")
            return nil
        }
        for pair in pairs {
            guard let key = pair.key.scalarText else {
                log.error(pair.key.location, "keys in \(context) must be plain names, found \(pair.key.kindDescription)")
                continue
            }
            if allowed.contains(key) {
                entries[key] = pair
            } else if SecretKey.isSecret(key), pair.value.scalarText != nil, !pair.value.isNull {
                continue  // reported by the secret scan
            } else {
                log.error(
                    pair.key.location, "unknown key '\(key)' in \(context)",
                    hint: Suggestion.didYouMean(key, in: allowed) + "allowed keys: " + allowed.joined(separator: ", "))
            }
        }
    }

    /// The raw node under `key`, treating `null` as absent.
    func node(_ key: String, required: Bool = false) -> YAMLNode? {
        guard let entry = entries[key], !entry.value.isNull else {
            if required { missing(key) }
            return nil
        }
        return entry.value
    }

    /// Where `key` is written, or the mapping itself if it is absent.
    func keyLocation(_ key: String) -> SourceLocation {
        entries[key]?.key.location ?? location
    }

    func missing(_ key: String) {
        log.error(location, "missing required key '\(key)' in \(context)", hint: "add \(key): …")
    }

    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let value = node(key, required: required) else { return nil }
        guard let text = value.scalarText else {
            log.error(value.location, "'\(key)' in \(context) must be a string, found \(value.kindDescription)")
            return nil
        }
        return Located(text, value.location)
    }

    func bool(_ key: String) -> Bool? {
        guard let value = node(key) else { return nil }
        switch value {
        case .scalar("true", .plain, _): return true
        case .scalar("false", .plain, _): return false
        default:
            log.error(
                value.location,
                "'\(key)' in \(context) must be true or false, found \(value.scalarText.map { "'\($0)'" } ?? value.kindDescription)")
            return nil
        }
    }

    func int(_ key: String, required: Bool = false, in range: ClosedRange<Int>) -> Located<Int>? {
        guard let value = node(key, required: required) else { return nil }
        return Self.int(value, name: "'\(key)' in \(context)", in: range, log: log)
    }

    /// A `choice` from a fixed set, such as `type: snapshot`.
    func choice<Choice: RawRepresentable<String> & CaseIterable>(
        _ key: String, required: Bool = false,
        as _: Choice.Type = Choice.self
    ) -> Choice? {
        guard let text = string(key, required: required) else { return nil }
        if let choice = Choice(rawValue: text.value) { return choice }
        let names = Choice.allCases.map(\.rawValue)
        log.error(
            text.location, "invalid \(key) '\(text.value)' in \(context)",
            hint: Suggestion.didYouMean(text.value, in: names) + "use one of " + names.joined(separator: ", "))
        return nil
    }

    /// The items of a list under `key` (a single scalar counts as a one-item list when `scalarAllowed`).
    func list(_ key: String, required: Bool = false, scalarAllowed: Bool = false) -> [YAMLNode]? {
        guard let value = node(key, required: required) else { return nil }
        switch value {
        case .sequence(let items, _): return items
        case .scalar where scalarAllowed: return [value]
        default:
            log.error(
                value.location, "'\(key)' in \(context) must be a list, found \(value.kindDescription)",
                hint: "write it as [a, b] or as '- a' lines")
            return nil
        }
    }

    /// A list of strings under `key`.
    func strings(_ key: String) -> [Located<String>]? {
        guard let items = list(key) else { return nil }
        return items.compactMap { item in
            guard let text = item.scalarText, !item.isNull else {
                log.error(item.location, "items of '\(key)' in \(context) must be strings, found \(item.kindDescription)")
                return nil
            }
            return Located(text, item.location)
        }
    }

    static func int(_ value: YAMLNode, name: String, in range: ClosedRange<Int>, log: DiagnosticLog) -> Located<Int>? {
        guard case .scalar(let text, .plain, _) = value, let number = Int(text), text.allSatisfy({ $0.isNumber || $0 == "-" }) else {
            log.error(
                value.location, "\(name) must be a whole number, found \(value.scalarText.map { "'\($0)'" } ?? value.kindDescription)")
            return nil
        }
        guard range.contains(number) else {
            log.error(value.location, "\(name) is \(number), outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return Located(number, value.location)
    }
}

/// A value with the place it was written, for diagnostics that point at it later.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, _ location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
