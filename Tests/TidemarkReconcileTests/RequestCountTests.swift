import Foundation
import Logging
import Testing
import TidemarkEmulator
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// Reading live state uses the list endpoints with limit=0: one request per resource, never one per object.
@Suite("Request counting at scale")
struct RequestCountTests {
    static func schedulers(_ count: Int) -> [JSON] {
        (0..<count).map { index in
            [
                "name": .string("scheduler \(index)"), "type": "snapshot", "is_enabled": true, "is_default": false,
                "manual_incremental_backup": "", "user_timezone": "Etc/UTC",
                "incremental_backup": [
                    "hour": .string(String(index % 24)), "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*",
                ],
                "retention_policy": ["name": "week", "rules": [["period": "days", "quantity": 7]]],
            ]
        }
    }

    @Test func planAgainstTenThousandSchedulersAndFiftyThousandDrives() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(
                seedDrives: 50_000,
                fixture: EmulatorFixture(backupSchedulers: Self.schedulers(10_000))))
        defer { Task { await emulator.stop() } }
        let target = PolicyDocument(
            metadata: Metadata(name: "local"),
            spec: TargetSpec(
                provider: .cloudsigma, endpoint: emulator.baseURL, credentials: Credentials(usernameEnv: "U", passwordEnv: "P"),
                scheduling: .auto, insecure: false), location: SourceLocation(file: "test", line: 1, column: 1))
        let provider = try CloudSigmaProvider.make(
            for: target, logger: Logger(label: "test"), environment: ["U": EmulatorCredentials.user, "P": EmulatorCredentials.password])
        emulator.requests.reset()
        var policies = PolicySet()
        policies.targets = [target]
        let live = try await provider.readLiveState()
        let plan = try await Planner(instance: "tidemark").plan(
            target: target, policies: policies, live: live, snapshots: provider.snapshots)
        #expect(live.schedulers.count == 10_000)
        #expect(live.drives.count == 50_000)
        #expect(plan.actions.isEmpty, "none of the schedulers is managed, so nothing is planned for them")
        // The three listings are requested at once, so they arrive in any order; each exactly once.
        #expect(
            emulator.requests.all.map(\.description).sorted() == [
                "GET /api/2.0/backupschedulers/detail/?limit=0 -> 200",
                "GET /api/2.0/drives/detail/?limit=0&fields=uuid,name,tags,backup_scheduler -> 200",
                "GET /api/2.0/tags/detail/?limit=0&fields=uuid,name -> 200",
            ])
        await emulator.stop()
    }
}
