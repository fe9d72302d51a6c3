import Foundation

/// A JSON value that keeps every field it was given, for wire formats whose unknown fields must survive a round trip.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let fields) = self else { return nil }
            return fields[key]
        }
        set {
            guard case .object(var fields) = self else { return }
            fields[key] = newValue
            self = .object(fields)
        }
    }

    /// The element at `index` of an array, nil otherwise.
    public subscript(index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value: return Int(value)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [String: JSON]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
}

extension JSON: Decodable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    /// Parses JSON text.
    public static func parse(_ data: some DataProtocol) throws(JSONParseError) -> JSON {
        let contiguous = data as? Data ?? Data(data)
        let parsed = contiguous.withUnsafeBytes { bytes in
            var parser = JSONParser(bytes)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        return try parsed.get()
    }

    /// Parses a JSON object, handing each element of its array member `key` to `element` as it is read instead of
    /// keeping it: a listing's objects become the caller's values without the whole listing's tree in memory.
    /// `element` also gets where the element's own text lies, as byte offsets from the start of `data`. The object
    /// returned has `key` as an empty array.
    public static func parse(
        _ data: some DataProtocol, streaming key: String, element: (_ value: JSON, _ text: Range<Int>) -> Void
    ) throws(JSONParseError) -> JSON {
        let contiguous = data as? Data ?? Data(data)
        let parsed = withoutActuallyEscaping(element) { element in
            contiguous.withUnsafeBytes { bytes in
                var parser = JSONParser(bytes, streaming: key, element: element)
                return Result { () throws(JSONParseError) in try parser.parseDocument() }
            }
        }
        return try parsed.get()
    }
}

extension JSON: CustomStringConvertible {
    /// Compact JSON with object keys sorted, as the CloudSigma API writes them.
    public var description: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// The compact, key-sorted serialization as UTF-8 bytes.
    public var data: Data { Data(description.utf8) }

    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += value.isFinite ? String(value) : "null"
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += ", " }
                item.write(to: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { output += ", " }
                Self.writeString(key, to: &output)
                output += ": "
                fields[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let control where control.value < 0x20:
                output +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count) + String(control.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
