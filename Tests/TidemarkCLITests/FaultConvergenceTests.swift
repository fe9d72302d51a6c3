import Foundation
import Testing
import TidemarkEmulator
import TidemarkJSON

/// apply under injected faults: repeated applies converge, nothing is duplicated, unmanaged objects are untouched.
@Suite("apply converges under injected faults", .serialized)
struct FaultConvergenceTests {
    @Test func thirtyPercentFaultsConvergeWithoutDuplicates() async throws {
        let workspace = try await ReconcileWorkspace.start()
        defer { Task { await workspace.stop(verifying: false) } }
        var generated = ""
        for index in 0..<150 {
            generated += """
                ---
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: generated-\(index)}
                spec:
                  target: local
                  schedule: {timezone: Etc/UTC, at: ["\(String(format: "%02d", index % 24)):\(String(format: "%02d", index % 60))"]}
                  retention: {period: days, quantity: 7}

                """
        }
        try generated.write(to: workspace.policies.appendingPathComponent("generated.yaml"), atomically: true, encoding: .utf8)
        let foreign = try await workspace.emulator.request("POST", "backupschedulers/", body: """
            {"name": "Someone else's", "type": "snapshot", "is_enabled": true, "is_default": false, "manual_incremental_backup": "",
             "incremental_backup": {"hour": "5", "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*"}, "user_timezone": "Etc/UTC"}
            """)
        let foreignUUID = try #require(foreign.json?["objects"]?[0]?["uuid"]?.stringValue)
        let before = try await workspace.emulator.request("GET", "backupschedulers/\(foreignUUID)/").json?.description

        workspace.emulator.emulator.faults.plan = FaultPlan(rate: 0.3, seed: 42)
        var rounds = 0, converged = false
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
}
