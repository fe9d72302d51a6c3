import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tidemark run` as a long-running subprocess against the in-process emulator, reading a local git repository.
@Suite("tidemark run end to end", .serialized)
struct RunCommandTests {
    /// The controller subprocess, its endpoints and its log.
    final class RunningController: @unchecked Sendable {
        let process = Process()
        let port: Int
        let log: URL

        init(
            arguments: [String], in directory: URL, port: Int? = nil,
            environment: [String: String] = EmulatorCredentials.environment
        ) throws {
            self.port = try port ?? FreePort.find()
            log = directory.appendingPathComponent("run-\(self.port)-\(UUID().uuidString.prefix(8)).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = CLIRunner.binary
            process.arguments = ["run"] + arguments + ["--listen", "127.0.0.1:\(self.port)"]
            process.currentDirectoryURL = directory
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        func get(_ path: String, method: String = "GET") async throws -> (status: Int, body: String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/\(path)")!)
            request.httpMethod = method
            if method != "GET" { request.httpBody = Data("{}".utf8) }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        func status() async throws -> JSON { try JSON.parse(Data(try await get("status").body.utf8)) }

        /// Polls until `condition` holds, for up to `timeout` seconds.
        func waitUntil(timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if (try? await condition()) == true { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        /// Sends SIGTERM and waits for the exit status (nil if it did not exit within 15 s).
        func terminate() async throws -> Int32? {
            defer { CLIRunner.capture("$ tidemark run\n\(output)") }
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<75 where process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            guard !process.isRunning else {
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            return process.terminationStatus
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    /// The Prometheus text format: `name{labels} value` lines, comments skipped; samples by name and labels.
    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// A policy directory whose only Target answers nothing (port 9, discard).
    static func unreachableTarget() throws -> URL {
        try CLIRunner.temporaryDirectory([
            "policies/target.yaml": """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: nowhere}
            spec: {provider: cloudsigma, endpoint: "http://127.0.0.1:9/api/2.0/",\
             credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}}
            """
        ])
    }

    @Test func readyzIsUnavailableUntilTheFirstSuccessfulCycle() async throws {
        let directory = try Self.unreachableTarget()
        let run = try RunningController(
            arguments: ["--interval", "1s", "--state", "sqlite:" + directory.appendingPathComponent("s.sqlite").path],
            in: directory)
        #expect(try await run.waitUntil { try await run.get("healthz").status == 200 })
        #expect(try await run.waitUntil { try await run.status()["last_errors"]?.arrayValue?.isEmpty == false })
        #expect(try await run.get("readyz").status == 503)
        #expect(try await run.terminate() == 0, "\(run.output)")
    }

    @Test func aListenAddressInUseIsAnErrorNotAHang() async throws {
        let directory = try Self.unreachableTarget()
        let first = try RunningController(
            arguments: ["--state", "sqlite:" + directory.appendingPathComponent("a.sqlite").path], in: directory)
        #expect(try await first.waitUntil { try await first.get("healthz").status == 200 })
        let second = try RunningController(
            arguments: ["--state", "sqlite:" + directory.appendingPathComponent("b.sqlite").path], in: directory,
            port: first.port)
        #expect(try await second.waitUntil(timeout: 15) { !second.process.isRunning }, "the second run exits by itself")
        #expect(second.process.terminationStatus == 1)
        #expect(
            second.output.contains("error: tidemark run stopped:") && second.output.contains("pick another --listen"), "\(second.output)")
        #expect(try await first.terminate() == 0)
    }

    @Test func keepsTheEmulatorInSyncWithTheRepositoryCorrectsDriftAndStopsCleanly() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        let repository = try GitFixture(committing: workspace.directory, message: "policies")
        let state = workspace.directory.appendingPathComponent("state.sqlite").path
        let run = try RunningController(
            arguments: [
                "--repo", workspace.directory.path, "--ref", "main", "--path", "policies",
                "--interval", "1s", "--drift-interval", "1s", "--state", "sqlite:" + state,
                "--log-format", "json",
            ], in: workspace.directory)
        #expect(try await run.waitUntil { try await run.get("readyz").status == 200 }, "\(run.output)")
        let head = try repository.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await run.status()["commit"]?.stringValue == head)
        #expect(try await workspace.plan()["summary"]?["create"] == 0, "the first cycle applied everything")

        // Drift: someone renames a managed scheduler; the controller puts it back.
        let listed = try await workspace.emulator.request("GET", "backupschedulers/detail/?limit=0")
        let sfg = try #require(listed.json?["objects"]?.arrayValue?.first { $0["meta"]?["tidemark.io/name"] == "sfg" })
        let uuid = try #require(sfg["uuid"]?.stringValue)
        _ = try await workspace.emulator.request("PUT", "backupschedulers/\(uuid)/", body: "{\"name\": \"renamed by hand\"}")
        #expect(try await workspace.emulator.request("GET", "backupschedulers/\(uuid)/").json?["name"] == "renamed by hand")
        #expect(
            try await run.waitUntil {
                try await workspace.emulator.request("GET", "backupschedulers/\(uuid)/").json?["name"] == sfg["name"]
            })

        // A new commit that deletes a scheduler is applied.
        try workspace.remove("schedulers/03-every-sunday-2300.yaml")
        let second = try repository.commit("drop the Sunday scheduler")
        #expect(try await run.waitUntil { try await run.status()["commit"]?.stringValue == second })
        #expect(
            try await run.waitUntil {
                try await workspace.emulator.request("GET", "backupschedulers/detail/?limit=0").json?["objects"]?.arrayValue?
                    .contains { $0["meta"]?["tidemark.io/name"] == "every-sunday-2300" } == false
            })

        // A commit that does not validate changes nothing; the previous one stays in force.
        try workspace.edit("target.yaml") { $0 + "\n  colour: blue\n" }
        try repository.commit("broken")
        #expect(
            try await run.waitUntil {
                try await run.status()["last_errors"]?.arrayValue?.first?.stringValue?.contains("does not validate") == true
            })
        #expect(try await run.status()["commit"]?.stringValue == second)

        let metrics = try await run.get("metrics").body
        #expect(metrics.contains("tidemark_actions_total{kind=\"create\",outcome=\"ok\"} 11"))
        #expect(metrics.contains("tidemark_drift_total{target=\"local\",handling=\"corrected\"}"))
        #expect(metrics.contains("tidemark_api_requests_total{provider=\"cloudsigma\",status=\"201\"} 11"))
        let exposition = Self.parse(metrics)
        #expect(exposition["tidemark_last_successful_sync_timestamp_seconds"].map { $0 > 1_700_000_000 } == true)
        #expect(exposition["tidemark_cycle_duration_seconds_count"].map { $0 >= 2 } == true)
        #expect(exposition["tidemark_ready"] == 1)
        let families = metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families.count >= 8)
        for family in families { #expect(metrics.contains("# HELP \(family) "), "\(family) has its # HELP line") }
        #expect(!metrics.contains("tidemark@example.com") && !run.output.contains("tidemark@example.com"))
        #expect(try await run.terminate() == 0, "\(run.output)")
        #expect(run.output.contains("\"message\":\"controller stopped\""))
        await workspace.stop()
    }
}
