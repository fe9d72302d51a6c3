/// What must hold for the drives (VM disks, resources, clients) a requirement selects
/// (docs/policy-language.md#requirement).
public struct RequirementSpec: Sendable, Hashable {
    /// The Targets it applies to; empty means every target.
    public var targets: [Reference]
    /// The objects it selects; nil selects every object (`drives: {all: true}`).
    public var drives: DriveSelector?
    /// The longest time, in seconds, that may pass between two backups of a selected object.
    public var rpo: Located<Int>?
    /// The shortest time, in seconds, that every snapshot must be kept.
    public var minimumAge: Located<Int>?
    /// The fewest snapshots retention may leave of a selected object.
    public var minimumKept: Located<Int>?
    /// The kind of copy that must protect a selected object (`backup`: a remote copy).
    public var type: Located<SchedulerType>?
    /// Whether every selected object must be protected by some scheduler.
    public var protected: Located<Bool>?

    /// A requirement stating the rules given (nil: not stated).
    public init(
        targets: [Reference] = [], drives: DriveSelector?, rpo: Located<Int>? = nil, minimumAge: Located<Int>? = nil,
        minimumKept: Located<Int>? = nil, type: Located<SchedulerType>? = nil, protected: Located<Bool>? = nil
    ) {
        self.targets = targets
        self.drives = drives
        self.rpo = rpo
        self.minimumAge = minimumAge
        self.minimumKept = minimumKept
        self.type = type
        self.protected = protected
    }

    /// Whether the requirement applies to the Target named `target`.
    public func applies(to target: String) -> Bool {
        targets.isEmpty || targets.contains { $0.value == target }
    }
}

extension RequirementSpec {
    static let keys = ["targets", "drives", "rpo", "retention", "minimumKept", "type", "protected"]

    static func decode(_ spec: MappingReader) -> RequirementSpec? {
        let log = spec.log
        let targets = spec.strings("targets") ?? []
        var decodedDrives: DriveSelector??
        if let node = spec.node("drives", required: true) {
            decodedDrives = decodeSelector(node, log: log)
        }
        let rpo = spec.string("rpo").flatMap { WrittenDuration.decode($0, what: "rpo", log: log) }
        var minimumAge: Located<Int>?
        if let node = spec.node("retention"),
            let retention = MappingReader(node, context: "requirement retention", allowed: ["minAge"], log: log)
        {
            minimumAge = retention.string("minAge", required: true).flatMap { WrittenDuration.decode($0, what: "minAge", log: log) }
        }
        let minimumKept = spec.int("minimumKept", in: 1...100_000)
        let type = spec.choice("type", as: SchedulerType.self).map { Located($0, spec.keyLocation("type")) }
        let protected = spec.bool("protected").map { Located($0, spec.keyLocation("protected")) }
        let statesSomething = ["rpo", "retention", "minimumKept", "type"].contains { spec.node($0) != nil } || protected?.value == true
        guard statesSomething else {
            log.error(
                spec.location, "the Requirement states nothing that must hold",
                hint: "add at least one of rpo, retention: {minAge}, minimumKept, type or protected: true")
            return nil
        }
        guard let drives = decodedDrives else { return nil }
        if spec.node("rpo") != nil, rpo == nil { return nil }
        if spec.node("retention") != nil, minimumAge == nil { return nil }
        return RequirementSpec(
            targets: targets, drives: drives, rpo: rpo, minimumAge: minimumAge, minimumKept: minimumKept, type: type, protected: protected)
    }

    /// `{all: true}`, or uuids, names (globs) and tags; nil inside means every object, nil outside a problem reported.
    private static func decodeSelector(_ node: YAMLNode, log: DiagnosticLog) -> DriveSelector?? {
        guard let drives = MappingReader(node, context: "drives", allowed: ["all", "uuids", "names", "tags"], log: log) else { return nil }
        let selector = DriveSelector(
            uuids: drives.strings("uuids")?.map(\.value) ?? [], names: drives.strings("names")?.map(\.value) ?? [],
            tags: drives.strings("tags")?.map(\.value) ?? [])
        switch (drives.bool("all"), selector.isEmpty) {
        case (true?, true): return .some(nil)
        case (true?, false):
            log.error(node.location, "drives has all: true and a selector", hint: "write either all: true or uuids, names and tags")
            return nil
        case (_, false): return .some(selector)
        case (_, true):
            log.error(node.location, "drives selects nothing", hint: "list uuids, names (globs) or tags, or write all: true")
            return nil
        }
    }
}

/// A duration written as a whole number of minutes, hours, days or weeks: `30m`, `24h`, `35d`, `2w`.
enum WrittenDuration {
    static func decode(_ text: Located<String>, what: String, log: DiagnosticLog) -> Located<Int>? {
        let units = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        let digits = text.value.dropLast()
        guard let unit = text.value.last.flatMap({ units[String($0)] }), !digits.isEmpty, digits.allSatisfy(\.isASCII),
            digits.allSatisfy(\.isNumber), let amount = Int(digits), amount > 0, amount <= 100_000
        else {
            log.error(
                text.location, "invalid \(what) '\(text.value)'",
                hint: "write a whole number of minutes, hours, days or weeks: 30m, 24h, 35d, 2w")
            return nil
        }
        return Located(amount * unit, text.location)
    }
}
