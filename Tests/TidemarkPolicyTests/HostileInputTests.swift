import Foundation
import Testing
@testable import TidemarkPolicy

@Suite("Hostile input is refused quickly, in bounded memory")
struct HostileInputTests {
    @Test func oversizedFile() throws {
        let fixture = try PolicyFixture([:])
        try fixture.write("big.yaml", Array(repeating: UInt8(ascii: "#"), count: 2 << 20))
        #expect(try fixture.diagnostics() == ["dir/big.yaml:1:1: error: file is 2097152 bytes, larger than the limit of 1048576 bytes (split it into smaller policy files)"])
    }

    @Test func billionLaughs() throws {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        let fixture = try PolicyFixture(["bomb.yaml": "apiVersion: tidemark.io/v1\nkind: Target\n" + lines.joined(separator: "\n") + "\n"])
        let diagnostic = try #require(try fixture.diagnostics().first)
        #expect(diagnostic.hasPrefix("dir/bomb.yaml:"))
        #expect(diagnostic.contains("error: document expands to more than 100000 nodes (YAML aliases that multiply content (a \"billion laughs\") are refused)"))
    }

    @Test func modestAliasesAreAllowed() throws {
        let fixture = try PolicyFixture(["a.yaml": """
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
            """])
        #expect(try fixture.diagnostics().isEmpty)
    }

    @Test func deepFlowNestingIsRefusedBeforeParsing() throws {
        let fixture = try PolicyFixture(["deep.yaml": "a: " + String(repeating: "[", count: 500_000) + "\n"])
        #expect(try fixture.diagnostics() == ["dir/deep.yaml:1:1: error: nesting is deeper than 64 levels (policy documents are at most a few levels deep; flatten this structure)"])
    }

    @Test func deepBlockNestingIsRefusedBeforeParsing() throws {
        let fixture = try PolicyFixture(["deep.yaml": "a:\n" + String(repeating: "- ", count: 100_000) + "x\n"])
        #expect(try fixture.diagnostics() == ["dir/deep.yaml:2:1: error: nesting is deeper than 64 levels (policy documents are at most a few levels deep; flatten this structure)"])
    }

    @Test func nestingJustOverTheLimitIsReportedWhereItHappens() throws {
        let depth = 70
        let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let fixture = try PolicyFixture(["deep.yaml": text])
        #expect(try fixture.diagnostics() == ["dir/deep.yaml:1:67: error: nesting is deeper than 64 levels (policy documents are at most a few levels deep; flatten this structure)"])
    }

    @Test func nonUTF8File() throws {
        let fixture = try PolicyFixture([:])
        try fixture.write("latin1.yaml", Array("apiVersion: tidemark.io/v1\nkind: Target\n# caf".utf8) + [0xE9, 0x0A])
        #expect(try fixture.diagnostics() == ["dir/latin1.yaml:3:6: error: file is not valid UTF-8 (byte offset 45) (save policy files as UTF-8)"])
    }

    @Test func prescanIgnoresBracketsInQuotesAndComments() {
        let text = Array("a: \"[[[[[[\" # {{{{{{{{\nb: '[[[['\n".utf8)
        #expect(NestingPrescan.firstLine(exceeding: 3, in: text) == nil)
        #expect(NestingPrescan.firstLine(exceeding: 3, in: Array("a: [[[[x]]]]\n".utf8)) == 1)
    }
}
