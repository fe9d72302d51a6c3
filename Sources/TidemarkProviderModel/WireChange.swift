import TidemarkJSON

/// One wire field a request changes: its JSON Pointer in the API's object, and its value before and after (nil: absent).
public struct WireChange: Sendable, Hashable, Codable {
    public var path: String
    public var before: JSON?
    public var after: JSON?

    public init(path: String, before: JSON?, after: JSON?) {
        self.path = path
        self.before = before
        self.after = after
    }

    /// The leaves in which `after` differs from `before`, as changes.
    public static func between(_ before: JSON?, _ after: JSON?) -> [WireChange] {
        JSONDifference.between(before, after).map { WireChange(path: $0.pointer.description, before: $0.before, after: $0.after) }
    }

    enum CodingKeys: String, CodingKey {
        case path, before, after
    }

    /// Absent and `null` stay apart: an absent side has no key, a `null` side has a null value.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        before = container.contains(.before) ? try container.decode(JSON.self, forKey: .before) : nil
        after = container.contains(.after) ? try container.decode(JSON.self, forKey: .after) : nil
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(before, forKey: .before)
        try container.encodeIfPresent(after, forKey: .after)
    }
}
