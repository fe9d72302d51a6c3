/// The ownership marker of providers whose objects have only a free-text description (SPEC §4):
/// `tidemark:INSTANCE/NAME`, with ` (protected)` appended for protected objects.
public enum DescriptionMarker {
    static let prefix = "tidemark:"
    static let protectedSuffix = " (protected)"

    public static func text(_ marker: OwnershipMarker) -> String {
        "\(prefix)\(marker.instance)/\(marker.name)\(marker.protected ? protectedSuffix : "")"
    }

    /// The marker in a description, or nil when the object is not tidemark's.
    public static func parse(_ description: String?) -> OwnershipMarker? {
        guard let description, description.hasPrefix(prefix) else { return nil }
        var body = Substring(description.dropFirst(prefix.count))
        let protected = body.hasSuffix(protectedSuffix)
        if protected { body = body.dropLast(protectedSuffix.count) }
        guard let slash = body.firstIndex(of: "/"), !body[..<slash].isEmpty, !body[body.index(after: slash)...].isEmpty,
              !body.contains(" ") else { return nil }
        return OwnershipMarker(instance: String(body[..<slash]), name: String(body[body.index(after: slash)...]), protected: protected)
    }
}
