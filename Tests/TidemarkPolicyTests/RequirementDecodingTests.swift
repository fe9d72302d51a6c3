import Foundation
import Testing

@testable import TidemarkPolicy

/// The Requirement kind: what it reads, and every mistake reported where it is written.
@Suite("Requirement documents")
struct RequirementDecodingTests {
    static func requirement(_ spec: String) -> String {
        Documents.target + "\n---\n" + """
            apiVersion: tidemark.io/v1
            kind: Requirement
            metadata: {name: prod-rpo}
            spec:
            \(spec.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
            """
    }

    @Test func readsEveryRule() throws {
        let fixture = try PolicyFixture([
            "r.yaml": Self.requirement(
                """
                targets: [zrh]
                drives: {names: ["db-*"], tags: [prod]}
                rpo: 24h
                retention: {minAge: 35d}
                minimumKept: 7
                type: backup
                protected: true
                """)
        ])
        let result = try fixture.load()
        #expect(result.diagnostics.isEmpty)
        let spec = try #require(result.policies.requirements.first?.spec)
        #expect(spec.targets.map(\.value) == ["zrh"])
        #expect(spec.drives == DriveSelector(names: ["db-*"], tags: ["prod"]))
        #expect(spec.rpo?.value == 86_400)
        #expect(spec.minimumAge?.value == 35 * 86_400)
        #expect(spec.minimumKept?.value == 7)
        #expect(spec.type?.value == .backup)
        #expect(spec.protected?.value == true)
        #expect(spec.applies(to: "zrh") && !spec.applies(to: "other"))
    }

    @Test func allSelectsEveryObjectOfEveryTarget() throws {
        let fixture = try PolicyFixture(["r.yaml": Self.requirement("drives: {all: true}\nrpo: 90m")])
        let spec = try #require(try fixture.load().policies.requirements.first?.spec)
        #expect(spec.drives == nil && spec.targets.isEmpty && spec.rpo?.value == 5_400)
        #expect(spec.applies(to: "anything"))
    }

    @Test func mistakesAreLocated() throws {
        let fixture = try PolicyFixture([
            "r.yaml": Self.requirement(
                """
                targets: [zrh]
                drives: {all: true, names: [db-1]}
                rpo: 24 hours
                retention: {minAge: 0d}
                minimumKept: 0
                type: tape
                """)
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(
            diagnostics.contains(
                "dir/r.yaml:14:11: error: drives has all: true and a selector (write either all: true or uuids, names and tags)"))
        #expect(
            diagnostics.contains(
                "dir/r.yaml:15:8: error: invalid rpo '24 hours' (write a whole number of minutes, hours, days or weeks: 30m, 24h, 35d, 2w)")
        )
        #expect(
            diagnostics.contains(
                "dir/r.yaml:16:23: error: invalid minAge '0d' (write a whole number of minutes, hours, days or weeks: 30m, 24h, 35d, 2w)"))
        #expect(diagnostics.contains { $0.hasPrefix("dir/r.yaml:17:16: error: 'minimumKept' in Requirement spec") })
        #expect(diagnostics.contains { $0.hasPrefix("dir/r.yaml:18:9: error:") && $0.contains("tape") })
    }

    @Test func unknownTargetsAreNamed() throws {
        let fixture = try PolicyFixture(["r.yaml": Self.requirement("targets: [zrh, zhr]\ndrives: {all: true}\nprotected: true")])
        #expect(
            try fixture.diagnostics() == [
                "dir/r.yaml:13:18: error: requirement 'prod-rpo' references unknown Target 'zhr' "
                    + "(define a Target with that name or fix the reference)"
            ])
    }

    @Test func aRequirementMustStateSomething() throws {
        let fixture = try PolicyFixture(["r.yaml": Self.requirement("drives: {names: [db-1]}\nprotected: false")])
        #expect(
            try fixture.diagnostics() == [
                "dir/r.yaml:13:3: error: the Requirement states nothing that must hold "
                    + "(add at least one of rpo, retention: {minAge}, minimumKept, type or protected: true)"
            ])
        let empty = try PolicyFixture(["r.yaml": Self.requirement("drives: {}\nrpo: 1h")])
        #expect(
            try empty.diagnostics() == [
                "dir/r.yaml:13:11: error: drives selects nothing (list uuids, names (globs) or tags, or write all: true)"
            ])
    }
}
