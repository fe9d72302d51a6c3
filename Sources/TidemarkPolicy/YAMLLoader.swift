import Foundation
import Yams

/// Parses one policy file into located YAML documents, within `YAMLLimits`.
public struct YAMLLoader: Sendable {
    public var limits: YAMLLimits

    public init(limits: YAMLLimits = .default) {
        self.limits = limits
    }

    /// The file's documents, or the diagnostics that refuse it.
    /// `byteCount` is the file's real size when `contents` was cut short at the limit.
    public func documents(file: String, contents: [UInt8], byteCount: Int? = nil) -> Result<[YAMLNode], Diagnostic> {
        let start = SourceLocation(file: file, line: 1, column: 1)
        let size = max(byteCount ?? 0, contents.count)
        guard size <= limits.maxFileBytes else {
            return .failure(
                Diagnostic(
                    start, "file is \(size) bytes, larger than the limit of \(limits.maxFileBytes) bytes",
                    hint: "split it into smaller policy files"))
        }
        guard let text = String(validating: contents, as: UTF8.self) else {
            let offset = Self.firstInvalidUTF8Offset(contents)
            let line = contents.prefix(offset).count(where: { $0 == 0x0A }) + 1
            let column = offset - (contents.prefix(offset).lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
            return .failure(
                Diagnostic(
                    SourceLocation(file: file, line: line, column: column),
                    "file is not valid UTF-8 (byte offset \(offset))",
                    hint: "save policy files as UTF-8"))
        }
        let estimateLimit = limits.maxDepth * 3
        if let line = NestingPrescan.firstLine(exceeding: estimateLimit, in: contents) {
            return .failure(
                Diagnostic(
                    SourceLocation(file: file, line: line, column: 1),
                    "nesting is deeper than \(limits.maxDepth) levels",
                    hint: "policy documents are at most a few levels deep; flatten this structure"))
        }
        do {
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            var documents: [YAMLNode] = []
            var budget = limits.maxNodes
            while let root = try parser.nextRoot() {
                documents.append(try convert(root, file: file, depth: 1, budget: &budget))
            }
            return .success(documents)
        } catch let diagnostic as Diagnostic {
            return .failure(diagnostic)
        } catch let error as YamlError {
            return .failure(Self.diagnostic(for: error, file: file))
        } catch {
            return .failure(Diagnostic(start, "cannot read YAML: \(error)"))
        }
    }

    private func convert(_ node: Node, file: String, depth: Int, budget: inout Int) throws -> YAMLNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        budget -= 1
        guard budget >= 0 else {
            throw Diagnostic(
                location, "document expands to more than \(limits.maxNodes) nodes",
                hint: "YAML aliases that multiply content (a \"billion laughs\") are refused")
        }
        guard depth <= limits.maxDepth else {
            throw Diagnostic(
                location, "nesting is deeper than \(limits.maxDepth) levels",
                hint: "policy documents are at most a few levels deep; flatten this structure")
        }
        switch node {
        case .scalar(let scalar):
            let style: YAMLNode.ScalarStyle
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: style = .quoted
            case .literal, .folded: style = .block
            default: style = .plain
            }
            return .scalar(scalar.string, style, location)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence {
                items.append(try convert(item, file: file, depth: depth + 1, budget: &budget))
            }
            return .sequence(items, location)
        case .mapping(let mapping):
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            for (key, value) in mapping {
                pairs.append(
                    (
                        try convert(key, file: file, depth: depth + 1, budget: &budget),
                        try convert(value, file: file, depth: depth + 1, budget: &budget)
                    ))
            }
            return .mapping(pairs, location)
        case .alias:
            throw Diagnostic(location, "unresolved YAML alias", hint: "define the anchor before using it")
        }
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        let hint = "fix the YAML syntax"
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let message = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return Diagnostic(at(mark), "invalid YAML: \(message)", hint: hint)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(at(context.mark), "duplicate key \(keys) in a mapping", hint: "each key may appear once")
        case .reader(let problem, let offset, _, _):
            return Diagnostic(
                SourceLocation(file: file, line: 1, column: 1),
                "invalid YAML: \(problem)\(offset.map { " at byte \($0)" } ?? "")", hint: hint)
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)", hint: hint)
        }
    }

    /// Byte offset of the first byte that is not valid UTF-8.
    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) {
            offset += scalar.count
        }
        return offset
    }
}
