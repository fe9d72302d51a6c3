import Foundation
import TestSupport
import Testing
import TidemarkPolicy
import TidemarkProviders

/// A seeded mutation fuzzer over the policy loader: the repository's policy files, mutated byte- and line-wise with
/// YAML's dangerous tokens. Every input must load without a crash, and every rejection must be a diagnostic located
/// in the input. `TIDEMARK_FUZZ_ITERATIONS` runs it longer by hand (CI runs 3,000 inputs).
@Suite("policy loader fuzzing")
struct PolicyFuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The seed inputs: every policy file of policies/ and examples/multi-provider.
    static func corpus() throws -> [[UInt8]] {
        var files: [[UInt8]] = []
        for folder in ["policies", "examples/multi-provider"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where PolicyFile.isPolicyFileName(url.lastPathComponent) {
                files.append(Array(try Data(contentsOf: url)))
            }
        }
        return files
    }

    static let tokens: [String] = [
        "~", "null", "-1", "0x7fffffffffffffff", "99999999999999999999", "1e400", ".nan", "*a", "&a x", "!!binary ",
        "<<: *a", "!tag ", "? ", "2026-13-45", "\"\\u0000\"", "'", "\"", "{", "}", "[", "]", ",", ": ", "- ", "|\n", ">-\n",
        "\t", "---\n", "...\n", "%YAML 1.1\n", "\u{FEFF}", "é", "\u{202E}", String(repeating: "x", count: 5000),
        "timezone: Mars/Olympus", "cron: \"*/0 * * * *\"", "every: 0m", "at: [\"24:00\"]", "quantity: -3",
        "timeOption: 99", "provider: aws", "password: hunter2", "target: nowhere", "retention: {last: 0}",
    ]

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8), at: at)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
            case 3:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                guard !lines.isEmpty else { continue }
                let line = Int.random(in: 0..<lines.count, using: &random)
                lines.insert(lines[line], at: Int.random(in: 0...lines.count, using: &random))
                bytes = Array(lines.joined(separator: [0x0A]))
            case 4:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                guard lines.count > 1 else { continue }
                lines.swapAt(Int.random(in: 0..<lines.count, using: &random), Int.random(in: 0..<lines.count, using: &random))
                bytes = Array(lines.joined(separator: [0x0A]))
            default:
                let indent = Array(repeating: UInt8(ascii: " "), count: Int.random(in: 0...6, using: &random))
                bytes.insert(contentsOf: [0x0A] + indent + Array(tokens.randomElement(using: &random)!.utf8), at: at)
            }
        }
        return bytes
    }

    @Test func mutatedPoliciesNeverCrashAndEveryRejectionIsLocated() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= 15)
        let iterations = ProcessInfo.processInfo.environment["TIDEMARK_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3000
        var random = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["TIDEMARK_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_125))
        var rejected = 0
        var accepted = 0
        for iteration in 0..<iterations {
            let input = Self.mutate(corpus[iteration % corpus.count], &random)
            let path = "fuzz/\(iteration).yaml"
            let result = PolicyLoader(providers: ProviderRegistry.documentRules).load([PolicyFile(path: path, contents: input)])
            let lines = input.count { $0 == 0x0A } + 1
            for diagnostic in result.diagnostics {
                #expect(diagnostic.location.file == path, "input \(iteration): \(diagnostic)")
                #expect(
                    (1...lines + 1).contains(diagnostic.location.line) && diagnostic.location.column >= 1,
                    "input \(iteration): \(diagnostic)")
                #expect(!diagnostic.message.isEmpty)
            }
            if result.isValid { accepted += 1 } else { rejected += 1 }
        }
        #expect(rejected > iterations / 4, "the mutations reach the validator, not only the parser")
        print("fuzz: \(iterations) inputs, \(rejected) rejected with located diagnostics, \(accepted) accepted, 0 crashes")
    }
}
