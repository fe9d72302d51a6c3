import Foundation
import TestSupport
import Testing
import TidemarkEmulator

/// Credentials stay where the Target says and nowhere else; the controller's endpoints only read.
@Suite("credentials and endpoints")
struct SecurityTests {
    static let password = TestCredentials.neverPrinted

    static func policies(_ emulator: RunningEmulator, credentials: String) -> [String: String] {
        [
            "target.yaml": """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: local}
            spec: {provider: cloudsigma, endpoint: "\(emulator.baseURL)", credentials: \(credentials)}
            ---
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: nightly}
            spec: {target: local, schedule: {timezone: Etc/UTC, at: ["02:00"]}, retention: {period: days, quantity: 3}}
            """
        ]
    }

    @Test func credentialFilesReadableByEveryUserAreWarnedAbout() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(password: Self.password))
        defer { Task { await emulator.stop() } }
        let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: secrets) }
        let user = secrets.appendingPathComponent("user").path
        let password = secrets.appendingPathComponent("password").path
        try "tidemark@example.com\n".write(toFile: user, atomically: true, encoding: .utf8)
        try "\(Self.password)\n".write(toFile: password, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: user)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: password)
        let workspace = try PolicyWorkspace(Self.policies(emulator, credentials: "{usernameFile: \(user), passwordFile: \(password)}"))
        defer { workspace.delete() }
        let open = try await workspace.run("plan")
        #expect(open.status == 0, "\(open.stderr)")
        #expect(
            open.stderr.contains(
                "warning: target local: credentials file \(password) is readable by every user (mode 644); run chmod 600 \(password)"))
        #expect(!open.stderr.contains("file \(user) is readable"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: password)
        let closed = try await workspace.run("plan")
        #expect(closed.status == 0)
        #expect(!closed.stderr.contains("warning"))
        for output in [open, closed] { #expect(!(output.stdout + output.stderr).contains(Self.password)) }
    }

    @Test func theControllerEndpointsShowNoSecretAndAcceptNoWrite() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(password: Self.password))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace(
            Self.policies(emulator, credentials: "{usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}"))
        defer { workspace.delete() }
        let run = try RunCommandTests.RunningController(
            arguments: [
                "--path", "policies", "--interval", "1s", "--state",
                "sqlite:" + workspace.directory.appendingPathComponent("s.sqlite").path,
                "--log-level", "debug",
            ],
            in: workspace.directory, environment: ["TIDEMARK_USER": "tidemark@example.com", "TIDEMARK_PASSWORD": Self.password])
        #expect(try await run.waitUntil { try await run.get("readyz").status == 200 }, "\(run.output)")
        for path in ["healthz", "readyz", "metrics", "status"] {
            let page = try await run.get(path)
            #expect(page.status == 200)
            #expect(!page.body.contains(Self.password), "/\(path) shows the password")
            for method in ["POST", "PUT", "PATCH", "DELETE"] {
                let write = try await run.get(path, method: method)
                #expect([404, 405].contains(write.status), "\(method) /\(path) answered \(write.status)")
            }
        }
        #expect(try await run.terminate() == 0)
        #expect(!run.output.contains(Self.password), "the controller's log shows the password")
        #expect(run.output.contains("cycle"), "the log was captured")
    }
}

/// TLS verification is always on: a self-signed https endpoint is refused unless the Target trusts its CA
/// (`caFile:`) or, for a local test server, says `insecure: true`.
@Suite("TLS verification")
struct TLSVerificationTests {
    @Test func aSelfSignedEndpointIsRefusedUnlessTheTargetTrustsIt() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let proxy = try TLSProxy(forwardingTo: emulator.port)
        defer { proxy.stop() }
        let endpoint = "https://127.0.0.1:\(proxy.port)/api/2.0/"
        func plan(_ extra: String) async throws -> CLIRunner.Output {
            let workspace = try PolicyWorkspace(
                SecurityTests.policies(emulator, credentials: "{usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}"))
            defer { workspace.delete() }
            try workspace.write(
                "target.yaml",
                (try String(contentsOf: workspace.policies.appendingPathComponent("target.yaml"), encoding: .utf8))
                    .replacingOccurrences(of: "endpoint: \"\(emulator.baseURL)\"", with: "endpoint: \"\(endpoint)\"\(extra)"))
            return try await workspace.run("plan")
        }
        let untrusted = try await plan("")
        #expect(untrusted.status == 1)
        #expect(
            untrusted.stderr.contains("error: target local: GET /api/2.0/backupschedulers/detail/?limit=0: TLS: "), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("name its PEM file as caFile: on the Target"))
        let trusted = try await plan(", caFile: \(proxy.certificateFile)")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout.contains("+ scheduler nightly"))
        let insecure = try await plan(", insecure: true")
        #expect(insecure.status == 0, "\(insecure.stderr)")
        let otherCA = try TLSProxy(forwardingTo: emulator.port)
        defer { otherCA.stop() }
        let wrongCA = try await plan(", caFile: \(otherCA.certificateFile)")
        #expect(wrongCA.status == 1, "a CA that did not sign the certificate is no trust anchor")
        #expect(wrongCA.stderr.contains("TLS"), "\(wrongCA.stderr)")
    }
}
