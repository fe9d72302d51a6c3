import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON
import TidemarkPolicy
import TidemarkSchedule

/// Retention explained: a plan that changes a retention lists the existing snapshots it deletes (retroactive) with the
/// rule that kept each before, and `preview --live` shows which rule keeps each live snapshot and when it goes; both
/// checked against the retention engine run by the test on the emulator's snapshots.
@Suite("Retention explained")
struct RetentionExplanationTests {
    static let db1 = "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11"
    static let db2 = "7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72"

    static func daily(_ retention: String, drives: String = "{names: [db-1, db-2]}") -> String {
        RequirementEndToEndTests.scheduler("daily", "{timezone: Etc/UTC, at: [\"02:00\"]}", retention: retention, drives: drives)
    }

    /// The emulator's snapshots of a drive, as the retention engine takes them.
    static func snapshots(_ emulator: RunningEmulator, drive: String) async throws -> [Snapshot] {
        let all = try await emulator.request("GET", "snapshots/detail/?limit=0").json?["objects"]?.arrayValue ?? []
        return all.filter { $0["drive"]?["uuid"]?.stringValue == drive || $0["drive"]?.stringValue == drive }.compactMap { snapshot in
            guard let id = snapshot["uuid"]?.stringValue, let stamp = snapshot["timestamp"]?.stringValue,
                let taken = try? Date(stamp, strategy: .iso8601)
            else { return nil }
            return Snapshot(id: id, takenAt: taken)
        }
    }

    @Test("a retention change lists the snapshots it deletes, with the rule that kept each; preview --live agrees")
    func retroactiveRetentionChange() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: RequirementEndToEndTests.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("zrh", provider: "cloudsigma", endpoint: emulator.baseURL),
            "daily.yaml": Self.daily("{period: days, quantity: 30}"),
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.date(bySettingHour: 2, minute: 0, second: 0, of: Date())!
        for (drive, days) in [(Self.db1, 1...40), (Self.db2, 1...3)] {
            for day in days {
                let taken = today.addingTimeInterval(-Double(day) * 86_400).formatted(.iso8601).replacingOccurrences(
                    of: "Z", with: "+00:00")
                let created = try await emulator.request(
                    "POST", "snapshots/",
                    body: "{\"objects\": [{\"drive\": \"\(drive)\", \"name\": \"d\(day)\", \"timestamp\": \"\(taken)\"}]}")
                #expect(created.status == 201)
            }
        }
        let old: [RetentionRule] = [.age(period: .days, quantity: 30)]
        let new: [RetentionRule] = [.age(period: .days, quantity: 7), .anchored(period: .weeks, quantity: 2, timeOption: 0)]
        try workspace.write("daily.yaml", Self.daily("{rules: [{period: days, quantity: 7}, {period: weeks, quantity: 2, timeOption: 0}]}"))

        let planned = try await workspace.run("plan", "--json")
        #expect(planned.status == 0, "\(planned.stderr)\(planned.stdout.suffix(1500))")
        let plan = try JSON.parse(Data(planned.stdout.utf8))
        let now = try #require(plan["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        let zone = try #require(ZoneRules(identifier: "Etc/UTC"))
        var expected: [String: [String]] = [:]
        var notKeptByNew: [String: [String]] = [:]
        for drive in [Self.db1, Self.db2] {
            let items = try await Self.snapshots(emulator, drive: drive)
            let before = RetentionEngine(policy: RetentionPolicySpec(rules: old), zone: zone).evaluate(items, now: now)
            let after = RetentionEngine(policy: RetentionPolicySpec(rules: new), zone: zone).evaluate(items, now: now)
            expected[drive] = zip(before, after).filter { $0.keep && !$1.keep }.map(\.0.snapshot.id).sorted()
            notKeptByNew[drive] = after.filter { !$0.keep }.map(\.snapshot.id).sorted()
        }
        #expect(expected[Self.db1]?.isEmpty == false && expected[Self.db2] == [])
        let update = try #require(plan["targets"]?[0]?["actions"]?.arrayValue?.first { $0["kind"] == "update" })
        let listed = update["retroactive_deletions"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["id"]?.stringValue }.sorted() == expected[Self.db1])
        #expect(listed.allSatisfy { $0["drive"] == "db-1" && $0["kept_before"] == ["rule 1 {period: days, quantity: 30}"] })
        #expect(
            listed.first?["reason"] == "kept before by rule 1 {period: days, quantity: 30}; no rule of the new retention keeps it")
        #expect(plan["summary"]?["retroactive_deletions"]?.intValue == expected[Self.db1]?.count)
        let count = expected[Self.db1]?.count ?? 0
        #expect(
            update["impact"]?.arrayValue?.contains {
                $0.stringValue == "retroactive: \(count) existing snapshots of drive db-1 would be deleted under the new retention"
            } == true, "\(update)")
        let text = try await workspace.run("plan")
        #expect(text.stdout.contains("Retroactive: \(count) existing snapshots deleted."))
        #expect(text.stdout.contains("- snapshot \(expected[Self.db1]![0]) of db-1, taken "))

        let preview = try await workspace.run("preview", "daily", "--live", "--json")
        #expect(preview.status == 0, "\(preview.stderr)")
        let report = try JSON.parse(Data(preview.stdout.utf8))
        let objects = report["objects"]?.arrayValue ?? []
        #expect(objects.compactMap { $0["name"]?.stringValue }.sorted() == ["db-1", "db-2"])
        let db1 = try #require(objects.first { $0["name"] == "db-1" }?["snapshots"]?.arrayValue)
        #expect(db1.count == 40)
        let notKept = db1.filter { $0["kept_by"]?.arrayValue?.isEmpty == true }.compactMap { $0["id"]?.stringValue }.sorted()
        #expect(notKept == notKeptByNew[Self.db1])
        let onlyAge = db1.filter { $0["kept_by"] == ["rule 1 {period: days, quantity: 7}"] }
        let oldestOnlyAge = try #require(onlyAge.min { ($0["taken_at"]?.stringValue ?? "") < ($1["taken_at"]?.stringValue ?? "") })
        let taken = try #require(oldestOnlyAge["taken_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        #expect(
            oldestOnlyAge["deleted_at"]?.stringValue == taken.addingTimeInterval(7 * 86_400).formatted(Date.ISO8601FormatStyle()),
            "kept only by {period: days, quantity: 7}, it goes at the slot 7 days after it was taken")
        #expect(report["next_deletion"]?["object"] == "db-1")
        let human = try await workspace.run("preview", "daily", "--live")
        #expect(human.stdout.contains("drive db-1 (\(Self.db1)): 40 snapshots"))
        #expect(human.stdout.contains("kept by rule 1 {period: days, quantity: 7}; deleted after the slot of"))
        #expect(human.stdout.contains("not kept; deleted at the next retention pass"))
    }

    @Test("unbinding a drive says its snapshots are no longer pruned")
    func unbindingLeavesSnapshotsUnpruned() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: RequirementEndToEndTests.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("zrh", provider: "cloudsigma", endpoint: emulator.baseURL),
            "daily.yaml": Self.daily("{period: days, quantity: 30}"),
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        for day in 1...3 {
            _ = try await emulator.request(
                "POST", "snapshots/", body: "{\"objects\": [{\"drive\": \"\(Self.db2)\", \"name\": \"d\(day)\"}]}")
        }
        try workspace.write("daily.yaml", Self.daily("{period: days, quantity: 30}", drives: "{names: [db-1]}"))
        let plan = try await workspace.plan()
        let unbind = try #require(plan["targets"]?[0]?["actions"]?.arrayValue?.first { $0["kind"] == "unbind" })
        #expect(
            unbind["impact"] == [
                "drive db-2 is left without a backup scheduler",
                "its 3 existing snapshots are no longer pruned by any retention; they stay until deleted by hand",
            ])
    }

    @Test("freezer: a shorter remove_older_than lists the job's backups it deletes, as the retention engine says")
    func retroactiveOnAJobOfAnotherAPI() async throws {
        let fixture = EmulatorFixture(freezerClients: [.init(clientID: "node1", hostname: "node1")])
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("freezer", provider: "freezer", endpoint: "\(emulator.rootURL)/freezer/v2/testproject/"),
            "etc.yaml": FreezerEndToEndTests.scheduler("etc"),
        ])
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let jobs = try await emulator.request("GET", "/freezer/v2/testproject/jobs?limit=100").json?["jobs"]?.arrayValue ?? []
        let jobID = try #require(jobs.first?["job_id"]?.stringValue)
        let now = Int(Date().timeIntervalSince1970)
        for age in 1...6 {
            let created = try await emulator.request(
                "POST", "/freezer/v2/testproject/backups",
                body: "{\"backup_name\": \"b\", \"job_id\": \"\(jobID)\", \"time_stamp\": \(now - age * 86_400 - 600)}")
            #expect(created.status == 201)
        }
        try workspace.write(
            "etc.yaml",
            FreezerEndToEndTests.scheduler("etc").replacingOccurrences(
                of: "retention: {period: days, quantity: 7}", with: "retention: {period: days, quantity: 3}"))
        let plan = try await workspace.plan()
        let planned = try #require(plan["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        let backups = try await emulator.request("GET", "/freezer/v2/testproject/backups?limit=100").json?["backups"]?.arrayValue ?? []
        let items = backups.compactMap { backup -> Snapshot? in
            let metadata = backup["backup_metadata"] ?? backup
            guard let id = backup["backup_id"]?.stringValue, let stamp = metadata["time_stamp"]?.intValue else { return nil }
            return Snapshot(id: id, takenAt: Date(timeIntervalSince1970: TimeInterval(stamp)))
        }
        let zone = try #require(ZoneRules(identifier: "UTC"))
        let before = RetentionEngine(policy: RetentionPolicySpec(rules: [.age(period: .days, quantity: 7)]), zone: zone)
            .evaluate(items, now: planned)
        let after = RetentionEngine(policy: RetentionPolicySpec(rules: [.age(period: .days, quantity: 3)]), zone: zone)
            .evaluate(items, now: planned)
        let expected = zip(before, after).filter { $0.keep && !$1.keep }.map(\.0.snapshot.id).sorted()
        #expect(expected.count == 4, "the backups 3 to 6 days (and 10 minutes) old")
        let update = try #require(plan["targets"]?[0]?["actions"]?.arrayValue?.first { $0["kind"] == "update" })
        #expect(update["retroactive_deletions"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.sorted() == expected)
        #expect(
            update["impact"]?.arrayValue?.contains {
                $0.stringValue == "retroactive: 4 existing snapshots of job etc would be deleted under the new retention"
            } == true, "\(update)")
    }
}
