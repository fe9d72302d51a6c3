/// Turns one YAML document into a typed policy document, or diagnostics.
struct DocumentDecoder {
    static let apiVersion = "tidemark.io/v1"
    static let apiGroup = "tidemark.io/"
    static let topLevelKeys = ["apiVersion", "kind", "metadata", "spec"]

    let log: DiagnosticLog

    /// Adds the document to `set`; documents of other APIs (no tidemark apiVersion or kind) are skipped.
    /// Returns whether the document is tidemark's (valid or not).
    @discardableResult
    func decode(_ document: YAMLNode, into set: inout PolicySet) -> Bool {
        guard case .mapping(let pairs, _) = document else {
            if !document.isNull {
                log.error(
                    document.location, "a policy document must be a mapping, found \(document.kindDescription)",
                    hint: "start it with apiVersion: \(Self.apiVersion)")
            }
            return !document.isNull
        }
        let apiVersion = pairs.first { $0.key.scalarText == "apiVersion" }?.value.scalarText
        let kindText = pairs.first { $0.key.scalarText == "kind" }?.value.scalarText
        let isOurs = apiVersion?.hasPrefix(Self.apiGroup) ?? (kindText.flatMap(PolicyKind.init(rawValue:)) != nil)
        guard isOurs else { return false }
        scanSecrets(document)
        guard let reader = MappingReader(document, context: "document", allowed: Self.topLevelKeys, log: log) else { return true }
        if let version = reader.string("apiVersion", required: true), version.value != Self.apiVersion {
            log.error(version.location, "unsupported apiVersion '\(version.value)'", hint: "use apiVersion: \(Self.apiVersion)")
            return true
        }
        guard let kind = reader.choice("kind", required: true, as: PolicyKind.self) else { return true }
        let metadata = reader.node("metadata", required: true).flatMap(decodeMetadata)
        guard let specNode = reader.node("spec", required: true) else { return true }
        let context = "\(kind.rawValue) spec"
        switch kind {
        case .target:
            add(specNode, context, TargetSpec.keys, TargetSpec.decode, metadata, into: &set, \.targets)
        case .retentionPolicy:
            add(specNode, context, RetentionPolicySpec.keys, RetentionPolicySpec.decode, metadata, into: &set, \.retentionPolicies)
        case .scheduler:
            add(specNode, context, SchedulerSpec.keys, SchedulerSpec.decode, metadata, into: &set, \.schedulers)
        case .driveBinding:
            add(specNode, context, DriveBindingSpec.keys, DriveBindingSpec.decode, metadata, into: &set, \.driveBindings)
        case .backupPlan:
            add(specNode, context, BackupPlanSpec.keys, BackupPlanSpec.decode, metadata, into: &set, \.backupPlans)
        case .requirement:
            add(specNode, context, RequirementSpec.keys, RequirementSpec.decode, metadata, into: &set, \.requirements)
        }
        return true
    }

    private func add<Spec>(
        _ node: YAMLNode, _ context: String, _ keys: [String], _ decode: (MappingReader) -> Spec?,
        _ metadata: Located<Metadata>?, into set: inout PolicySet, _ list: WritableKeyPath<PolicySet, [PolicyDocument<Spec>]>
    ) {
        guard let reader = MappingReader(node, context: context, allowed: keys, log: log),
            let spec = decode(reader), let metadata
        else {
            set.referencesOfBrokenDocuments += Self.references(in: node, owner: metadata?.value.name)
            return
        }
        set[keyPath: list].append(PolicyDocument(metadata: metadata.value, spec: spec, location: metadata.location))
    }

    /// The `target`, `scheduler` and named `retention` references of a spec that failed to load.
    static func references(in spec: YAMLNode, owner: String?) -> [BrokenDocumentReference] {
        guard case .mapping(let pairs, _) = spec else { return [] }
        let kinds: [String: PolicyKind] = ["target": .target, "scheduler": .scheduler, "retention": .retentionPolicy]
        return pairs.compactMap { pair -> BrokenDocumentReference? in
            guard let key = pair.key.scalarText, let kind = kinds[key], case .scalar(let value, _, let location) = pair.value else {
                return nil
            }
            return BrokenDocumentReference(owner: owner.map { "'\($0)'" } ?? "(unnamed)", kind: kind, reference: Reference(value, location))
        }
    }

    private func decodeMetadata(_ node: YAMLNode) -> Located<Metadata>? {
        guard let reader = MappingReader(node, context: "metadata", allowed: ["name", "labels", "annotations"], log: log),
            let name = reader.string("name", required: true)
        else { return nil }
        guard Self.isValidName(name.value) else {
            log.error(
                name.location, "invalid name '\(name.value)'",
                hint: "use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters")
            return nil
        }
        let metadata = Metadata(name: name.value, labels: stringMap("labels", reader), annotations: stringMap("annotations", reader))
        return Located(metadata, name.location)
    }

    private func stringMap(_ key: String, _ reader: MappingReader) -> [String: String] {
        guard let node = reader.node(key) else { return [:] }
        guard case .mapping(let pairs, _) = node else {
            log.error(node.location, "'\(key)' in metadata must be a mapping, found \(node.kindDescription)")
            return [:]
        }
        var map: [String: String] = [:]
        for (key, value) in pairs {
            guard let name = key.scalarText, let text = value.scalarText else {
                log.error(value.location, "'\(key.scalarText ?? "?")' in metadata must map to a string")
                continue
            }
            map[name] = text
        }
        return map
    }

    /// Reports every literal secret anywhere in the document.
    private func scanSecrets(_ node: YAMLNode) {
        switch node {
        case .mapping(let pairs, _):
            for (key, value) in pairs {
                if let name = key.scalarText, SecretKey.isSecret(name), value.scalarText != nil, !value.isNull {
                    log.error(key.location, "literal secret in '\(name)'", hint: SecretKey.hint(for: name))
                }
                scanSecrets(value)
            }
        case .sequence(let items, _):
            items.forEach(scanSecrets)
        case .scalar:
            break
        }
    }

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard (1...63).contains(bytes.count), isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2D }
    }
}
