/// Which drives a scheduler protects.
public struct DriveBindingSpec: Sendable, Hashable {
    public var target: Reference
    public var scheduler: Reference
    public var drives: DriveSelector
    public var protect: Bool
}

/// Drives chosen by uuid, by name glob, or by tag (name or uuid); a drive matching any is selected.
public struct DriveSelector: Sendable, Hashable {
    public var uuids: [String]
    public var names: [String]
    public var tags: [String]

    public init(uuids: [String] = [], names: [String] = [], tags: [String] = []) {
        self.uuids = uuids
        self.names = names
        self.tags = tags
    }

    public var isEmpty: Bool { uuids.isEmpty && names.isEmpty && tags.isEmpty }
}

extension DriveBindingSpec {
    static let keys = ["target", "scheduler", "drives", "protect"]

    static func decode(_ spec: MappingReader) -> DriveBindingSpec? {
        let target = spec.string("target", required: true)
        let scheduler = spec.string("scheduler", required: true)
        var selector: DriveSelector?
        if let node = spec.node("drives", required: true),
            let drives = MappingReader(node, context: "drives", allowed: ["uuids", "names", "tags"], log: spec.log)
        {
            let uuids = drives.strings("uuids") ?? []
            for uuid in uuids where !UUIDFormat.isValid(uuid.value) {
                spec.log.error(
                    uuid.location, "'\(uuid.value)' is not a UUID",
                    hint: "write drive uuids as 8-4-4-4-12 hex digits, or select drives by names or tags")
            }
            let found = DriveSelector(
                uuids: uuids.map(\.value), names: drives.strings("names")?.map(\.value) ?? [],
                tags: drives.strings("tags")?.map(\.value) ?? [])
            if found.isEmpty {
                spec.log.error(node.location, "drives selects nothing", hint: "list uuids, names (globs) or tags")
            } else {
                selector = found
            }
        }
        let protect = spec.bool("protect") ?? false
        guard let target, let scheduler, let selector else { return nil }
        return DriveBindingSpec(target: target, scheduler: scheduler, drives: selector, protect: protect)
    }
}

enum UUIDFormat {
    static func isValid(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
