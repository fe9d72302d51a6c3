/// A YAML node with the location it was read from; aliases are already expanded.
public indirect enum YAMLNode: Sendable {
    /// A scalar: its text, whether it was written quoted or as a block, and whether it is YAML's null.
    case scalar(String, ScalarStyle, SourceLocation)
    case sequence([YAMLNode], SourceLocation)
    case mapping([(key: YAMLNode, value: YAMLNode)], SourceLocation)

    public enum ScalarStyle: Sendable {
        case plain
        case quoted
        case block
    }

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let location), .sequence(_, let location), .mapping(_, let location):
            return location
        }
    }

    /// The scalar's text, nil for collections.
    public var scalarText: String? {
        if case .scalar(let text, _, _) = self { return text }
        return nil
    }

    /// True for a plain `null`, `~` or empty scalar.
    public var isNull: Bool {
        guard case .scalar(let text, .plain, _) = self else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// What the node is, for "expected …, found …" messages.
    public var kindDescription: String {
        switch self {
        case .scalar: return isNull ? "null" : "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
