import Foundation
import TestSupport
import Testing

@testable import TidemarkPolicy

/// `validate` reports every problem: a field that fails does not hide the rest of its document, and what only a
/// provider knows (its `options`) is checked when the policies load.
@Suite("validate reports every problem")
struct CompleteValidationTests {
    static func target(_ name: String, provider: String, endpoint: String = "https://api.example.net/") -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: \(name)}
        spec:
          provider: \(provider)
          endpoint: \(endpoint)
          credentials: {usernameEnv: U, passwordEnv: P}
        """
    }

    @Test func aBrokenScheduleDoesNotHideTheUnknownTarget() throws {
        let fixture = try PolicyFixture([
            "s.yaml": """
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: nightly}
            spec:
              target: nowhere
              colour: blue
              schedule: {timezone: Europe/Zurch, at: ["25:00"]}
            """
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(diagnostics.count == 4, "\(diagnostics)")
        #expect(diagnostics.contains { $0.hasPrefix("dir/s.yaml:5:11: error: document 'nightly' references unknown Target 'nowhere'") })
        #expect(diagnostics.contains { $0.hasPrefix("dir/s.yaml:6:3: error: unknown key 'colour'") })
        #expect(diagnostics.contains { $0.hasPrefix("dir/s.yaml:7:24: error: invalid timezone 'Europe/Zurch'") })
        #expect(diagnostics.contains { $0.hasPrefix("dir/s.yaml:7:43: error:") && $0.contains("25:00") })
    }

    @Test func providerOptionsAreCheckedWithTheirLocation() throws {
        let fixture = try PolicyFixture([
            "p.yaml": [
                Self.target("vms", provider: "danube"), Self.target("fz", provider: "freezer"), Self.target("cs", provider: "cloudsigma"),
                """
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: vm-daily}
                spec:
                  target: vms
                  schedule: {timezone: UTC, at: ["04:00"]}
                  options: {zpool: "", compression: "9", nodes: n1}
                """,
                """
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: job}
                spec:
                  target: fz
                  schedule: {timezone: UTC, every: 12h}
                  options: {container: /c, mode: tarball}
                """,
                """
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: snap}
                spec:
                  target: cs
                  schedule: {timezone: Etc/UTC, at: ["04:00"]}
                  options: {window: "7-19"}
                """,
            ].joined(separator: "\n---\n")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/p.yaml:31:12: error: scheduler 'vm-daily' on danube target 'vms' needs options.node (add node: … under options)",
                "dir/p.yaml:31:13: error: options.zpool '' of scheduler 'vm-daily' is empty; name the node's zpool, e.g. zones",
                "dir/p.yaml:31:24: error: options.compression '9' of scheduler 'vm-daily' must be 0 (none), 1 (gzip), 2 (bzip2) or 3 (xz)",
                "dir/p.yaml:31:42: error: unknown option 'nodes' for scheduler 'vm-daily' on danube target 'vms' "
                    + "(did you mean 'node'? known: node, zpool, bwlimit, compression, fsfreeze)",
                "dir/p.yaml:39:12: error: scheduler 'job' on freezer target 'fz' needs options.clientId (add clientId: … under options)",
                "dir/p.yaml:39:28: error: options.mode 'tarball' of scheduler 'job' "
                    + "must be one of fs, mongo, mysql, sqlserver, cinder, glance, cindernative, nova",
                "dir/p.yaml:47:13: error: options.window '7-19' of scheduler 'snap' is not a window such as 07:00-19:00",
            ])
    }

    @Test func anEndpointWithAPasswordIsALiteralSecret() throws {
        let fixture = try PolicyFixture([
            "t.yaml": Self.target(
                "zrh", provider: "cloudsigma", endpoint: "https://ops:\(TestCredentials.neverPrinted)@zrh.example.net/api/2.0/")
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(
            diagnostics == [
                "dir/t.yaml:6:13: error: endpoint carries a password in its URL ('ops:…@'); literal secrets are refused "
                    + "(remove it from the URL and use credentials: {usernameEnv: …, passwordEnv: …} or passwordFile)"
            ])
        #expect(!diagnostics.joined().contains(TestCredentials.neverPrinted))
        #expect(try fixture.load().policies.targets.isEmpty)
    }
}
