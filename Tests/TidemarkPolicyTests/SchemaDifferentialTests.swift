import Foundation
import TestSupport
import Testing
import TidemarkProviders

@testable import TidemarkPolicy

/// schema/tidemark.schema.json against the loader, document by document: every document of policies/ and examples/,
/// the schema check's inline cases and 1,500 of the fuzzer's mutated files go through the real loader and through
/// Python's jsonschema (scripts/schema-check.py --verdicts). They must agree on accept or refuse, except where the
/// loader refuses for a reason JSON Schema cannot express (`Gap`, documented in docs/schema.md): then the schema
/// accepts. The schema must never refuse what the loader accepts, or editors would flag valid files.
@Suite("Differential: JSON Schema against the loader")
struct SchemaDifferentialTests {
    static let root = PolicyFuzzTests.root

    /// Why the loader may refuse a document the schema accepts; each is matched on the loader's message.
    enum Gap: String, CaseIterable {
        case timezone = "IANA time zone names"
        case cloudSigmaTimezone = "cloudsigma's time zone list"
        case cron = "cron field ranges and steps"
        case neverFires = "schedules that never fire"
        case secret = "secret-looking values"

        static func of(_ message: String) -> Gap? {
            if message.contains("is not accepted by cloudsigma") { return .cloudSigmaTimezone }
            if message.hasPrefix("invalid timezone") { return .timezone }
            if message.contains("never fire") { return .neverFires }
            if message.hasPrefix("cron expression") || message.hasSuffix(" field") { return .cron }
            if message.hasPrefix("literal secret") || message.contains("carries a password") { return .secret }
            return nil
        }
    }

    /// The loader's verdict on one document read alone: nil when it is not tidemark's, else its errors. A Scheduler's
    /// options must fit one provider's rules, as the schema's `anyOf` asks; a reference to another document must be a
    /// name a document can have (whether that document exists the schema cannot see).
    static func loaderVerdicts(_ path: String, _ contents: [UInt8]) -> [[Diagnostic]?]? {
        guard case .success(let documents) = YAMLLoader().documents(file: path, contents: contents) else { return nil }
        return documents.map { document in
            let log = DiagnosticLog()
            var set = PolicySet()
            guard DocumentDecoder(log: log).decode(document, into: &set) else { return nil }
            var errors = log.diagnostics.filter { $0.severity == .error }
            if case .mapping(let pairs, _) = document, let spec = pairs.first(where: { $0.key.scalarText == "spec" })?.value {
                for reference in references(in: spec) where !DocumentDecoder.isValidName(reference.value) {
                    errors.append(Diagnostic(reference.location, "'\(reference.value)' can never name a document"))
                }
            }
            if let scheduler = set.schedulers.first, !scheduler.spec.options.isEmpty {
                let fits = ProviderKind.allCases.compactMap { provider in
                    ProviderRegistry.documentRules(provider).map { rules in
                        rules.problems(of: scheduler, on: target(provider)).filter { Gap.of($0.message) == nil }
                    }
                }
                if let closest = fits.min(by: { $0.count < $1.count }) { errors += closest }
            }
            return errors
        }
    }

    /// The `target`, `scheduler` and named `retention` references of a spec, null (not given) ones left out.
    static func references(in spec: YAMLNode) -> [Reference] {
        guard case .mapping(let pairs, _) = spec else { return [] }
        return pairs.flatMap { pair -> [Reference] in
            guard let key = pair.key.scalarText, !pair.value.isNull else { return [] }
            switch (key, pair.value) {
            case ("target", .scalar(let value, _, let location)), ("scheduler", .scalar(let value, _, let location)),
                ("retention", .scalar(let value, _, let location)):
                return [Reference(value, location)]
            case ("targets", .sequence(let items, _)):
                return items.compactMap { item in
                    guard case .scalar(let value, _, let location) = item else { return nil }
                    return Reference(value, location)
                }
            default: return []
            }
        }
    }

    /// A Target of `provider` for a Scheduler's options to be checked against.
    static func target(_ provider: ProviderKind) -> PolicyDocument<TargetSpec> {
        PolicyDocument(
            metadata: Metadata(name: "t"), spec: TargetSpec(provider: provider, endpoint: "https://t", credentials: .init()),
            location: SourceLocation(file: "t", line: 1, column: 1))
    }

    struct SchemaVerdict: Decodable {
        var file: String
        var document: Int?
        var tidemark: Bool?
        var valid: Bool?
        var errors: [String]?
        var unreadable: String?
    }

    static func schemaVerdicts(_ directory: URL) throws -> [SchemaVerdict] {
        let output = try python(["--verdicts", directory.path])
        return try output.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(SchemaVerdict.self, from: Data($0)) }
    }

    static func python(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/schema-check.py").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SchemaCheckFailure(
                description: "schema-check.py \(arguments.first ?? "") failed (\(process.terminationStatus)) — "
                    + "run `make test`, which installs jsonschema")
        }
        return data
    }

    struct SchemaCheckFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The files compared: name in the work directory → contents.
    static func corpus(in directory: URL) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for folder in ["policies", "examples"] {
            let base = root.appendingPathComponent(folder)
            for path in try FileManager.default.subpathsOfDirectory(atPath: base.path).sorted()
            where PolicyFile.isPolicyFileName(path) && !path.hasPrefix("kubernetes/") && !path.hasPrefix("prometheus/") {
                let name = "\(folder)/\(path)".replacingOccurrences(of: "/", with: "__")
                files[name] = Array(try Data(contentsOf: base.appendingPathComponent(path)))
            }
        }
        let inline = directory.appendingPathComponent("inline")
        _ = try python(["--cases", inline.path])
        for name in try FileManager.default.contentsOfDirectory(atPath: inline.path) {
            files[name] = Array(try Data(contentsOf: inline.appendingPathComponent(name)))
        }
        let seeds = try PolicyFuzzTests.corpus()
        var random = SplitMix64(seed: 20_261_203)
        for iteration in 0..<1500 {
            files[String(format: "fuzz-%04d.yaml", iteration)] = PolicyFuzzTests.mutate(seeds[iteration % seeds.count], &random)
        }
        for iteration in 0..<3000 {
            files[String(format: "value-%04d.yaml", iteration)] = mutateValues(seeds[iteration % seeds.count], &random)
        }
        return files
    }

    /// Values the loader reads in several ways: typed and quoted, in and out of range, wrong shapes.
    static let values = [
        "~", "\"\"", "-1", "0", "1", "7", "\"7\"", "99999999999999999999", "true", "\"true\"", "yes", "1.5", "03:00", "\"24:00\"",
        "25:00", "\"09:30-17:00\"", "Europe/Zurich", "Mars/Olympus", "UTC", "\"0 3 * * *\"", "\"*/0 * * * *\"", "\"@daily\"", "1h",
        "0m", "30m", "7d", "200h", "[]", "[x]", "[\"03:00\"]", "[1, 2]", "{}", "{last: 3}", "{x: 1}", "snapshot", "backup", "days",
        "weeks", "months", "all", "once", "skip", "native", "controller", "correct", "report", "cloudsigma", "freezer", "Db-1", "db-1",
        "local.nan", "https://x.example/api/", "Mon", "Sun", "[Mon, Fri]", "[31]", "[0]", "[Feb]",
    ]

    /// The seed with values changed line by line: a `key: value` line gets another value, loses its value, is
    /// dropped or is repeated under another key. Most results are still YAML, so they reach the checks of each kind.
    static func mutateValues(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let candidates = lines.indices.filter { lines[$0].contains(": ") && !lines[$0].hasPrefix("#") }
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            guard let line = candidates.randomElement(using: &random), line < lines.count else { break }
            let text = lines[line]
            guard let colon = text.range(of: ": ") else { continue }
            let key = text[..<colon.lowerBound]
            switch Int.random(in: 0..<10, using: &random) {
            case 0: lines[line] = key + ":"
            case 1: lines.remove(at: line)
            case 2: lines.insert(key.prefix { $0 == " " || $0 == "-" }.replacingOccurrences(of: "-", with: " ") + "colour: x", at: line + 1)
            default: lines[line] = key + ": " + values.randomElement(using: &random)!
            }
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    @Test func schemaAndLoaderAgreeOnEveryDocument() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let files = try Self.corpus(in: work)
        let compared = work.appendingPathComponent("compared")
        try FileManager.default.createDirectory(at: compared, withIntermediateDirectories: true)
        for (name, contents) in files { try Data(contents).write(to: compared.appendingPathComponent(name)) }
        let schema = Dictionary(grouping: try Self.schemaVerdicts(compared), by: \.file)

        var agreed: [Bool: Int] = [:]
        var gaps: [Gap: Int] = [:]
        var bothUnreadable = 0
        for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
            let theirs = schema[name] ?? []
            guard let ours = Self.loaderVerdicts(name, contents) else {
                // The loader's YAML reader refused the file; Python's may read a few of those (tabs, odd scalars) —
                // then the schema's verdict does not matter, the loader stops before any document is checked.
                bothUnreadable += theirs.first?.unreadable != nil ? 1 : 0
                continue
            }
            if let unreadable = theirs.first?.unreadable {
                if ours.allSatisfy({ $0?.isEmpty ?? true }) {
                    let text = String(decoding: contents, as: UTF8.self)
                    Issue.record("\(name): the loader reads it, PyYAML does not (\(unreadable)): \(text)")
                }
                continue
            }
            for (index, loaderErrors) in ours.enumerated() {
                guard let verdict = theirs.first(where: { $0.document == index + 1 }) else {
                    Issue.record("\(name) document \(index + 1): missing from the schema check's verdicts")
                    continue
                }
                guard let loaderErrors, verdict.tidemark == true else {
                    #expect((loaderErrors == nil) == (verdict.tidemark == false), "\(name) document \(index + 1): tidemark's or not")
                    continue
                }
                let schemaValid = verdict.valid ?? false
                if loaderErrors.isEmpty == schemaValid {
                    agreed[schemaValid, default: 0] += 1
                } else if schemaValid, let gap = Gap.of(loaderErrors[0].message), loaderErrors.allSatisfy({ Gap.of($0.message) == gap }) {
                    gaps[gap, default: 0] += 1
                } else if schemaValid {
                    Issue.record("\(name) document \(index + 1): the loader refuses it, the schema accepts it: \(loaderErrors)")
                } else {
                    Issue.record("\(name) document \(index + 1): the loader accepts it, the schema refuses it: \(verdict.errors ?? [])")
                }
            }
        }
        #expect(agreed[true, default: 0] > 2000 && agreed[false, default: 0] > 2000, "both verdicts are exercised: \(agreed)")
        print(
            "schema differential: \(files.count) files; documents accepted by both \(agreed[true, default: 0]), refused by both "
                + "\(agreed[false, default: 0]); files unreadable by both \(bothUnreadable); "
                + "loader-only refusals: \(gaps.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", "))")
    }
}
