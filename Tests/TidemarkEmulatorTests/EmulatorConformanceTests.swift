import Foundation
import Testing
import TidemarkEmulator
import TidemarkJSON

@Suite("Emulator conformance with the seed API")
struct EmulatorConformanceTests {
    static let ids: Set<String> = ["uuid", "resource_uri"]

    func withEmulator(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(seedDrives: 3),
        _ body: (EmulatorClient) async throws -> Void
    ) async throws {
        let emulator = try await RunningEmulator.start(configuration)
        defer { Task { await emulator.stop() } }
        try await body(EmulatorClient(emulator: emulator))
        await emulator.stop()
    }

    @Test func replaysTheSeedsCreateUpdateAndSetSchedulerExamples() async throws {
        try await withEmulator { client in
            let created = try await client.call(
                "POST", "backupschedulers/", body: try EmulatorClient.dump("request_backup_scheduler_create"))
            #expect(created.status == 201)
            #expect(created.contentType == "application/json; charset=utf-8")
            let seedCreated = try JSON.parse(Data(try EmulatorClient.dump("response_backup_scheduler_create").utf8))
            let object = try #require(created.json?["objects"]?.arrayValue?.first)
            #expect(object.removing(Self.ids) == seedCreated["objects"]!.arrayValue![0].removing(Self.ids))
            let uuid = try #require(object["uuid"]?.stringValue)
            #expect(object["resource_uri"]?.stringValue == "/api/2.0/backupschedulers/\(uuid)/")

            // GET and PUT return time_option as a separate list element, as the seed's responses show.
            let fetched = try await client.call("GET", "backupschedulers/\(uuid)/")
            let seedUpdated = try JSON.parse(Data(try EmulatorClient.dump("response_backup_scheduler_backup_update").utf8))
            #expect(fetched.json?["retention_policy"] == seedUpdated["retention_policy"])
            let update = try EmulatorClient.dump("request_backup_scheduler_backup_update")
            let updated = try await client.call("PUT", "backupschedulers/\(uuid)/", body: update)
            #expect(updated.status == 200)
            #expect(updated.json?.removing(Self.ids) == seedUpdated.removing(Self.ids))

            let drive = "00000000-0000-4000-8000-000000000000"
            let bound = try await client.call(
                "POST", "drives/\(drive)/action/?do=set_scheduler", body: "{\"backup_policy_uuid\": \"\(uuid)\"}")
            #expect(bound.status == 202)
            let seedDrive = try JSON.parse(Data(try EmulatorClient.dump("response_backup_scheduler_set_drive").utf8))
            #expect(Set(bound.json?.objectValue?.keys ?? [:].keys) == Set(seedDrive.objectValue!.keys))
            #expect(
                bound.json?["backup_scheduler"] == ["resource_uri": .string("/api/2.0/backupschedulers/\(uuid)/"), "uuid": .string(uuid)])

            let inUse = try await client.call("DELETE", "backupschedulers/\(uuid)/")
            #expect(inUse.status == 409)
            _ = try await client.call("POST", "drives/\(drive)/action/?do=set_scheduler", body: "{\"backup_policy_uuid\": null}")
            let deleted = try await client.call("DELETE", "backupschedulers/\(uuid)/")
            #expect(deleted.status == 204)
            #expect(deleted.json == Optional<JSON>.none)
            #expect(try await client.call("GET", "backupschedulers/\(uuid)/").status == 404)
        }
    }

    @Test func listsHaveTheEnvelopePaginationFiltersAndFields() async throws {
        try await withEmulator(EmulatorConfiguration(seedDrives: 45)) { client in
            let firstPage = try await client.call("GET", "drives/")
            #expect(firstPage.json?["meta"] == ["limit": 20, "offset": 0, "total_count": 45])
            #expect(firstPage.json?["objects"]?.arrayValue?.count == 20)
            #expect(
                Set(firstPage.json?["objects"]?.arrayValue?.first?.objectValue?.keys.map { $0 } ?? []) == [
                    "name", "owner", "resource_uri", "status", "uuid",
                ])
            let all = try await client.call("GET", "drives/detail/?limit=0")
            #expect(all.json?["objects"]?.arrayValue?.count == 45)
            let last = try await client.call("GET", "drives/?limit=10&offset=40")
            #expect(last.json?["objects"]?.arrayValue?.count == 5)
            let named = try await client.call("GET", "drives/detail/?name__contains=drive-0004&fields=uuid,name")
            #expect(
                named.json?["objects"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" }
                    == (40...45).map { String(format: "drive-%05d", $0) })
            #expect(named.json?["objects"]?.arrayValue?.first?.objectValue?.keys.sorted() == ["name", "uuid"])

            for type in ["backup", "snapshot", "snapshot"] {
                var object = try JSON.parse(Data(try EmulatorClient.dump("request_backup_scheduler_create").utf8))
                object["type"] = .string(type)
                _ = try await client.call("POST", "backupschedulers/", body: object.description)
            }
            let snapshots = try await client.call("GET", "backupschedulers/?type=snapshot")
            #expect(snapshots.json?["meta"]?["total_count"] == 2)
            let schema = try await client.call("GET", "backupschedulers/schema/")
            #expect(schema.json?["fields"]?["type"]?["choices"] == ["migration", "backup", "dr", "snapshot"])
        }
    }

    @Test func validationErrorsUseCloudSigmasFormat() async throws {
        try await withEmulator { client in
            let invalid = try await client.call(
                "POST", "backupschedulers/",
                body: """
                    {"name": "x", "type": "weekly", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
                     "user_timezone": "Mars/Olympus", "incremental_backup": {"hour": "25", "repeat": {"hour": "*/0", "minute": ""}},
                     "retention_policy": {"name": "r", "rules": [{"period": "days", "quantity": 2, "time_option": 3}]}}
                    """)
            #expect(invalid.status == 400)
            let points = invalid.json?.arrayValue?.compactMap { $0["error_point"]?.stringValue } ?? []
            #expect(
                points == [
                    "type", "user_timezone", "incremental_backup.hour", "incremental_backup.repeat.hour",
                    "retention_policy.rules.0.time_option",
                ])
            #expect(
                invalid.json?.arrayValue?.allSatisfy { $0["error_type"] == "validation" && $0["error_message"]?.stringValue != nil } == true
            )
            let missing = try await client.call("POST", "backupschedulers/", body: "{\"objects\": [{\"name\": \"x\"}]}")
            #expect(
                missing.json?.arrayValue?.compactMap { $0["error_point"]?.stringValue }.sorted()
                    == ["incremental_backup", "is_default", "is_enabled", "manual_incremental_backup", "type"])
            #expect(try await client.call("GET", "backupschedulers/0377f6e9-e5f2-4a0a-bb4e-c28c8424eda1/").status == 404)
            // The seed's own bulk-delete example has trailing commas; the emulator accepts it as the API evidently does.
            let bulk = try await client.call("DELETE", "backupschedulers/", body: "{\"objects\": [{\"uuid\": \"nope\",},]}")
            #expect(bulk.status == 404)
        }
    }

    @Test func authenticationIsRequired() async throws {
        try await withEmulator { client in
            var stranger = client
            stranger.password = "wrong"
            let refused = try await stranger.call("GET", "drives/")
            #expect(refused.status == 401)
            #expect(refused.json?.arrayValue?.first?["error_type"] == "permission")
        }
    }

    @Test func aLocationWithoutNativeScheduling() async throws {
        try await withEmulator(EmulatorConfiguration(seedDrives: 1, backupSchedulersEnabled: false)) { client in
            #expect(try await client.call("GET", "backupschedulers/").status == 404)
            #expect(try await client.call("GET", "drives/").status == 200)
            let snapshot = try await client.call(
                "POST", "snapshots/", body: "{\"drive\": \"00000000-0000-4000-8000-000000000000\", \"name\": \"s1\"}")
            #expect(snapshot.status == 201)
            let listed = try await client.call("GET", "snapshots/detail/?drive=00000000-0000-4000-8000-000000000000")
            #expect(listed.json?["objects"]?.arrayValue?.map { $0["name"] } == ["s1"])
        }
    }
}
