import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// Requirement documents checked by plan, apply and run against the planned state of all four APIs on the emulator:
/// a compliant set, each rule broken once, an unprotected object, objects protected by a scheduler tidemark does not
/// manage, the escape flag, and a daylight saving night longer than the rpo.
@Suite("Requirements end to end")
struct RequirementEndToEndTests {
    static func scheduler(_ name: String, _ schedule: String, retention: String, drives: String, type: String = "snapshot") -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: \(name)}
        spec:
          target: zrh
          type: \(type)
          schedule: \(schedule)
          retention: \(retention)
        ---
        apiVersion: tidemark.io/v1
        kind: DriveBinding
        metadata: {name: \(name)}
        spec:
          target: zrh
          scheduler: \(name)
          drives: \(drives)

        """
    }

    static func requirement(_ name: String, _ body: String, target: String = "zrh") -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Requirement
        metadata: {name: \(name)}
        spec:
          targets: [\(target)]
        \(body.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))

        """
    }

    static func errors(_ plan: JSON) -> [String] { plan["targets"]?[0]?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    static func warnings(_ plan: JSON) -> [String] { plan["targets"]?[0]?["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    static let drives = EmulatorFixture(drives: [
        .init(uuid: "4d1b7e2a-5c3f-4a8e-9b61-2f0c7d9e8a11", name: "db-1", tags: ["prod"]),
        .init(uuid: "7a2e9c40-1b6d-4f3a-8e25-c9d0b4f61a72", name: "db-2", tags: ["prod"]),
        .init(uuid: "b8f3d51e-9a27-4c6b-a0e4-5d1f2c3b7e93", name: "db-3", tags: ["prod"]),
        .init(uuid: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", name: "web-1", tags: ["web"]),
        .init(uuid: ReconcileWorkspace.unmanagedDrive, name: "web-2", tags: ["web"]),
    ])

    @Test("cloudsigma: each rule broken once refuses the plan and applies nothing; the escape flag and a fix let it through")
    func cloudSigmaRulesRefuseAndEscape() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        _ = try await ReconcileWorkspace.seedUnmanaged(emulator)
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("zrh", provider: "cloudsigma", endpoint: emulator.baseURL),
            "daily.yaml": Self.scheduler(
                "daily", "{timezone: Etc/UTC, at: [\"02:00\"]}", retention: "{period: days, quantity: 40}",
                drives: "{names: [db-1, db-2]}"),
            "weekly.yaml": Self.scheduler(
                "weekly", "{timezone: Etc/UTC, cron: \"0 3 * * 0\"}", retention: "{last: 4}", drives: "{names: [db-3]}"),
            "prod.yaml": Self.requirement("prod-rpo", "drives: {tags: [prod]}\nrpo: 24h\nretention: {minAge: 35d}\nminimumKept: 7"),
            "remote.yaml": Self.requirement("db-remote", "drives: {names: [db-1]}\ntype: backup"),
            "web.yaml": Self.requirement("web-protected", "drives: {names: [\"web-*\"]}\nprotected: true"),
        ])
        defer { workspace.delete() }

        let refused = try await workspace.run("plan", "--json")
        #expect(refused.status == 1)
        try #require(!refused.stdout.isEmpty, "\(refused.stderr)")
        let errors = Self.errors(try JSON.parse(Data(refused.stdout.utf8)))
        let located = { (file: String, line: Int) in "\(file):\(line):" }
        #expect(
            errors.contains {
                $0.contains(located("prod.yaml", 7))
                    && $0.contains("drive db-3 would be protected every 7d (longest gap from 2")
                    && $0.contains("requirement prod-rpo wants ≤ 24h")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.contains(located("prod.yaml", 8)) && $0.contains("drive db-3 would lose its snapshot of ")
                    && $0.contains(" after 28d under the retention of weekly; requirement prod-rpo wants every snapshot kept 35d")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.contains("drive db-3 would keep only 4 snapshots under the retention of weekly")
                    && $0.contains("requirement prod-rpo wants at least 7")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.contains(located("remote.yaml", 7))
                    && $0.contains("drive db-1 would be protected only by daily (snapshot); requirement db-remote wants type backup")
            }, "\(errors)")
        #expect(
            errors.contains {
                $0.contains("drive web-1 would not be protected by any scheduler; requirement web-protected wants it protected")
            },
            "\(errors)")
        #expect(!errors.contains { $0.contains("web-2") }, "web-2 is protected by the scheduler tidemark does not manage")
        #expect(!errors.contains { $0.contains("db-2") || $0.contains("drives db-1, db-2") })
        #expect(errors.allSatisfy { $0.contains("--allow-requirement-violation") })
        #expect(errors.count == 5)

        let apply = try await workspace.run("apply", "--auto-approve")
        #expect(apply.status == 1)
        let schedulers = try await emulator.request("GET", "backupschedulers/").json?["objects"]?.arrayValue ?? []
        #expect(schedulers.count == 1, "nothing applied: only the hand-made scheduler exists")

        let typo = try await workspace.run("plan", "--allow-requirement-violation", "prod-rp")
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("no Requirement named 'prod-rp'") && typo.stderr.contains("known: db-remote, prod-rpo, web-protected"))

        let allowed = try await workspace.run(
            "plan", "--json", "--allow-requirement-violation", "prod-rpo", "--allow-requirement-violation", "db-remote",
            "--allow-requirement-violation", "web-protected")
        #expect(allowed.status == 0)
        let allowedPlan = try JSON.parse(Data(allowed.stdout.utf8))
        #expect(Self.errors(allowedPlan).isEmpty)
        #expect(Self.warnings(allowedPlan).count { $0.contains("(allowed for this plan)") } == 5)

        try workspace.write(
            "weekly.yaml",
            Self.scheduler(
                "weekly", "{timezone: Etc/UTC, cron: \"0 3 * * *\"}", retention: "{period: days, quantity: 35}", drives: "{names: [db-3]}"))
        try workspace.write("remote.yaml", Self.requirement("db-remote", "drives: {names: [db-1]}\ntype: snapshot"))
        try workspace.write(
            "web.yaml",
            Self.requirement("web-protected", "drives: {names: [\"web-*\"]}\nprotected: true") + "---\n"
                + Self.scheduler("web", "{timezone: Etc/UTC, every: 6h}", retention: "{last: 3}", drives: "{names: [web-1]}"))
        let fixed = try await workspace.run("plan", "--json", "--detailed-exitcode")
        #expect(fixed.status == 2, "\(fixed.stdout)\(fixed.stderr)")
        #expect(Self.errors(try JSON.parse(Data(fixed.stdout.utf8))).isEmpty)
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)

        try workspace.remove("web.yaml")
        try workspace.write("web.yaml", Self.requirement("web-protected", "drives: {names: [\"web-*\"]}\nprotected: true"))
        let unbinding = try await workspace.run("plan", "--json")
        #expect(unbinding.status == 1)
        let unbindErrors = Self.errors(try JSON.parse(Data(unbinding.stdout.utf8)))
        #expect(unbindErrors.count == 1)
        #expect(
            unbindErrors.first?.hasSuffix(
                "web.yaml:7:3: drive web-1 would not be protected by any scheduler; requirement web-protected wants it protected; "
                    + "fix the policies, or pass --allow-requirement-violation web-protected to accept it") == true, "\(unbindErrors)")
    }

    @Test("a daily 02:30 in Europe/Zurich breaks a 24h rpo only across the night clocks fall back; 25h holds")
    func daylightSavingNightBreaksTheRpo() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: Self.drives))
        defer { Task { await emulator.stop() } }
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("zrh", provider: "cloudsigma", endpoint: emulator.baseURL),
            "nightly.yaml": Self.scheduler(
                "nightly", "{timezone: Europe/Zurich, at: [\"02:30\"]}", retention: "{period: days, quantity: 7}",
                drives: "{tags: [prod]}"),
            "rpo.yaml": Self.requirement("prod-rpo", "drives: {tags: [prod]}\nrpo: 24h"),
        ])
        defer { workspace.delete() }
        let plan = try await workspace.plan()
        let errors = Self.errors(plan)
        #expect(errors.count == 1, "\(errors)")
        let message = try #require(errors.first)
        #expect(message.contains("drives db-1, db-2, db-3 would be protected every 25h (longest gap from 20"))
        #expect(message.contains("-10-") && message.contains(" 02:30 Europe/Zurich)"), "the autumn night: \(message)")
        try workspace.write("rpo.yaml", Self.requirement("prod-rpo", "drives: {tags: [prod]}\nrpo: 25h"))
        #expect(Self.errors(try await workspace.plan()).isEmpty)
    }

    @Test("scheduled-backup, danube and freezer: resources, VM disks and clients, each rule checked on the planned state")
    func otherProviders() async throws {
        let fixture = EmulatorFixture(
            vms: [.init(hostname: "db-1.example.com", disks: 2, tags: ["prod"])],
            freezerClients: [.init(clientID: "node1", hostname: "node1"), .init(clientID: "node2", hostname: "node2")])
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(fixture: fixture))
        defer { Task { await emulator.stop() } }
        let project = ScheduledBackupAndDanubeEndToEndTests.project
        let workspace = try PolicyWorkspace([
            "targets.yaml": PolicyWorkspace.target(
                "volumes", provider: "scheduled-backup", endpoint: "\(emulator.rootURL)/scheduled-backup/v2/\(project)/")
                + "---\n" + PolicyWorkspace.target("vms", provider: "danube", endpoint: "\(emulator.rootURL)/danube/api/")
                + "---\n" + PolicyWorkspace.target("freezer", provider: "freezer", endpoint: "\(emulator.rootURL)/freezer/v2/testproject/"),
            "volumes.yaml": ScheduledBackupAndDanubeEndToEndTests.plan("nightly", retention: "{last: 3}"),
            "vms.yaml": ScheduledBackupAndDanubeEndToEndTests.danube("daily", drives: "{names: [db-1.example.com]}"),
            "freezer.yaml": FreezerEndToEndTests.scheduler("etc", every: "24h"),
            "requirements.yaml": Self.requirement("volumes-kept", "drives: {names: [\"*-vol\"]}\nminimumKept: 7", target: "volumes")
                + "---\n" + Self.requirement("vm-disks", "drives: {all: true}\nprotected: true", target: "vms")
                + "---\n" + Self.requirement("clients", "drives: {all: true}\nrpo: 12h", target: "freezer"),
        ])
        defer { workspace.delete() }
        let plan = try await workspace.plan()
        let byTarget = Dictionary(
            (plan["targets"]?.arrayValue ?? []).map {
                ($0["name"]?.stringValue ?? "", $0["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            },
            uniquingKeysWith: { $1 })
        #expect(byTarget["volumes"]?.count == 1)
        #expect(
            byTarget["volumes"]?.first?.contains(
                "resource nightly-vol would keep only 3 snapshots under the retention of nightly") == true, "\(byTarget)")
        #expect(byTarget["vms"]?.count == 1)
        #expect(
            byTarget["vms"]?.first?.contains(
                "VM disk db-1.example.com/2 would not be protected by any scheduler; requirement vm-disks wants it protected") == true,
            "\(byTarget)")
        #expect(byTarget["freezer"]?.count == 2)
        #expect(
            byTarget["freezer"]?.contains { $0.contains("client node1 would be protected every 24h (longest gap from ") } == true,
            "\(byTarget)")
        #expect(
            byTarget["freezer"]?.contains { $0.contains("client node2 would not be protected by any scheduler") } == true, "\(byTarget)")

        try workspace.write("volumes.yaml", ScheduledBackupAndDanubeEndToEndTests.plan("nightly", retention: "{last: 7}"))
        try workspace.write("vms.yaml", ScheduledBackupAndDanubeEndToEndTests.danube("daily", drives: "{names: [\"db-1.example.com*\"]}"))
        try workspace.write(
            "freezer.yaml",
            FreezerEndToEndTests.scheduler("etc", every: "12h") + "---\n" + FreezerEndToEndTests.scheduler("etc2", client: "node2"))
        #expect(try await workspace.run("apply", "--auto-approve").status == 0)
        let converged = try await workspace.run("plan", "--detailed-exitcode")
        #expect(converged.status == 0, "\(converged.stdout)\(converged.stderr)")
    }
}
