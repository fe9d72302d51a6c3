import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// The seeds' own objects, quirks included: imported, adopted by their marker alone, then one field edited in YAML
/// changes that one wire field. Every apply here is also audited centrally (`WriteAudit`).
@Suite("apply sends exactly what the plan shows, on the seeds' objects")
struct SeedObjectWriteTests {
    /// The nine schedulers of seed 001's detailed listing, as served there.
    static func seedSchedulers() throws -> [JSON] {
        let url = CLIRunner.repositoryRoot.appendingPathComponent("Tests/Fixtures/seed-dumps/response_backup_scheduler_detail_listing")
        return try JSON.parse(Data(contentsOf: url))["objects"]?.arrayValue ?? []
    }

    /// The wire paths of each action of a plan, by object name.
    static func wirePaths(_ plan: JSON) -> [String: [String]] {
        var paths: [String: [String]] = [:]
        for action in (plan["targets"]?.arrayValue ?? []).flatMap({ $0["actions"]?.arrayValue ?? [] }) {
            paths[action["name"]?.stringValue ?? "?"] = (action["wire"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        }
        return paths
    }

    /// Moves what `import` wrote into the policies, as a team adopting the objects would.
    static func adoptImported(_ workspace: PolicyWorkspace) throws {
        for (name, text) in try workspace.imported() { try workspace.write(name, text) }
    }

    /// scripts/schema-check.py's verdict on a directory of policy files (its last line of output).
    static func schemaCheck(_ directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLIRunner.repositoryRoot.appendingPathComponent("scripts/schema-check.py").path, directory.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").first { $0.contains("tidemark documents checked") }.map { "\($0)\n" } ?? text
    }

    static func edit(_ workspace: PolicyWorkspace, _ file: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOf: workspace.policies.appendingPathComponent(file), encoding: .utf8)
        #expect(text.contains(old), "\(file) holds \(old)")
        try workspace.write(file, text.replacingOccurrences(of: old, with: new))
    }

    static let markerPaths = ["/meta/tidemark.io~1name", "/meta/tidemark.io~1owner", "/meta/tidemark.io~1target"]

    @Test func seed001SchedulersAreAdoptedByTheMarkerAndAnEditChangesOneField() async throws {
        let seed = try Self.seedSchedulers()
        #expect(seed.count == 9)
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: EmulatorFixture(backupSchedulers: seed)))
        defer { Task { await emulator.stop() } }
        for object in seed {
            let uuid = try #require(object["uuid"]?.stringValue)
            #expect(
                try await emulator.request("GET", "backupschedulers/\(uuid)/").json == object,
                "the emulator serves \(uuid) as the seed shows it")
        }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("local", provider: "cloudsigma", endpoint: emulator.baseURL)
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("import", "--target", "local", "--out", "imported").status == 0)
        for (name, text) in try workspace.imported() {
            #expect(text.hasPrefix("# yaml-language-server: $schema=../schema/tidemark.schema.json\n"), "\(name) names the schema")
        }
        #expect(try Self.schemaCheck(workspace.directory.appendingPathComponent("imported")).hasSuffix("0 failed\n"))
        try Self.adoptImported(workspace)

        let adopt = try await workspace.plan()
        #expect(ReconcileWorkspace.actions(adopt).count == 9)
        #expect(ReconcileWorkspace.actions(adopt).allSatisfy { $0.hasPrefix("adopt scheduler ") })
        for (name, paths) in Self.wirePaths(adopt) { #expect(paths == Self.markerPaths, "adopting \(name) changes only its marker") }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        for object in seed {
            let uuid = try #require(object["uuid"]?.stringValue)
            let adopted = try #require(try await emulator.request("GET", "backupschedulers/\(uuid)/").json)
            #expect(adopted.setting(JSONPointer(["meta"]), to: [:]) == object, "\(uuid) is the seed's object but for its marker")
            #expect(adopted["meta"]?["tidemark.io/target"] == "local")
        }
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)

        let sfg = "3079a014-1810-4fb6-8395-2a23cb1979e3"
        let bimonthly = "14a89b65-c1a4-40e2-b7b2-193214ca1f0e"
        let before = try await [sfg, bimonthly].asyncMap { try #require(try await emulator.request("GET", "backupschedulers/\($0)/").json) }
        try Self.edit(workspace, "son-father-grandfather-policy.yaml", "at: [\"01:00\"]", "at: [\"02:00\"]")
        try Self.edit(workspace, "son-father-grandfather-policy.yaml", "quantity: 4, timeOption: 1", "quantity: 5, timeOption: 1")
        try Self.edit(workspace, "bimonthly-snapshot-policy.yaml", "months: [2, 4, 6, 8, 10, 12]", "months: [2, 4, 6, 8, 10]")
        let edited = try await workspace.plan()
        #expect(
            Self.wirePaths(edited) == [
                "son-father-grandfather-policy": ["/incremental_backup/hour", "/retention_policy/rules/1/quantity"],
                "bimonthly-snapshot-policy": ["/incremental_backup/month"],
            ])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let after = try await [sfg, bimonthly].asyncMap { try #require(try await emulator.request("GET", "backupschedulers/\($0)/").json) }
        #expect(
            JSONDifference.between(before[0], after[0]).map(\.pointer.description) == [
                "/incremental_backup/hour", "/retention_policy/rules/1/quantity",
            ],
            "the rules keep their split spelling")
        #expect(
            JSONDifference.between(before[1], after[1]) == [
                JSONDifference(
                    pointer: JSONPointer(["incremental_backup", "month"]), before: ["2", "4", "6", "8", "10", "12"],
                    after: ["2", "4", "6", "8", "10"])
            ], "a changed month keeps the API's list spelling")
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
    }

    /// A backup plan with every field of seed 002's example (with a schedule tidemark can express).
    static let seedPlan = """
        {"backup_mode": "frequency", "description": "nightly volumes", "max_backups": 14, "name": "Nightly Volumes",
         "resources": [{"id": "vol-1", "name": "data-vol", "type": "OS::Cinder::Volume"},\
         {"id": "vol-2", "name": "logs-vol", "type": "OS::Cinder::Volume"}],
         "schedule_pattern": "30 1 * * *", "schedule_type": "crontab"}
        """

    @Test func seed002PlanIsAdoptedByItsDescriptionAndAnEditChangesOneField() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let root = "/scheduled-backup/v2/\(ScheduledBackupAndDanubeEndToEndTests.project)"
        let id = try #require(try await emulator.request("POST", "\(root)/plans", body: Self.seedPlan).json?["id"]?.stringValue)
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("volumes", provider: "scheduled-backup", endpoint: "\(emulator.rootURL)\(root)/")
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("import", "--target", "volumes", "--out", "imported").status == 0)
        try Self.adoptImported(workspace)
        #expect(Self.wirePaths(try await workspace.plan()) == ["nightly-volumes": ["/description"]])
        let before = try #require(try await emulator.request("GET", "\(root)/plans/\(id)").json)
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let adopted = try #require(try await emulator.request("GET", "\(root)/plans/\(id)").json)
        #expect(JSONDifference.between(before, adopted).map(\.pointer.description) == ["/description"])

        try Self.edit(workspace, "nightly-volumes.yaml", "retention: {last: 14}", "retention: {last: 20}")
        #expect(Self.wirePaths(try await workspace.plan()) == ["nightly-volumes": ["/max_backups"]])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let edited = try #require(try await emulator.request("GET", "\(root)/plans/\(id)").json)
        #expect(JSONDifference.between(adopted, edited) == [JSONDifference(pointer: JSONPointer(["max_backups"]), before: 14, after: 20)])
    }

    @Test func seed003DefinitionIsAdoptedByItsDescAndAnEditChangesOneField() async throws {
        let host = "example.cust.erigones.com"
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: EmulatorFixture(vms: [.init(hostname: host)])))
        defer { Task { await emulator.stop() } }
        let path = "/danube/api/vm/\(host)/define/backup/daily"
        // seed 003's `es create` example.
        #expect(
            try await emulator.request(
                "POST", path, body: "{\"disk_id\": 1, \"schedule\": \"0 4 * * *\", \"retention\": 30, \"node\": \"node99.erigones.com\"}"
            )
            .status == 201)
        let seed = try #require(try await emulator.request("GET", "\(path)?disk_id=1").json?["text"]?["result"])
        #expect(
            seed == [
                "node": "node99.erigones.com", "name": "daily", "schedule": "0 4 * * *", "hostname": .string(host), "disk_id": 1,
                "active": true,
                "zpool": "zones", "retention": 30, "bwlimit": .null, "desc": "",
            ], "the seed's example response")
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("vms", provider: "danube", endpoint: "\(emulator.rootURL)/danube/api/")
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("import", "--target", "vms", "--out", "imported").status == 0)
        try Self.adoptImported(workspace)
        #expect(Self.wirePaths(try await workspace.plan()) == ["daily@\(host)/1": ["/desc"]])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let adopted = try #require(try await emulator.request("GET", "\(path)?disk_id=1").json?["text"]?["result"])
        #expect(JSONDifference.between(seed, adopted).map(\.pointer.description) == ["/desc"])

        try Self.edit(workspace, "daily.yaml", "retention: {last: 30}", "retention: {last: 14}")
        #expect(Self.wirePaths(try await workspace.plan()) == ["daily@\(host)/1": ["/retention"]])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let edited = try #require(try await emulator.request("GET", "\(path)?disk_id=1").json?["text"]?["result"])
        #expect(JSONDifference.between(adopted, edited) == [JSONDifference(pointer: JSONPointer(["retention"]), before: 30, after: 14)])
    }

    /// Seed 004's example job with every field it shows, on a schedule tidemark can express (the seed's 50 minutes
    /// does not divide a day).
    static let seedJob = """
        {"description": "Test-0001", "client_id": "CLIENT",
         "job_schedule": {"schedule_interval": "12 hours", "schedule_start_date": "2026-01-01T00:00:00",\
         "status": "scheduled", "event": ""},
         "job_actions": [{"freezer_action": {"backup_name": "test0001_backup", "container": "/tmp/test0001_container",\
         "no_incremental": true,
                          "path_to_backup": "/etc/", "storage": "local", "log_file": "/home/saad/job0001.log",\
         "snapshot": false, "action": "backup",
                          "remove_older_than": 365}, "max_retries": 5, "max_retries_interval": 6}]}
        """

    @Test(arguments: FreezerServer.Kind.allCases)
    func seed004JobIsAdoptedByItsDescriptionAndAnEditChangesOneField(_ kind: FreezerServer.Kind) async throws {
        let server = try await FreezerServer.start(kind)
        defer { Task { await server.stop() } }
        let client = "752d8bd43d654e7a840bbfda77ce41af_szaher"
        try await server.registerClient(client)
        let created = try await server.call("POST", "jobs", body: Self.seedJob.replacingOccurrences(of: "CLIENT", with: client))
        let id = try #require(try JSON.parse(created.body)["job_id"]?.stringValue)
        let seed = try JSON.parse(try await server.call("GET", "jobs/\(id)").body)
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("freezer", provider: "freezer", endpoint: server.projectURL)
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("import", "--target", "freezer", "--out", "imported").status == 0)
        try Self.adoptImported(workspace)
        let file = try #require(try workspace.imported().keys.first)
        #expect(Self.wirePaths(try await workspace.plan()).values.first == ["/description"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let adopted = try JSON.parse(try await server.call("GET", "jobs/\(id)").body)
        #expect(JSONDifference.between(seed, adopted).map(\.pointer.description) == ["/description"], "\(kind): only the marker changed")

        try Self.edit(workspace, file, "every: 12h", "every: 6h")
        #expect(Self.wirePaths(try await workspace.plan()).values.first == ["/job_schedule/schedule_interval"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let edited = try JSON.parse(try await server.call("GET", "jobs/\(id)").body)
        #expect(
            JSONDifference.between(adopted, edited) == [
                JSONDifference(pointer: JSONPointer(["job_schedule", "schedule_interval"]), before: "12 hours", after: "6 hours")
            ], "\(kind): only the interval changed")
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
