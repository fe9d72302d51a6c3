import Foundation
import Testing
import TidemarkProviders

@testable import TidemarkPolicy

@Suite("Hostile input is refused quickly, in bounded memory")
struct HostileInputTests {
    @Test func oversizedFile() throws {
        let fixture = try PolicyFixture([:])
        try fixture.write("big.yaml", Array(repeating: UInt8(ascii: "#"), count: 2 << 20))
        #expect(
            try fixture.diagnostics() == [
                "dir/big.yaml:1:1: error: file is 2097152 bytes, larger than the limit of 1048576 bytes "
                    + "(split it into smaller policy files)"
            ])
    }

    @Test func billionLaughs() throws {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let fixture = try PolicyFixture(["bomb.yaml": "apiVersion: tidemark.io/v1\nkind: Target\n" + lines.joined(separator: "\n") + "\n"])
        let diagnostic = try #require(try fixture.diagnostics().first)
        #expect(diagnostic.hasPrefix("dir/bomb.yaml:"))
        #expect(
            diagnostic.contains(
                "error: document expands to more than 100000 nodes (YAML aliases that multiply content (a \"billion laughs\") are refused)")
        )
    }

    @Test func modestAliasesAreAllowed() throws {
        let fixture = try PolicyFixture([
            "a.yaml": """
            apiVersion: tidemark.io/v1
            kind: RetentionPolicy
            metadata: {name: week}
            spec:
              rules: &rules
                - {period: days, quantity: 7}
            ---
            apiVersion: tidemark.io/v1
            kind: RetentionPolicy
            metadata: {name: week-too}
            spec:
              rules: [{last: 3}]
            """
        ])
        #expect(try fixture.diagnostics().isEmpty)
    }

    @Test func deepFlowNestingIsRefusedBeforeParsing() throws {
        let fixture = try PolicyFixture(["deep.yaml": "a: " + String(repeating: "[", count: 500_000) + "\n"])
        #expect(
            try fixture.diagnostics() == [
                "dir/deep.yaml:1:1: error: nesting is deeper than 64 levels "
                    + "(policy documents are at most a few levels deep; flatten this structure)"
            ])
    }

    @Test func deepBlockNestingIsRefusedBeforeParsing() throws {
        let fixture = try PolicyFixture(["deep.yaml": "a:\n" + String(repeating: "- ", count: 100_000) + "x\n"])
        #expect(
            try fixture.diagnostics() == [
                "dir/deep.yaml:2:1: error: nesting is deeper than 64 levels "
                    + "(policy documents are at most a few levels deep; flatten this structure)"
            ])
    }

    @Test func nestingJustOverTheLimitIsReportedWhereItHappens() throws {
        let depth = 70
        let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let fixture = try PolicyFixture(["deep.yaml": text])
        #expect(
            try fixture.diagnostics() == [
                "dir/deep.yaml:1:67: error: nesting is deeper than 64 levels "
                    + "(policy documents are at most a few levels deep; flatten this structure)"
            ])
    }

    @Test func nonUTF8File() throws {
        let fixture = try PolicyFixture([:])
        try fixture.write("latin1.yaml", Array("apiVersion: tidemark.io/v1\nkind: Target\n# caf".utf8) + [0xE9, 0x0A])
        #expect(
            try fixture.diagnostics() == [
                "dir/latin1.yaml:3:6: error: file is not valid UTF-8 (byte offset 45) (save policy files as UTF-8)"
            ])
    }

    @Test func prescanIgnoresBracketsInQuotesAndComments() {
        let text = Array("a: \"[[[[[[\" # {{{{{{{{\nb: '[[[['\n".utf8)
        #expect(NestingPrescan.firstLine(exceeding: 3, in: text) == nil)
        #expect(NestingPrescan.firstLine(exceeding: 3, in: Array("a: [[[[x]]]]\n".utf8)) == 1)
    }

    /// Peak resident memory of this process so far, in bytes.
    static func peakMemory() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    /// Each hostile input is refused (or, within the limits, loaded) in bounded time and memory: under 5 seconds
    /// of a debug build and 256 MiB of peak memory growth each.
    @Test func hostileInputsStayWithinFixedTimeAndMemory() throws {
        var laughs = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            laughs.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let header = "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: t}\nspec:\n  bogus:\n"
        var invalid = Array(header.utf8)
        var state: UInt32 = 7
        for _ in 0..<500_000 {
            state = state &* 1_103_515_245 &+ 12345
            invalid.append(UInt8(0x80 | (state >> 16) & 0x7F))
        }
        let inputs: [(String, [UInt8])] = [
            ("an alias bomb", Array(laughs.joined(separator: "\n").utf8)),
            ("a list of 10^6 elements", Array(("a: [" + String(repeating: "1,", count: 1_000_000) + "1]\n").utf8)),
            ("a block list of 120,000 elements", Array((header + String(repeating: "    - 1\n", count: 120_000)).utf8)),
            ("a flow list of 400,000 elements", Array((header + "    [" + String(repeating: "1,", count: 400_000) + "1]\n").utf8)),
            ("500,000 nested brackets", Array(("a: " + String(repeating: "[", count: 500_000) + "\n").utf8)),
            ("a 1 MiB scalar", Array((header + "    x" + String(repeating: "x", count: (1 << 20) - 200) + "\n").utf8)),
            ("half a megabyte of invalid UTF-8", invalid),
        ]
        for (name, bytes) in inputs {
            let before = Self.peakMemory()
            let started = ContinuousClock.now
            let result = PolicyLoader(providers: ProviderRegistry.documentRules).load([PolicyFile(path: "hostile.yaml", contents: bytes)])
            let elapsed = ContinuousClock.now - started
            #expect(!result.isValid, "\(name) is refused")
            #expect(result.diagnostics.allSatisfy { $0.location.file == "hostile.yaml" && $0.location.line >= 1 }, "\(name)")
            #expect(elapsed < .seconds(5), "\(name) took \(elapsed)")
            #expect(Self.peakMemory() - before < 256 << 20, "\(name) grew the peak memory by \((Self.peakMemory() - before) >> 20) MiB")
        }
    }
}
