import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// Two Target documents on one API (two teams sharing an account): neither plans changes to the other's objects.
@Suite("two Targets on one API never fight")
struct TwoTargetsTests {
    static let drives = EmulatorFixture(drives: [
        .init(uuid: "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", name: "db-main"),
        .init(uuid: "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93", name: "web-1"),
    ])

    static func target(_ name: String, endpoint: String) -> String {
        PolicyWorkspace.target(name, provider: "cloudsigma", endpoint: endpoint)
    }

    static func team(_ team: String, at time: String, drive: String) -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: \(team)-nightly}
        spec:
          target: team-\(team)
          schedule: {timezone: Etc/UTC, at: ["\(time)"]}
          retention: {rules: [{period: days, quantity: 7}]}
        ---
        apiVersion: tidemark.io/v1
        kind: DriveBinding
        metadata: {name: \(team)-drives}
        spec: {target: team-\(team), scheduler: \(team)-nightly, drives: {names: ["\(drive)"]}}

        """
    }

    static func workspace(_ emulator: RunningEmulator, bDrive: String = "web-1") throws -> PolicyWorkspace {
        try PolicyWorkspace([
            "targets.yaml": target("team-a", endpoint: emulator.baseURL) + "---\n" + target("team-b", endpoint: emulator.baseURL),
            "a.yaml": team("a", at: "01:00", drive: "db-main"), "b.yaml": team("b", at: "02:00", drive: bDrive),
        ])
    }

    @Test(arguments: [["team-a", "team-b"], ["team-b", "team-a"]])
    func eachTargetKeepsToItsOwnObjects(_ order: [String]) async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try Self.workspace(emulator)
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--target", order[0], "--auto-approve").status == 0)
        let second = try JSON.parse(Data(try await workspace.run("plan", "--target", order[1], "--json").stdout.utf8))
        #expect(
            ReconcileWorkspace.actions(second).allSatisfy { $0.hasPrefix("create ") || $0.hasPrefix("bind ") },
            "\(order[1]) plans nothing against \(order[0])'s objects: \(ReconcileWorkspace.actions(second))")
        #expect(try await workspace.run("apply", "--target", order[1], "--auto-approve").status == 0)
        for target in order {
            #expect(try await workspace.run("plan", "--target", target, "--detailed-exitcode").status == 0, "\(target) plans zero changes")
        }
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let objects = try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? []
        #expect(Set(objects.compactMap { $0["meta"]?["tidemark.io/target"]?.stringValue }) == ["team-a", "team-b"])
    }

    @Test func markersWithoutATargetAreUpgradedInPlace() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try Self.workspace(emulator)
        defer { workspace.delete() }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        // Markers as tidemark wrote them before they named a Target.
        for object in try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? [] {
            let uuid = try #require(object["uuid"]?.stringValue)
            let body = object.setting(JSONPointer(["meta", "tidemark.io/target"]), to: nil)
            #expect(try await emulator.request("PUT", "backupschedulers/\(uuid)/", body: body.description).status == 200)
        }
        let before = try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? []
        let plan = try await workspace.plan()
        #expect(ReconcileWorkspace.actions(plan).sorted() == ["update scheduler a-nightly", "update scheduler b-nightly"])
        for action in (plan["targets"]?.arrayValue ?? []).flatMap({ $0["actions"]?.arrayValue ?? [] }) {
            #expect(action["wire"]?.arrayValue?.count == 1)
            #expect(action["wire"]?[0]?["path"] == "/meta/tidemark.io~1target", "only the marker is upgraded")
            #expect(
                action["changes"] == [
                    [
                        "field": "owner", "before": "tidemark",
                        "after": .string("tidemark/\(action["name"]?.stringValue == "a-nightly" ? "team-a" : "team-b")"),
                    ]
                ])
        }
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let after = try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? []
        #expect(
            Set(after.compactMap { $0["uuid"]?.stringValue }) == Set(before.compactMap { $0["uuid"]?.stringValue }),
            "upgraded, never re-created")
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
    }

    @Test func aDriveSelectedByBothTargetsIsALocatedError() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try Self.workspace(emulator, bDrive: "db-*")
        defer { workspace.delete() }
        let refused = try await workspace.run("plan")
        #expect(refused.status == 1)
        #expect(
            refused.stdout.contains(
                "error: policies/a.yaml:11:18: drive binding a-drives of target team-a and drive binding b-drives of target team-b "
                    + "(policies/b.yaml:11:18) both select drive db-main (4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11) on the same API"),
            "\(refused.stdout)")
        #expect(try await workspace.run("apply", "--auto-approve").status == 1)
        #expect(!emulator.requests.all.contains { $0.method != "GET" }, "nothing is applied")
    }

    @Test func twoBindingsOfOneTargetOnOneDriveAreALocatedError() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "targets.yaml": Self.target("team-a", endpoint: emulator.baseURL),
            "a.yaml": Self.team("a", at: "01:00", drive: "db-main"),
            "c.yaml": Self.team("a", at: "03:00", drive: "db-*").replacingOccurrences(of: "a-", with: "c-"),
        ])
        defer { workspace.delete() }
        let refused = try await workspace.run("plan")
        #expect(refused.status == 1)
        #expect(
            refused.stdout.contains(
                "error: policies/c.yaml:11:18: drive binding c-drives selects drive db-main (4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11) "
                    + "for scheduler c-nightly, but drive binding a-drives (policies/a.yaml:11:18) selects it for scheduler a-nightly"),
            "\(refused.stdout)")
    }

    @Test func tidemarkRunKeepsBothTargetsConverged() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try Self.workspace(emulator)
        defer { workspace.delete() }
        let run = try RunCommandTests.RunningController(
            arguments: [
                "--path", "policies", "--interval", "1s", "--drift-interval", "1s",
                "--state", "sqlite:state.sqlite",
            ], in: workspace.directory)
        #expect(try await run.waitUntil { try await run.get("readyz").status == 200 })
        let first = try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? []
        try await Task.sleep(for: .seconds(4))
        #expect(try await run.terminate() == 0)
        let later = try await emulator.request("GET", "backupschedulers/detail/").json?["objects"]?.arrayValue ?? []
        #expect(first.count == 2 && later == first, "several drift cycles of both targets change nothing")
        #expect(!emulator.requests.all.contains { $0.method == "DELETE" })
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
    }
}
