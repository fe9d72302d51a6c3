import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// plan, apply and import as a user runs them: the CLI binary, real HTTP, the in-process emulator.
@Suite("plan, apply and import end to end")
struct ReconcileEndToEndTests {
    @Test func applyConvergesAndThePlanAfterwardsIsEmpty() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        let first = try await workspace.plan()
        #expect(
            first["summary"] == ["create": 11, "update": 0, "adopt": 0, "bind": 3, "unbind": 0, "delete": 0, "retroactive_deletions": 0])
        let applied = try await workspace.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("Apply complete: 14 succeeded, 0 failed."))
        let again = try await workspace.run("plan", "--detailed-exitcode")
        #expect(again.status == 0)
        #expect(again.stdout.contains("No changes. Live state matches the policies (11 schedulers on 1 target)."))
        await workspace.stop()
    }

    @Test func oneChangedFieldPlansExactlyThatField() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        try workspace.edit("schedulers/07-weekday-3am.yaml") { $0.replacingOccurrences(of: "at: [\"03:00\"]", with: "at: [\"04:00\"]") }
        let plan = try await workspace.plan()
        #expect(ReconcileWorkspace.actions(plan) == ["update scheduler weekday-3am"])
        let change = plan["targets"]?[0]?["actions"]?[0]?["changes"]
        #expect(
            change == [
                [
                    "field": "schedule", "before": "at 03:00 on mon, tue, wed, thu, fri (Etc/UTC)",
                    "after": "at 04:00 on mon, tue, wed, thu, fri (Etc/UTC)",
                ]
            ])
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 2)
        await workspace.stop()
    }

    @Test func removingADocumentUnbindsThenDeletes() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        try workspace.remove("schedulers/11-son-father-grandfather.yaml")
        try workspace.remove("bindings.yaml")
        #expect(
            ReconcileWorkspace.actions(try await workspace.plan()) == [
                "unbind drive db-main", "unbind drive db-replica", "unbind drive test_drive_remote_snapshot_1", "delete scheduler sfg",
            ])
        workspace.emulator.requests.reset()
        let applied = try await workspace.run("apply", "--auto-approve")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let mutations = workspace.emulator.requests.all.filter { $0.method != "GET" }
        #expect(mutations.map(\.method) == ["POST", "POST", "POST", "DELETE"])
        #expect(mutations.allSatisfy { $0.status < 300 })
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        await workspace.stop()
    }

    @Test func unmanagedObjectsAreLeftByteForByte() async throws {
        let workspace = try await ReconcileWorkspace.start(unmanagedObjects: false)
        defer { Task { await workspace.stop(verifying: false) } }
        let foreign = try await workspace.emulator.request(
            "POST", "backupschedulers/",
            body: """
                {"name": "Someone else's", "type": "snapshot", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
                 "incremental_backup": {"hour": "5", "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*"},\
                 "user_timezone": "Etc/UTC"}
                """)
        let uuid = try #require(foreign.json?["objects"]?[0]?["uuid"]?.stringValue)
        _ = try await workspace.emulator.request(
            "POST", "drives/b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93/action/?do=set_scheduler",
            body: "{\"backup_policy_uuid\": \"\(uuid)\"}")
        let before = try await workspace.emulator.request("GET", "backupschedulers/\(uuid)/")
        let driveBefore = try await workspace.emulator.request("GET", "drives/b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93/")
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        try workspace.remove("schedulers/01-every-45-minutes.yaml")
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let after = try await workspace.emulator.request("GET", "backupschedulers/\(uuid)/")
        let driveAfter = try await workspace.emulator.request("GET", "drives/b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93/")
        #expect(after.json?.description == before.json?.description)
        #expect(driveAfter.json?.description == driveBefore.json?.description)
        #expect(!workspace.emulator.requests.all.contains { $0.method != "GET" && $0.path.contains(uuid) })
        await workspace.stop()
    }

    @Test func importedObjectsAreAdoptedAndThenPlanNoChanges() async throws {
        let workspace = try await ReconcileWorkspace.start(unmanagedObjects: false)
        defer { Task { await workspace.stop(verifying: false) } }
        for file in try FileManager.default.contentsOfDirectory(atPath: workspace.policies.appendingPathComponent("schedulers").path) {
            try workspace.remove("schedulers/\(file)")
        }
        try workspace.remove("bindings.yaml")
        let seed = try String(
            contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("Tests/Fixtures/seed-dumps/request_backup_scheduler_create"),
            encoding: .utf8)
        let created = try await workspace.emulator.request("POST", "backupschedulers/", body: String(seed[seed.firstIndex(of: "{")!...]))
        let uuid = try #require(created.json?["objects"]?[0]?["uuid"]?.stringValue)
        _ = try await workspace.emulator.request(
            "POST", "drives/4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11/action/?do=set_scheduler",
            body: "{\"backup_policy_uuid\": \"\(uuid)\"}")
        let asJSON = try await CLIRunner.run(
            ["import", "--target", "local", "--path", "policies", "--out", "json-import", "--json"], in: workspace.directory,
            environment: EmulatorCredentials.environment)
        #expect(asJSON.status == 0, "\(asJSON.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(asJSON.stdout.utf8)) as? [String: Any])
        #expect(
            report["format_version"] as? String == "1" && report["target"] as? String == "local"
                && report["out"] as? String == "json-import")
        let files = try #require(report["files"] as? [[String: String]])
        #expect(files.map { $0["path"] } == ["json-import/son-father-grandfather-policy.yaml"])
        #expect(files.first?["name"] == "son-father-grandfather-policy")
        #expect(files.first?["object"]?.contains(uuid) == true)
        #expect((report["skipped"] as? [String]) == [])
        let imported = try await CLIRunner.run(
            ["import", "--target", "local", "--path", "policies", "--out", "policies/imported"], in: workspace.directory,
            environment: EmulatorCredentials.environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("wrote policies/imported/son-father-grandfather-policy.yaml"))
        #expect(
            try String(
                contentsOf: workspace.directory.appendingPathComponent("json-import/son-father-grandfather-policy.yaml"), encoding: .utf8)
                == String(
                    contentsOf: workspace.policies.appendingPathComponent("imported/son-father-grandfather-policy.yaml"), encoding: .utf8))
        let plan = try await workspace.plan()
        #expect(ReconcileWorkspace.actions(plan) == ["adopt scheduler son-father-grandfather-policy"])
        #expect(plan["targets"]?[0]?["actions"]?[0]?["changes"] == [["field": "owner", "after": "tidemark/local"]])
        #expect(
            plan["targets"]?[0]?["actions"]?[0]?["wire"] == [
                ["path": "/meta/tidemark.io~1name", "after": "son-father-grandfather-policy"],
                ["path": "/meta/tidemark.io~1owner", "after": "tidemark"],
                ["path": "/meta/tidemark.io~1target", "after": "local"],
            ], "an adopt changes only the marker")
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let converged = try await workspace.run("plan", "--detailed-exitcode")
        #expect(converged.status == 0, "\(converged.stdout)")
        await workspace.stop()
    }

    @Test func aSavedPlanMadeStaleByAnOutOfBandChangeIsRefused() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        try workspace.edit("schedulers/07-weekday-3am.yaml") { $0.replacingOccurrences(of: "at: [\"03:00\"]", with: "at: [\"04:00\"]") }
        #expect(try await workspace.run("plan", "--out", "plan.json").status == 0)
        _ = try await workspace.emulator.request(
            "POST", "drives/b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93/action/?do=set_scheduler",
            body: "{\"backup_policy_uuid\": null}")
        let unchanged = try await workspace.run("apply", "plan.json")
        #expect(unchanged.status == 0, "an out-of-band no-op leaves the plan fresh: \(unchanged.stderr)")
        try workspace.edit("schedulers/07-weekday-3am.yaml") { $0.replacingOccurrences(of: "at: [\"04:00\"]", with: "at: [\"05:00\"]") }
        #expect(try await workspace.run("plan", "--out", "plan.json").status == 0)
        let list = try await workspace.emulator.request("GET", "backupschedulers/?limit=0")
        let victim = try #require(
            list.json?["objects"]?.arrayValue?.first { $0["meta"]?["tidemark.io/owner"] != nil }?["uuid"]?.stringValue,
            "a scheduler tidemark manages (the hand-made one must stay untouched)")
        _ = try await workspace.emulator.request("PUT", "backupschedulers/\(victim)/", body: "{\"is_enabled\": false}")
        workspace.emulator.requests.reset()
        let stale = try await workspace.run("apply", "plan.json")
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("error: the plan is stale: the live state of target local changed since it was made"))
        #expect(!workspace.emulator.requests.all.contains { $0.method != "GET" })
        await workspace.stop()
    }

    @Test func massDeletionNeedsItsFlag() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        for file in try FileManager.default.contentsOfDirectory(atPath: workspace.policies.appendingPathComponent("schedulers").path)
            .prefix(6)
        {
            try workspace.remove("schedulers/\(file)")
        }
        workspace.emulator.requests.reset()
        let refused = try await workspace.run("apply", "--auto-approve")
        #expect(refused.status == 1)
        #expect(
            refused.stdout.contains(
                "error: the plan deletes 6 of the 11 schedulers tidemark manages here; pass --allow-mass-delete if that is intended"))
        #expect(!workspace.emulator.requests.all.contains { $0.method != "GET" })
        // As a pull-request comment: the summary line first, the error right after it.
        let comment = try await workspace.run("plan", "--markdown")
        let lines = comment.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines.prefix(3) == [
                "### tidemark plan", "",
                "**Plan: 0 to create, 0 to update, 0 to adopt, 0 to bind, 0 to unbind, 6 to delete. 1 error: nothing can be applied.**",
            ])
        #expect(lines.dropFirst(4).first?.hasPrefix("- ❌ **error** (target `local`): the plan deletes 6 of the 11 schedulers") == true)
        #expect(try await workspace.run("apply", "--auto-approve", "--allow-mass-delete").status == 0)
        await workspace.stop()
    }

    /// The Markdown plan as a pull request shows it: summary first, long lists folded.
    @Test func theMarkdownPlanOpensWithItsSummaryAndFoldsLongLists() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        let comment = try await workspace.run("plan", "--markdown")
        #expect(comment.status == 0)
        let lines = comment.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(
            lines.prefix(3) == [
                "### tidemark plan", "", "**Plan: 11 to create, 0 to update, 0 to adopt, 3 to bind, 0 to unbind, 0 to delete.**",
            ])
        #expect(lines.contains("<details><summary>13 files read</summary>"))
        #expect(lines.contains("<details><summary>14 actions</summary>"))
        let table = try #require(lines.firstIndex(of: "| | object | changes |"))
        let opened = try #require(lines.firstIndex(of: "<details><summary>14 actions</summary>"))
        let closed = try #require(lines.lastIndex(of: "</details>"))
        #expect(opened < table && table < closed)
        #expect(lines[table..<closed].count { $0.hasPrefix("| create |") } == 11)
        await workspace.stop()
    }

    @Test func aProtectedObjectIsDeletedOnlyAfterItsProtectionIsCommittedAway() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        try workspace.edit("schedulers/09-bi-monthly.yaml") { $0 + "  protect: true\n" }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let saved = try String(contentsOf: workspace.policies.appendingPathComponent("schedulers/09-bi-monthly.yaml"), encoding: .utf8)
        try workspace.remove("schedulers/09-bi-monthly.yaml")
        let refused = try await workspace.run("apply", "--auto-approve")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("is protected; commit protect: false for it before removing it"))
        try saved.replacingOccurrences(of: "  protect: true\n", with: "").write(
            to: workspace.policies.appendingPathComponent("schedulers/09-bi-monthly.yaml"),
            atomically: true, encoding: .utf8)
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["update scheduler bi-monthly"])
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        try workspace.remove("schedulers/09-bi-monthly.yaml")
        #expect(ReconcileWorkspace.actions(try await workspace.plan()) == ["delete scheduler bi-monthly"])
        await workspace.stop()
    }

    @Test func aBrokenFileMeansNothingIsApplied() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        try "apiVersion: tidemark.io/v1\nkind: [\n".write(
            to: workspace.policies.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let result = try await workspace.run("apply", "--auto-approve")
        #expect(result.status == 1)
        #expect(result.stderr.contains("1 error in 14 files under policies; nothing was planned or applied"))
        #expect(workspace.emulator.requests.all.isEmpty)
        await workspace.stop()
    }
}
