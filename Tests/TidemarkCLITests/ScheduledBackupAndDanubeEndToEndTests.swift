import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// plan, apply and import on scheduled-backup and danube targets of the in-process emulator, with objects tidemark
/// does not manage left byte-identical.
@Suite("scheduled-backup and danube end to end")
struct ScheduledBackupAndDanubeEndToEndTests {
    static let project = "3f5e1c2a-8d4b-4c6e-9a1f-2b7d0e9c4a51"

    static func plan(
        _ name: String, zone: String = "UTC", at time: String = "02:00", retention: String = "{last: 14}", suspended: Bool = false
    ) -> String {
        """
        apiVersion: tidemark.io/v1
        kind: BackupPlan
        metadata: {name: \(name)}
        spec:
          target: volumes
          resources: [{id: vol-\(name), name: \(name)-vol, type: "OS::Cinder::Volume"}]
          schedule: {timezone: \(zone), at: ["\(time)"]}
          retention: \(retention)
          suspended: \(suspended)

        """
    }

    @Test func backupPlansApplyConvergeImportAndAdopt() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let root = "/scheduled-backup/v2/\(Self.project)"
        let hand = try await emulator.request(
            "POST", "\(root)/plans",
            body: """
                {"backup_mode": "frequency", "description": "made by hand", "max_backups": 5, "name": "Hand Plan",\
                 "schedule_pattern": "30 1 * * 6",
                 "schedule_type": "crontab", "resources": [{"id": "v9", "name": "vol9", "type": "OS::Cinder::Volume"}]}
                """)
        let handID = try #require(hand.json?["id"]?.stringValue)
        let handBefore = try await emulator.request("GET", "\(root)/plans/\(handID)").json
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("volumes", provider: "scheduled-backup", endpoint: "\(emulator.rootURL)\(root)/"),
            "nightly.yaml": Self.plan("nightly"),
            "sfg.yaml": Self.plan(
                "sfg", zone: "Etc/GMT-1", at: "03:00",
                retention: "{rules: [{period: days, quantity: 7}, {period: months, quantity: 3, timeOption: 1}]}"),
        ])
        defer { workspace.delete() }
        let first = try await workspace.plan()
        #expect(first["summary"]?["create"] == 2)
        let placements = first["targets"]?[0]?["placements"]?.arrayValue ?? []
        #expect(
            placements.contains {
                $0["scheduler"] == "sfg" && $0["reason"] == "cron \"0 2 * * *\" in UTC" && $0["retention"] == "controller"
            })
        #expect(
            placements.contains {
                $0["scheduler"] == "nightly" && $0["retention"] == "native" && $0["retention_reason"] == "max_backups 14"
            })
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let plans = try await emulator.request("GET", "\(root)/plans").json?["plans"]?.arrayValue ?? []
        let nightly = try #require(plans.first { $0["name"] == "nightly" })
        #expect(nightly["description"] == "tidemark:tidemark/volumes/nightly")
        #expect(nightly["schedule_pattern"] == "0 2 * * *")
        #expect(nightly["max_backups"] == 14)
        #expect(nightly["status"] == "started")
        #expect(try #require(plans.first { $0["name"] == "sfg" })["max_backups"]?.intValue ?? 0 >= 7 + 3)

        try workspace.write("nightly.yaml", Self.plan("nightly", suspended: true))
        let suspend = try await workspace.plan()
        #expect(suspend["targets"]?[0]?["actions"]?[0]?["changes"] == [["field": "enabled", "before": "true", "after": "false"]])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await emulator.request("GET", "\(root)/plans/\(nightly["id"]!.stringValue!)").json?["status"] == "suspended")

        #expect(try await workspace.run("import", "--target", "volumes", "--out", "imported").status == 0)
        let file = try #require(try workspace.imported()["hand-plan.yaml"])
        #expect(
            file.contains("displayName: \"Hand Plan\"") && file.contains("cron: \"30 1 * * 6\"") && file.contains("retention: {last: 5}"))
        #expect(try await emulator.request("GET", "\(root)/plans/\(handID)").json == handBefore)
        try workspace.write("hand-plan.yaml", file)
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["adopt plan hand-plan"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let adopted = try await emulator.request("GET", "\(root)/plans/\(handID)").json
        #expect(adopted?["description"] == "tidemark:tidemark/volumes/hand-plan")
        #expect(adopted?["backup_mode"] == "frequency")
    }

    @Test func aBackupPlanThatDaylightSavingTimeMovesIsRefused() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target(
                "volumes", provider: "scheduled-backup", endpoint: "\(emulator.rootURL)/scheduled-backup/v2/\(Self.project)/"),
            "zurich.yaml": Self.plan("zurich", zone: "Europe/Zurich"),
        ])
        defer { workspace.delete() }
        let plan = try await workspace.run("plan")
        #expect(plan.status == 1)
        #expect(
            plan.stdout.contains(
                "backup plan zurich: the scheduled-backup API takes a UTC cron pattern and cannot take checkpoints on demand, "
                    + "so this schedule cannot run there: daylight saving time in Europe/Zurich moves its UTC times"))
        #expect(try await workspace.run("apply", "--auto-approve").status == 1)
        #expect(try await emulator.request("GET", "/scheduled-backup/v2/\(Self.project)/plans").json?["total"] == 0)
    }

    static let vms = EmulatorFixture(vms: [
        .init(hostname: "web-1.example.com", disks: 2, tags: ["web"]), .init(hostname: "web-2.example.com", disks: 1, tags: ["web"]),
        .init(hostname: "db-1.example.com", disks: 2, tags: ["db"]),
    ])

    static func danube(_ name: String, zone: String = "UTC", retention: String = "{last: 7}", drives: String) -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: \(name)}
        spec:
          target: vms
          schedule: {timezone: \(zone), at: ["04:00"]}
          retention: \(retention)
          options: {node: node99.erigones.com}
        ---
        apiVersion: tidemark.io/v1
        kind: DriveBinding
        metadata: {name: \(name)}
        spec:
          target: vms
          scheduler: \(name)
          drives: \(drives)

        """
    }

    @Test func danubeDefinitionsPerDiskNativeAndControllerImportAndAdopt() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.vms))
        defer { Task { await emulator.stop() } }
        let hand = "/danube/api/vm/db-1.example.com/define/backup/hourly"
        #expect(
            try await emulator.request(
                "POST", hand, body: "{\"disk_id\": 2, \"node\": \"n1\", \"schedule\": \"0 * * * *\", \"retention\": 24}"
            ).status == 201)
        let handBefore = try await emulator.request("GET", "\(hand)?disk_id=2").json?["text"]?["result"]
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("vms", provider: "danube", endpoint: "\(emulator.rootURL)/danube/api/"),
            "web.yaml": Self.danube("web", drives: "{tags: [web]}"),
            "db.yaml": Self.danube(
                "db", zone: "Europe/Zurich", retention: "{rules: [{period: days, quantity: 3}]}",
                drives: "{names: [\"db-1.example.com/2\"]}"),
        ])
        defer { workspace.delete() }
        let first = try await workspace.plan()
        #expect(
            ReconcileWorkspace.actions(first).sorted() == [
                "create definition db@db-1.example.com/2", "create definition web@web-1.example.com/1",
                "create definition web@web-2.example.com/1",
            ], "tags select the first disk of each VM")
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let web = try await emulator.request("GET", "/danube/api/vm/web-1.example.com/define/backup/web?disk_id=1").json?["text"]?["result"]
        #expect(
            web == [
                "node": "node99.erigones.com", "name": "web", "schedule": "0 4 * * *", "hostname": "web-1.example.com", "disk_id": 1,
                "active": true, "zpool": "zones", "retention": 7, "bwlimit": .null, "desc": "tidemark:tidemark/vms/web",
            ])
        let db = try await emulator.request("GET", "/danube/api/vm/db-1.example.com/define/backup/db?disk_id=2").json?["text"]?["result"]
        #expect(db?["active"] == false, "a controller-run definition is inactive")

        #expect(try await workspace.run("import", "--target", "vms", "--out", "imported").status == 0)
        let file = try #require(try workspace.imported()["hourly.yaml"])
        #expect(
            file.contains("names: [\"db-1.example.com/2\"]") && file.contains("cron: \"0 * * * *\"")
                && file.contains("retention: {last: 24}"))
        #expect(try await emulator.request("GET", "\(hand)?disk_id=2").json?["text"]?["result"] == handBefore)
        try workspace.write("hourly.yaml", file)
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["adopt definition hourly@db-1.example.com/2"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)

        try workspace.write("web.yaml", Self.danube("web", drives: "{names: [web-1.example.com]}"))
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["delete definition web@web-2.example.com/1"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await emulator.request("GET", "/danube/api/vm/web-2.example.com/define/backup/web").status == 404)
    }

    @Test func aLockedVMFailsItsDefinitionOnlyAndTheErrorNamesTheRequest() async throws {
        let fixture = EmulatorFixture(vms: [.init(hostname: "web-1.example.com"), .init(hostname: "locked.example.com", locked: true)])
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("vms", provider: "danube", endpoint: "\(emulator.rootURL)/danube/api/"),
            "daily.yaml": Self.danube("daily", drives: "{names: [\"*.example.com\"]}"),
        ])
        defer { workspace.delete() }
        let applied = try await workspace.run("apply", "--auto-approve")
        #expect(applied.status == 1)
        #expect(
            (applied.stdout + applied.stderr).contains(
                "POST /danube/api/vm/locked.example.com/define/backup/daily: HTTP 423: VM is not operational"))
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["create definition daily@locked.example.com/1"])
    }

    /// With examples/requirements.yaml, as `make demo` runs them: every requirement holds in the plan, and the audit of
    /// a fresh emulator finds nothing wrong but the backups not taken yet.
    @Test func theMultiProviderExampleAppliesInOneRunAndConverges() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 3, seedVMs: 3))
        defer { Task { await emulator.stop() } }
        let example = CLIRunner.repositoryRoot.appendingPathComponent("examples/multi-provider")
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: example.path) where name.hasSuffix(".yaml") {
            files[name] = try String(contentsOf: example.appendingPathComponent(name), encoding: .utf8)
                .replacingOccurrences(of: "http://127.0.0.1:8789", with: emulator.rootURL)
        }
        files["requirements.yaml"] = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("examples/requirements.yaml"), encoding: .utf8)
        let workspace = try PolicyWorkspace(files)
        defer { workspace.delete() }
        let plan = try await workspace.plan()
        #expect(plan["targets"]?.arrayValue?.allSatisfy { $0["errors"] == [] } == true, "\(plan)")
        #expect(
            (plan["targets"]?.arrayValue ?? []).compactMap { $0["provider"]?.stringValue } == [
                "cloudsigma", "scheduled-backup", "danube", "freezer",
            ])
        let applied = try await workspace.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(applied.stdout.contains("Apply complete: 10 succeeded, 0 failed."))
        let again = try await workspace.run("plan", "--detailed-exitcode")
        #expect(again.status == 0)
        #expect(again.stdout.contains("definition zurich runs in the controller: danube schedules in UTC cron only"))

        let audit = try await workspace.run("audit", "--json")
        #expect(audit.status == 3)
        let report = try JSON.parse(Data(audit.stdout.utf8))
        let violations = (report["targets"]?.arrayValue ?? []).flatMap { $0["requirements"]?.arrayValue ?? [] }
            .flatMap { $0["objects"]?.arrayValue ?? [] }.flatMap { $0["violations"]?.arrayValue ?? [] }
        #expect(!violations.isEmpty)
        #expect(violations.allSatisfy { $0["rule"] == "stale" && $0["detail"]?.stringValue?.hasPrefix("has no snapshot") == true })

        let requirements = try #require(files["requirements.yaml"])
        try workspace.write("requirements.yaml", requirements.replacingOccurrences(of: "rpo: 25h", with: "rpo: 24h"))
        let refused = try await workspace.plan()
        let errors = refused["targets"]?[0]?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(errors.count == 1)
        #expect(errors.first?.contains("would be protected every 25h (longest gap from ") == true, "\(errors)")
        #expect(errors.first?.contains(" 01:00 Europe/Zurich); requirement zrh-drives wants ≤ 24h") == true, "\(errors)")
    }
}
