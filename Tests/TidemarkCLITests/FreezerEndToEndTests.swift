import Foundation
import TestSupport
import Testing
import TidemarkJSON

/// plan, apply and import on a freezer target, against the emulator and the real freezer-api 19.0.0 alike.
@Suite("freezer end to end")
struct FreezerEndToEndTests {
    static func scheduler(_ name: String, every: String = "12h", client: String = "node1", timezone: String = "UTC") -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: \(name)}
        spec:
          target: freezer
          schedule: {timezone: \(timezone), every: \(every)}
          retention: {period: days, quantity: 7}
          options: {clientId: \(client), container: /var/backups/\(name), pathToBackup: /etc, storage: local}

        """
    }

    static func json(_ answer: (status: Int, body: Data)) throws -> JSON? { answer.body.isEmpty ? nil : try JSON.parse(answer.body) }

    @Test(arguments: FreezerServer.Kind.allCases)
    func applyPlanImportAdoptAndDelete(_ kind: FreezerServer.Kind) async throws {
        let server = try await FreezerServer.start(kind)
        defer { Task { await server.stop() } }
        try await server.registerClient("node1")
        try await server.registerClient("node2")
        let hand = try Self.json(
            try await server.call(
                "POST", "jobs",
                body: """
                    {"client_id": "node2", "description": "hand job",\
                     "job_schedule": {"schedule_interval": "1 days", "schedule_start_date": "2026-01-01T05:00:00"},
                     "job_actions": [{"freezer_action": {"action": "backup", "mode": "fs", "backup_name": "h",\
                     "container": "/c", "storage": "local",
                                      "remove_older_than": 3, "log_file": "/var/log/hand.log"}, "max_retries": 2}]}
                    """))?["job_id"]?.stringValue
        let handID = try #require(hand)
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("freezer", provider: "freezer", endpoint: server.projectURL),
            "etc.yaml": Self.scheduler("etc"),
        ])
        defer { workspace.delete() }

        let first = try await workspace.plan()
        #expect(first["summary"]?["create"] == 1)
        #expect(first["targets"]?[0]?["placements"]?[0]?["reason"] == "every 12 hours from 2026-01-01T00:00:00 UTC")
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let jobs = try Self.json(try await server.call("GET", "jobs?limit=100"))?["jobs"]?.arrayValue ?? []
        let managed = try #require(jobs.first { $0["description"] == "tidemark:tidemark/freezer/etc" })
        #expect(managed["client_id"] == "node1")
        #expect(managed["job_schedule"]?["schedule_interval"] == "12 hours")
        #expect(managed["job_schedule"]?["schedule_start_date"] == "2026-01-01T00:00:00")
        #expect(managed["job_actions"]?[0]?["freezer_action"]?["remove_older_than"] == 7)
        #expect(managed["job_actions"]?[0]?["freezer_action"]?["path_to_backup"] == "/etc")

        try workspace.write("etc.yaml", Self.scheduler("etc", every: "6h"))
        let changed = try await workspace.plan()
        #expect(
            changed["targets"]?[0]?["actions"]?[0]?["changes"] == [
                ["field": "schedule_interval", "before": "\"12 hours\"", "after": "\"6 hours\""]
            ])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)

        let handBefore = try Self.json(try await server.call("GET", "jobs/\(handID)"))
        #expect(try await workspace.run("import", "--target", "freezer", "--out", "imported").status == 0)
        #expect(try Self.json(try await server.call("GET", "jobs/\(handID)")) == handBefore, "import changes nothing")
        let file = try #require(try workspace.imported()["hand-job.yaml"])
        #expect(file.contains("displayName: \"hand job\""))
        #expect(file.contains("at: [\"05:00\"]"))
        #expect(file.contains("retention: {period: days, quantity: 3}"))
        try workspace.write("hand-job.yaml", file)
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["adopt job hand-job"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let adopted = try Self.json(try await server.call("GET", "jobs/\(handID)"))
        #expect(adopted?["description"] == "tidemark:tidemark/freezer/hand-job")
        #expect(adopted?["job_actions"]?[0]?["freezer_action"]?["log_file"] == "/var/log/hand.log", "fields tidemark does not set survive")
        #expect(adopted?["job_actions"]?[0]?["max_retries"] == 2)

        try workspace.remove("etc.yaml")
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["delete job etc"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await server.call("GET", "jobs/\(try #require(managed["job_id"]?.stringValue))").status == 404)
        #expect(try await server.call("GET", "jobs/\(handID)").status == 200)
    }

    @Test func schedulesWithoutOneIntervalAndUnknownClientsAreRefusedWithTheReason() async throws {
        let server = try await FreezerServer.start(.emulator)
        defer { Task { await server.stop() } }
        try await server.registerClient("node1")
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("freezer", provider: "freezer", endpoint: server.projectURL),
            "zurich.yaml": Self.scheduler("zurich", every: "24h", timezone: "Europe/Zurich"),
            "ghost.yaml": Self.scheduler("ghost", client: "ghost"),
        ])
        defer { workspace.delete() }
        let plan = try await workspace.run("plan")
        #expect(plan.status == 1)
        #expect(
            plan.stdout.contains(
                "scheduler zurich: freezer runs a job at a fixed interval from a start date, and this schedule has none: "
                    + "daylight saving time in Europe/Zurich moves its fires"))
        #expect(plan.stdout.contains("scheduler ghost: client ghost is not registered on target freezer"))
        #expect(try await workspace.run("apply", "--auto-approve").status == 1)
        #expect(try Self.json(try await server.call("GET", "jobs?limit=100"))?["jobs"] == [])
    }
}
