/// The ownership marker of providers whose objects have only a free-text description (docs/providers.md):
/// `tidemark:INSTANCE/TARGET/NAME`, with ` (protected)` appended for protected objects. Markers written before targets
/// were recorded, `tidemark:INSTANCE/NAME`, are still read (with no target).
public enum DescriptionMarker {
    static let prefix = "tidemark:"
    static let protectedSuffix = " (protected)"

    public static func text(_ marker: OwnershipMarker) -> String {
        let path = [marker.instance] + (marker.target.map { [$0] } ?? []) + [marker.name]
        return prefix + path.joined(separator: "/") + (marker.protected ? protectedSuffix : "")
    }

    /// The marker in a description, or nil when the object is not tidemark's.
    public static func parse(_ description: String?) -> OwnershipMarker? {
        guard let description, description.hasPrefix(prefix) else { return nil }
        var body = Substring(description.dropFirst(prefix.count))
        let protected = body.hasSuffix(protectedSuffix)
        if protected { body = body.dropLast(protectedSuffix.count) }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts.contains(where: \.isEmpty), !body.contains(" ") else { return nil }
        return OwnershipMarker(
            instance: parts[0], target: parts.count == 3 ? parts[1] : nil, name: parts[parts.count - 1], protected: protected)
    }
}
