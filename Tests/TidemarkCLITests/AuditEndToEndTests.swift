import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// `tidemark audit` over live state on the emulator: compliance per requirement, coverage gaps, orphan schedulers and
/// snapshots, the newest snapshot against the rpo, exit codes and the three output formats.
@Suite("tidemark audit end to end")
struct AuditEndToEndTests {
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func objects(_ report: JSON, target: Int = 0, requirement: Int = 0) -> [String: JSON] {
        let objects = report["targets"]?[target]?["requirements"]?[requirement]?["objects"]?.arrayValue ?? []
        return Dictionary(objects.map { ($0["object"]?["name"]?.stringValue ?? "", $0) }, uniquingKeysWith: { $1 })
    }

    @Test("cloudsigma: a stale newest snapshot, an unprotected drive, orphan schedulers and snapshots; exit 3, then 0")
    func cloudSigmaAudit() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: RequirementEndToEndTests.drives))
        defer { Task { await emulator.stop() } }
        _ = try await ReconcileWorkspace.seedUnmanaged(emulator)
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("zrh", provider: "cloudsigma", endpoint: emulator.baseURL),
            "daily.yaml": RequirementEndToEndTests.scheduler(
                "daily", "{timezone: Etc/UTC, at: [\"02:00\"]}", retention: "{period: days, quantity: 40}",
                drives: "{names: [db-1, db-2]}"),
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let orphan = try await emulator.request(
            "POST", "backupschedulers/",
            body: """
                {"name": "old", "type": "snapshot", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
                 "incremental_backup": {"hour": "4", "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*"},
                 "user_timezone": "Etc/UTC",
                 "meta": {"tidemark.io/owner": "tidemark", "tidemark.io/name": "old", "tidemark.io/target": "zrh"}}
                """)
        let orphanID = try #require(orphan.json?["objects"]?[0]?["uuid"]?.stringValue)
        let now = Date()
        let snapshots: [(drive: String, age: TimeInterval, meta: String)] = [
            ("4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", 3600, "{}"),
            ("7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72", 3 * 86_400, "{}"),
            (
                "7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72", 5 * 86_400,
                "{\"tidemark.io/owner\": \"tidemark\", \"tidemark.io/scheduler\": \"gone\"}"
            ),
        ]
        for snapshot in snapshots {
            let taken = Self.iso(now.addingTimeInterval(-snapshot.age)).replacingOccurrences(of: "Z", with: "+00:00")
            let created = try await emulator.request(
                "POST", "snapshots/",
                body: "{\"objects\": [{\"drive\": \"\(snapshot.drive)\", \"name\": \"s\", "
                    + "\"timestamp\": \"\(taken)\", \"meta\": \(snapshot.meta)}]}"
            )
            #expect(created.status == 201)
        }
        try workspace.write(
            "prod.yaml", RequirementEndToEndTests.requirement("prod-rpo", "drives: {tags: [prod]}\nrpo: 24h\nprotected: true"))

        let audit = try await workspace.run("audit", "--json")
        #expect(audit.status == 3, "\(audit.stderr)")
        let report = try JSON.parse(Data(audit.stdout.utf8))
        #expect(report["format_version"] == "1")
        #expect(report["compliant"] == false)
        let objects = Self.objects(report)
        #expect(objects["db-1"]?["compliant"] == true)
        #expect(objects["db-1"]?["protected_by"] == ["daily"])
        #expect(objects["db-2"]?["compliant"] == false)
        let stale = objects["db-2"]?["violations"]?[0]
        #expect(stale?["rule"] == "stale")
        #expect(
            stale?["detail"]?.stringValue?.contains(", 72h ago; requirement prod-rpo wants one every 24h") == true,
            "\(String(describing: stale))")
        #expect(objects["db-3"]?["violations"]?.arrayValue?.map { $0["rule"] } == ["protected"])
        #expect(
            report["targets"]?[0]?["unprotected"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted() == ["db-3", "web-1"])
        let orphans = report["targets"]?[0]?["orphan_schedulers"]?.arrayValue ?? []
        #expect(orphans.count == 2)
        #expect(
            orphans.contains {
                $0["id"]?.stringValue == orphanID && $0["reason"]?.stringValue?.contains("no policy declares old any more") == true
            })
        #expect(
            orphans.contains {
                $0["name"] == "Nightly (hand-made)" && $0["reason"]?.stringValue?.hasPrefix("tidemark does not manage it") == true
            })
        let orphanSnapshots = report["targets"]?[0]?["orphan_snapshots"]?.arrayValue ?? []
        #expect(orphanSnapshots.count == 1)
        #expect(
            orphanSnapshots.first?["reason"]?.stringValue?.hasPrefix("taken by scheduler gone, which no policy declares any more") == true)

        let text = try await workspace.run("audit")
        #expect(text.status == 3)
        #expect(text.stdout.contains("requirement prod-rpo: 1 of 3 drives compliant"))
        #expect(text.stdout.contains("✗ drive db-3 is not protected by any scheduler; requirement prod-rpo wants it protected"))
        #expect(text.stdout.contains("unprotected drives (2): db-3, web-1"))
        #expect(text.stdout.contains("Not compliant: 2 violations."))
        let markdown = try await workspace.run("audit", "--markdown")
        #expect(markdown.status == 3)
        #expect(markdown.stdout.contains("### Tidemark audit: 2 violations"))
        #expect(markdown.stdout.contains("| prod-rpo | db-1 | yes |  |"))

        try workspace.write("prod.yaml", RequirementEndToEndTests.requirement("prod-rpo", "drives: {names: [db-1]}\nrpo: 24h"))
        let compliant = try await workspace.run("audit")
        #expect(compliant.status == 0, "\(compliant.stdout)\(compliant.stderr)")
        #expect(compliant.stdout.contains("Compliant: every requirement holds."))
    }

    @Test("scheduled-backup and freezer: checkpoints and backups count for the resources and clients of their plan and job")
    func newestSnapshotsOfPlansAndJobs() async throws {
        let fixture = EmulatorFixture(freezerClients: [.init(clientID: "node1", hostname: "node1")])
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        defer { Task { await emulator.stop() } }
        let project = ScheduledBackupAndDanubeEndToEndTests.project
        let workspace = try PolicyWorkspace([
            "targets.yaml": PolicyWorkspace.target(
                "volumes", provider: "scheduled-backup", endpoint: "\(emulator.rootURL)/scheduled-backup/v2/\(project)/")
                + "---\n" + PolicyWorkspace.target("freezer", provider: "freezer", endpoint: "\(emulator.rootURL)/freezer/v2/testproject/"),
            "volumes.yaml": ScheduledBackupAndDanubeEndToEndTests.plan("nightly"),
            "freezer.yaml": FreezerEndToEndTests.scheduler("etc"),
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let plans = try await emulator.request("GET", "/scheduled-backup/v2/\(project)/plans").json?["plans"]?.arrayValue ?? []
        let planID = try #require(plans.first?["id"]?.stringValue)
        _ = await emulator.emulator.addCheckpoint(project: project, planID: planID, createdAt: Date().addingTimeInterval(-7200))
        let root = "/scheduled-backup/v2/\(project)"
        let hand = try await emulator.request(
            "POST", "\(root)/plans",
            body: """
                {"backup_mode": "frequency", "description": "made by hand", "max_backups": 5, "name": "Hand Plan",\
                 "schedule_pattern": "30 1 * * 6",
                 "schedule_type": "crontab", "resources": [{"id": "v9", "name": "vol9", "type": "OS::Cinder::Volume"}]}
                """)
        let handID = try #require(hand.json?["id"]?.stringValue)
        _ = await emulator.emulator.addCheckpoint(project: project, planID: handID, createdAt: Date().addingTimeInterval(-7200))
        #expect(try await emulator.request("DELETE", "\(root)/plans/\(handID)").status == 204)
        let stamp = Int(Date().timeIntervalSince1970) - 40 * 3600
        let jobs = try await emulator.request("GET", "/freezer/v2/testproject/jobs?limit=100").json?["jobs"]?.arrayValue ?? []
        let jobID = try #require(jobs.first?["job_id"]?.stringValue)
        _ = try await emulator.request(
            "POST", "/freezer/v2/testproject/backups", body: "{\"backup_name\": \"b\", \"job_id\": \"\(jobID)\", \"time_stamp\": \(stamp)}")
        try workspace.write(
            "requirements.yaml", RequirementEndToEndTests.requirement("fresh", "drives: {all: true}\nrpo: 24h", target: "volumes, freezer"))

        let audit = try await workspace.run("audit", "--json")
        #expect(audit.status == 3, "\(audit.stderr)")
        let report = try JSON.parse(Data(audit.stdout.utf8))
        #expect(Self.objects(report, target: 0)["nightly-vol"]?["compliant"] == true, "\(audit.stdout)")
        let client = Self.objects(report, target: 1)["node1"]
        #expect(client?["compliant"] == false)
        #expect(client?["violations"]?[0]?["detail"]?.stringValue?.contains(", 40h ago; requirement fresh wants one every 24h") == true)
        let orphans = report["targets"]?[0]?["orphan_snapshots"]?.arrayValue ?? []
        #expect(orphans.count == 1 && orphans.first?["of"]?.stringValue == handID)
        #expect(orphans.first?["reason"]?.stringValue?.contains("its plan \(handID) no longer exists") == true)
    }
}
