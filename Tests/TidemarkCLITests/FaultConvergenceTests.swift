import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// apply under injected faults: repeated applies converge, nothing is duplicated, unmanaged objects are untouched.
@Suite("apply converges under injected faults", .serialized)
struct FaultConvergenceTests {
    @Test func thirtyPercentFaultsConvergeWithoutDuplicates() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        let generated = GeneratedPolicies.schedulers(150)
        try generated.write(to: workspace.policies.appendingPathComponent("generated.yaml"), atomically: true, encoding: .utf8)
        let foreign = try await workspace.emulator.request(
            "POST", "backupschedulers/",
            body: """
                {"name": "Someone else's", "type": "snapshot", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
                 "incremental_backup": {"hour": "5", "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*"},\
                 "user_timezone": "Etc/UTC"}
                """)
        let foreignUUID = try #require(foreign.json?["objects"]?[0]?["uuid"]?.stringValue)
        let before = try await workspace.emulator.request("GET", "backupschedulers/\(foreignUUID)/").json?.description

        workspace.emulator.emulator.faults.plan = FaultPlan(rate: 0.3, seed: 42)
        var rounds = 0
        var converged = false
        while rounds < 12, !converged {
            rounds += 1
            converged = try await workspace.run("apply", "--auto-approve").status == 0
        }
        let injected = workspace.emulator.emulator.faults.injected
        workspace.emulator.emulator.faults.plan = FaultPlan(rate: 0)
        #expect(converged, "apply did not converge in \(rounds) rounds")
        #expect(injected > 50, "faults were injected: \(injected)")

        let plan = try await workspace.run("plan", "--detailed-exitcode")
        #expect(plan.status == 0, "\(plan.stdout)")
        let schedulers = try await workspace.emulator.request("GET", "backupschedulers/detail/?limit=0").json?["objects"]?.arrayValue ?? []
        let managedNames = schedulers.compactMap { $0["meta"]?["tidemark.io/name"]?.stringValue }
        #expect(managedNames.count == 161, "11 seed and 150 generated schedulers")
        #expect(Set(managedNames).count == managedNames.count, "no scheduler was created twice")
        #expect(try await workspace.emulator.request("GET", "backupschedulers/\(foreignUUID)/").json?.description == before)
        await workspace.stop()
    }

    /// Every kind of fault at once — 5xx before and after acting, 429s, requests never answered, bodies cut off —
    /// on 30% of requests, with a 1 s request timeout: repeated applies converge with every request bounded, the retry
    /// budget honoured, nothing created twice and nothing unmanaged touched. (docs/RELIABILITY.md has the 1,000 +
    /// 5,000 run of `tidemark-bench faults`.)
    @Test func everyFaultKindAtScaleConvergesWithinTheRetryBudget() async throws {
        let schedulers = 150
        let drives = schedulers * 5
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: drives + 1))
        defer { Task { await emulator.stop() } }
        let foreign = try await emulator.request(
            "POST", "backupschedulers/",
            body: """
                {"name": "Someone else's", "type": "snapshot", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
                 "incremental_backup": {"hour": "5", "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*"},\
                 "user_timezone": "Etc/UTC"}
                """)
        let foreignUUID = try #require(foreign.json?["objects"]?[0]?["uuid"]?.stringValue)
        let foreignDrive = EmulatorFixtureUUID.drive(drives)
        _ = try await emulator.request(
            "POST", "drives/\(foreignDrive)/action/?do=set_scheduler", body: "{\"backup_policy_uuid\": \"\(foreignUUID)\"}")
        let before = [
            try await emulator.request("GET", "backupschedulers/\(foreignUUID)/").json,
            try await emulator.request("GET", "drives/\(foreignDrive)/").json,
        ]
        let workspace = try PolicyWorkspace([
            "target.yaml": PolicyWorkspace.target("local", provider: "cloudsigma", endpoint: emulator.baseURL),
            "generated.yaml": GeneratedPolicies.schedulers(schedulers, drivesEach: 5),
        ])
        defer { workspace.delete() }

        emulator.emulator.faults.plan = FaultPlan(rate: 0.3, seed: 7, connectionFaults: true, hangSeconds: 3)
        emulator.requests.reset()
        let started = ContinuousClock.now
        var rounds = 0
        var converged = false
        var retries = 0
        while rounds < 20, !converged {
            rounds += 1
            let run = try await workspace.run("apply", "--auto-approve", "--request-timeout", "1s")
            converged = run.status == 0
            for line in run.stdout.split(separator: "\n") where line.hasPrefix("HTTP: ") {
                let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                #expect(numbers[1] <= numbers[2] + numbers[3] * numbers[0], "retries within the budget: \(line)")
                retries += numbers[1]
            }
        }
        let elapsed = ContinuousClock.now - started
        let injected = emulator.emulator.faults.injected
        let served = emulator.requests.all.count
        emulator.emulator.faults.plan = FaultPlan(rate: 0)
        #expect(converged, "apply did not converge in \(rounds) rounds")
        #expect(injected > 100)
        #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0)
        let live = try await emulator.request("GET", "backupschedulers/detail/?limit=0").json?["objects"]?.arrayValue ?? []
        let managed = live.filter { $0["meta"]?["tidemark.io/name"] != nil }
        #expect(managed.count == schedulers)
        #expect(
            Set(managed.compactMap { $0["meta"]?["tidemark.io/name"]?.stringValue }).count == schedulers, "no scheduler was created twice")
        let names = Dictionary(
            uniqueKeysWithValues: managed.compactMap { object in
                object["uuid"]?.stringValue.map { ($0, object["meta"]?["tidemark.io/name"]?.stringValue ?? "") }
            })
        let bound = try await emulator.request("GET", "drives/detail/?limit=0").json?["objects"]?.arrayValue ?? []
        for drive in bound {
            guard let name = drive["name"]?.stringValue, let number = Int(name.dropFirst("drive-".count)), number <= drives else {
                continue
            }
            #expect(names[drive["backup_scheduler"]?["uuid"]?.stringValue ?? ""] == "generated-\((number - 1) / 5)", "\(name)")
        }
        #expect(
            [
                try await emulator.request("GET", "backupschedulers/\(foreignUUID)/").json,
                try await emulator.request("GET", "drives/\(foreignDrive)/").json,
            ] == before)
        print(
            "faults: \(schedulers) schedulers + \(drives) bindings, "
                + "30% faults incl. hangs and cut-off bodies: converged in \(rounds) applies, "
                + "\(served) requests served, \(injected) faults injected, \(retries) retries, \(elapsed)")
    }
}

/// The uuids `EmulatorConfiguration.seedDrives` gives its drives.
enum EmulatorFixtureUUID {
    static func drive(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}
