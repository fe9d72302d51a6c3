/// A location inside a JSON value (RFC 6901): `/incremental_backup/hour`, `/meta/tidemark.io~1owner`, `/rules/0`.
public struct JSONPointer: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The reference tokens, unescaped.
    public var tokens: [String]

    public init(_ tokens: [String] = []) {
        self.tokens = tokens
    }

    /// Parses `/a/b~1c`; nil when the text is neither empty nor starts with `/`.
    public init?(parsing text: String) {
        guard !text.isEmpty else {
            self.tokens = []
            return
        }
        guard text.hasPrefix("/") else { return nil }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    public func appending(_ token: String) -> JSONPointer { JSONPointer(tokens + [token]) }

    public var description: String {
        tokens.map { token in
            let escaped =
                token.utf8.contains { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }
                ? token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") : token
            return "/" + escaped
        }.joined()
    }

    public static func < (lhs: JSONPointer, rhs: JSONPointer) -> Bool { lhs.tokens.lexicographicallyPrecedes(rhs.tokens) }
}

extension JSON {
    /// The value at `pointer`, nil when there is none.
    public subscript(pointer: JSONPointer) -> JSON? {
        var value: JSON? = self
        for token in pointer.tokens {
            switch value {
            case .object(let fields)?: value = fields[token]
            case .array(let items)?: value = Int(token).flatMap { items.indices.contains($0) ? items[$0] : nil }
            default: return nil
            }
        }
        return value
    }

    /// A copy with the value at `pointer` replaced, or removed when `value` is nil. Objects on the way are created;
    /// an array element is replaced only where it exists.
    public func setting(_ pointer: JSONPointer, to value: JSON?) -> JSON {
        guard let first = pointer.tokens.first else { return value ?? .null }
        let rest = JSONPointer(Array(pointer.tokens.dropFirst()))
        switch self {
        case .array(var items):
            guard let index = Int(first), items.indices.contains(index) else { return self }
            if rest.tokens.isEmpty, value == nil {
                items.remove(at: index)
            } else {
                items[index] = items[index].setting(rest, to: value)
            }
            return .array(items)
        default:
            var fields = objectValue ?? [:]
            if rest.tokens.isEmpty {
                fields[first] = value
            } else {
                fields[first] = (fields[first] ?? .object([:])).setting(rest, to: value)
            }
            return .object(fields)
        }
    }
}
