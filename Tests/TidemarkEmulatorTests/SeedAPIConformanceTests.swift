import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// The emulated scheduled-backup, danube and freezer APIs against their seeds: paths, status codes, envelopes,
/// pagination and error shapes.
@Suite("seed APIs 002-004")
struct SeedAPIConformanceTests {
    static let project = "/scheduled-backup/v2/3f5e1c2a-8d4b-4c6e-9a1f-2b7d0e9c4a51"
    static let plan = """
        {"backup_mode": "full", "description": "d", "max_backups": 3, "name": "NAME", "schedule_pattern": "0 2 * * *",
         "schedule_type": "crontab", "resources": [{"id": "v1", "name": "vol1", "type": "OS::Cinder::Volume"}]}
        """

    @Test func scheduledBackupPlansPageByMarkerAndUpdateTheirStatus() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        var ids: [String] = []
        for index in 1...5 {
            let created = try await emulator.request(
                "POST", "\(Self.project)/plans", body: Self.plan.replacingOccurrences(of: "NAME", with: "p\(index)"))
            #expect(created.status == 201)
            #expect(created.json?["status"] == "started")
            #expect(
                Set(created.json?.objectValue?.keys.map { $0 } ?? []) == [
                    "backup_mode", "created_at", "description", "id", "max_backups",
                    "name", "resources", "schedule_pattern", "schedule_type", "status",
                ])
            ids.append(created.json?["id"]?.stringValue ?? "")
        }
        let first = try await emulator.request("GET", "\(Self.project)/plans?limit=2")
        #expect(first.json?["plans"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(ids.prefix(2)))
        #expect(first.json?["total"] == 5)
        let next = try await emulator.request("GET", "\(Self.project)/plans?limit=2&marker=\(ids[1])")
        #expect(next.json?["plans"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == Array(ids[2...3]))
        #expect(try await emulator.request("GET", "\(Self.project)/plans?name=p3").json?["plans"]?.arrayValue?.count == 1)
        let updated = try await emulator.request(
            "PUT", "\(Self.project)/plans/\(ids[0])", body: "{\"status\": \"suspended\", \"max_backups\": 9}")
        #expect(updated.status == 200)
        #expect(updated.json?["status"] == "suspended")
        #expect(updated.json?["max_backups"] == 9)
        #expect(try await emulator.request("DELETE", "\(Self.project)/plans/\(ids[0])").status == 204)
        let gone = try await emulator.request("GET", "\(Self.project)/plans/\(ids[0])")
        #expect(gone.status == 404)
        #expect(Set(gone.json?.objectValue?.keys.map { $0 } ?? []) == ["code", "details", "error_key", "message", "title"])
    }

    @Test func scheduledBackupRejectsInvalidPlansWith422() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let badCron = try await emulator.request(
            "POST", "\(Self.project)/plans", body: Self.plan.replacingOccurrences(of: "0 2 * * *", with: "61 2 * * *"))
        #expect(badCron.status == 422)
        #expect(badCron.json?["details"]?["schedule_pattern"] != nil)
        let missing = try await emulator.request("POST", "\(Self.project)/plans", body: "{\"name\": \"x\"}")
        #expect(missing.status == 422)
        #expect(missing.json?["details"]?["max_backups"] == "required")
        #expect(try await emulator.request("GET", "/scheduled-backup/v2/not-a-uuid/plans").status == 422)
        #expect(try await emulator.request("GET", "\(Self.project)/plans?limit=0").status == 422)
    }

    @Test func checkpointsListDeleteByChainAndRestore() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let plan = try await emulator.request(
            "POST", "\(Self.project)/plans", body: Self.plan.replacingOccurrences(of: "NAME", with: "nightly"))
        let planID = try #require(plan.json?["id"]?.stringValue)
        let project = String(Self.project.split(separator: "/").last!)
        for day in 1...4 {
            _ = await emulator.emulator.addCheckpoint(
                project: project, planID: planID, createdAt: Date(timeIntervalSince1970: Double(day) * 86400))
        }
        let listed = try await emulator.request("GET", "\(Self.project)/checkpoints?plan_name=nightly")
        #expect(listed.json?["total"] == 3, "max_backups 3 keeps the newest three")
        let checkpoint = try #require(listed.json?["checkpoints"]?[0])
        #expect(checkpoint["created_at"] == "1970-01-03T00:00:00Z")
        #expect(checkpoint["checkpoint_items"]?[0]?["resource"]?["name"] == "vol1")
        #expect(try await emulator.request("GET", "\(Self.project)/checkpoints?volume_name=other").json?["total"] == 0)
        let item = try #require(checkpoint["checkpoint_items"]?[0]?["id"]?.stringValue)
        let restore = try await emulator.request(
            "POST", "\(Self.project)/restores", body: "{\"checkpoint_item_id\": \"\(item)\", \"restore_name\": \"r\"}")
        #expect(restore.status == 201)
        #expect(restore.json?["status"] == "success")
        let deleted = try await emulator.request("DELETE", "\(Self.project)/checkpoints/\(checkpoint["id"]!.stringValue!)")
        #expect(deleted.status == 200)
        #expect(
            try await emulator.request("DELETE", "\(Self.project)/checkpoints?chain_id=\(planID)").json?["deleted"]?.arrayValue?.count == 2)
        #expect(try await emulator.request("GET", "\(Self.project)/checkpoints").json?["total"] == 0)
        #expect(try await emulator.request("DELETE", "\(Self.project)/checkpoints").status == 400)
    }

    @Test func danubeAnswersInTheSeedEnvelopeWithItsStatusCodes() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: .init(vms: [.init(hostname: "example.cust.erigones.com", disks: 2)])))
        defer { Task { await emulator.stop() } }
        let path = "/danube/api/vm/example.cust.erigones.com/define/backup/daily"
        let created = try await emulator.request(
            "POST", path, body: "{\"disk_id\": 1, \"schedule\": \"0 4 * * *\", \"retention\": 2, \"node\": \"node99.erigones.com\"}")
        #expect(created.status == 201)
        #expect(created.json?["status"] == 201)
        #expect(created.json?["method"] == "POST")
        #expect(created.json?["url"]?.stringValue?.hasSuffix(path) == true)
        #expect(created.json?["text"]?["status"] == "SUCCESS")
        #expect(
            created.json?["text"]?["result"] == [
                "node": "node99.erigones.com", "name": "daily", "schedule": "0 4 * * *",
                "hostname": "example.cust.erigones.com", "disk_id": 1, "active": true, "zpool": "zones",
                "retention": 2, "bwlimit": .null, "desc": "",
            ])
        #expect(
            try await emulator.request(
                "POST", path, body: "{\"disk_id\": 1, \"schedule\": \"0 4 * * *\", \"retention\": 2, \"node\": \"n\"}"
            ).status == 406)
        #expect(try await emulator.request("GET", "\(path)?disk_id=3").status == 412)
        #expect(try await emulator.request("GET", "/danube/api/vm/nope/define/backup").status == 404)
        let invalid = try await emulator.request("PUT", path, body: "{\"disk_id\": 1, \"schedule\": \"every day\"}")
        #expect(invalid.status == 400)
        #expect(invalid.json?["text"]?["status"] == "FAILURE")
        #expect(invalid.json?["text"]?["result"]?["schedule"] != nil)
        var names: [String] = []
        for note in ["a", "b", "c"] {
            let backup = try await emulator.request(
                "POST", "/danube/api/vm/example.cust.erigones.com/backup/daily", body: "{\"disk_id\": 1, \"note\": \"\(note)\"}")
            #expect(backup.json?["text"]?["result"]?["message"] == "Backup successfully created")
            let detail = try #require(backup.json?["text"]?["result"]?["detail"]?.stringValue)
            #expect(detail.range(of: #"^name=daily-\d{8}_\d{6}, disk_id=1$"#, options: .regularExpression) != nil)
            names.append(String(detail.dropFirst(5).prefix { $0 != "," }))
        }
        let listed = try await emulator.request("GET", "/danube/api/vm/example.cust.erigones.com/backup?full=true")
        #expect(
            listed.json?["text"]?["result"]?.arrayValue?.compactMap { $0["note"]?.stringValue } == ["c", "b"],
            "retention 2 keeps the newest two")
        #expect(
            Set(listed.json?["text"]?["result"]?[0]?.objectValue?.keys.map { $0 } ?? []) == [
                "status", "name", "created", "hostname", "disk_id", "note",
                "node", "size", "time", "define",
            ])
        #expect(try await emulator.request("DELETE", "/danube/api/vm/example.cust.erigones.com/backup/\(names[2])?disk_id=1").status == 200)
        #expect(try await emulator.request("DELETE", "/danube/api/vm/example.cust.erigones.com/backup/\(names[2])?disk_id=1").status == 404)
        #expect(try await emulator.request("DELETE", "\(path)?disk_id=1").status == 200)
        #expect(try await emulator.request("GET", "/danube/api/vm/define/backup?full=true").json?["text"]?["result"] == [])
    }

    @Test func refusalsComeInEachAPIsOwnShape() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: .init(vms: [.init(hostname: "locked.example.com", locked: true)])))
        defer { Task { await emulator.stop() } }
        let forbidden = try await emulator.request("GET", "\(Self.project)/plans", password: "wrong")
        #expect(forbidden.status == 403)
        #expect(forbidden.json?["error_key"] == "forbidden")
        #expect(Set(forbidden.json?.objectValue?.keys.map { $0 } ?? []) == ["code", "details", "error_key", "message", "title"])
        let danube = try await emulator.request("GET", "/danube/api/vm/define/backup", password: "wrong")
        #expect(danube.status == 403)
        #expect(danube.json?["text"]?["status"] == "FAILURE")
        let locked = try await emulator.request(
            "POST", "/danube/api/vm/locked.example.com/define/backup/daily",
            body: "{\"schedule\": \"0 4 * * *\", \"retention\": 2, \"node\": \"n\"}")
        #expect(locked.status == 423)
        #expect(locked.json?["text"]?["result"] == ["detail": "VM is not operational"])
        #expect(
            try await emulator.request("GET", "/danube/api/vm/locked.example.com/define/backup").status == 200, "reading a locked VM works")
        let freezer = try await emulator.request("GET", "/freezer/v2/testproject/jobs", password: "wrong")
        #expect(freezer.status == 401)
        #expect(freezer.json?["title"] == "Unauthorized")
    }

    @Test(arguments: FreezerServer.Kind.allCases)
    func freezerAnswersAsTheRealServer(_ kind: FreezerServer.Kind) async throws {
        let server = try await FreezerServer.start(kind)
        defer { Task { await server.stop() } }
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, json: JSON?) {
            let answer = try await server.call(method, path, body: body)
            return (answer.status, answer.body.isEmpty ? nil : try JSON.parse(answer.body))
        }
        try await server.registerClient("node1")
        let job = { (client: String, interval: String) in
            "{\"client_id\": \"\(client)\", \"description\": \"d\", "
                + "\"job_schedule\": {\"schedule_interval\": \"\(interval)\"}, \"job_actions\": []}"
        }
        let noClient = try await call("POST", "jobs", job("nope", "1 days"))
        #expect(noClient.status == 422)
        #expect(noClient.json == ["title": "Unprocessable Entity", "description": "Client not found with ID nope"])
        let badInterval = try await call("POST", "jobs", job("node1", "1 day"))
        #expect(badInterval.status == 400)
        #expect(badInterval.json?["title"] == "Bad request format")
        let unknownKey = try await call(
            "POST", "jobs", "{\"client_id\": \"node1\", \"job_schedule\": {\"cron\": \"x\"}, \"job_actions\": []}")
        #expect(
            unknownKey.json == [
                "title": "Bad request format", "description": "Additional properties are not allowed ('cron' was unexpected)",
            ])
        #expect(try await call("POST", "jobs", "{").status == 753)
        var ids: [String] = []
        for _ in 1...12 {
            let created = try await call("POST", "jobs", job("node1", "2 hours"))
            #expect(created.status == 201)
            ids.append(try #require(created.json?["job_id"]?.stringValue))
        }
        let all = try await call("GET", "jobs?limit=100").json?["jobs"]?.arrayValue?.compactMap { $0["job_id"]?.stringValue } ?? []
        #expect(Set(all) == Set(ids))
        #expect(try await call("GET", "jobs").json?["jobs"]?.arrayValue?.count == 10, "no limit means 10")
        #expect(try await call("GET", "jobs?limit=0").json?["jobs"]?.arrayValue?.count == 10)
        let page = try await call("GET", "jobs?limit=5&offset=10")
        #expect(page.json?.objectValue?.keys.sorted() == ["jobs"], "a bare list, no total")
        #expect(page.json?["jobs"]?.arrayValue?.compactMap { $0["job_id"]?.stringValue } == Array(all[10...]))
        let stored = try await call("GET", "jobs/\(ids[0])").json
        #expect(stored?["job_schedule"]?["time_started"] == -1)
        #expect(stored?["session_id"] == "")
        let patched = try await call("PATCH", "jobs/\(ids[0])", "{\"job_schedule\": {\"schedule_interval\": \"12 hours\"}}")
        #expect(patched.json == ["job_id": .string(ids[0]), "version": 0])
        #expect(
            try await call("GET", "jobs/\(ids[0])").json?["job_schedule"] == ["schedule_interval": "12 hours"],
            "PATCH replaces job_schedule wholesale")
        let event = try await call("POST", "jobs/\(ids[0])/event", "{\"start\": null}")
        #expect(event.status == 202)
        #expect(
            try await call("GET", "jobs/\(ids[0])").json?["job_schedule"] == [
                "schedule_interval": "12 hours", "event": "start", "status": "", "result": "",
            ])
        #expect(try await call("PUT", "jobs/\(ids[0])", "{}").status == 405)
        #expect(try await call("DELETE", "jobs/unknown").status == 204)
        #expect(try await call("GET", "jobs/unknown").status == 404)
        let backup = try await call(
            "POST", "backups",
            "{\"backup_name\": \"b\", \"container\": \"/c\", \"hostname\": \"node1\", "
                + "\"job_id\": \"\(ids[1])\", \"level\": 0, \"time_stamp\": 1795574515}"
        )
        #expect(backup.status == 201)
        let backupID = try #require(backup.json?["backup_id"]?.stringValue)
        let listed = try await call("GET", "backups?limit=10").json?["backups"]?[0]
        #expect(listed?["backup_id"]?.stringValue == backupID)
        #expect(listed?["status"] == "available")
        #expect(listed?["backup_metadata"]?["job_id"]?.stringValue == ids[1])
        #expect(listed?["backup_metadata"]?["time_stamp"] == 1_795_574_515)
        #expect(try await call("DELETE", "backups/\(backupID)").status == 204)
        #expect(try await call("GET", "backups/\(backupID)").status == 404)
    }
}
