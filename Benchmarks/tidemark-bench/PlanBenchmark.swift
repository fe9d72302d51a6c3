import Foundation
import Logging
import TidemarkEmulator
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// Plan against 10,000 schedulers and 50,000 drives, and apply 1,000 creates, over real HTTP to the emulator.
enum PlanBenchmark {
    static func run() async throws {
        let existing = (0..<10_000).map { index -> JSON in
            [
                "name": .string("scheduler \(index)"), "type": "snapshot", "is_enabled": true, "is_default": false,
                "manual_incremental_backup": "",
                "user_timezone": "Etc/UTC", "meta": ["tidemark.io/owner": "bench", "tidemark.io/name": .string("s\(index)")],
                "incremental_backup": [
                    "hour": .string(String(index % 24)), "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*",
                    "repeat": ["hour": "", "minute": ""],
                ],
                "retention_policy": ["name": "week", "rules": [["period": "days", "quantity": 7]]],
            ]
        }
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(seedDrives: 50_000, fixture: EmulatorFixture(backupSchedulers: existing)))
        let target = PolicyDocument(
            metadata: Metadata(name: "bench"),
            spec: TargetSpec(
                provider: .cloudsigma, endpoint: emulator.baseURL, credentials: Credentials(usernameEnv: "U", passwordEnv: "P")),
            location: SourceLocation(file: "bench", line: 1, column: 1))
        let provider = try CloudSigmaProvider.make(
            for: target, logger: Logger(label: "bench"), environment: ["U": EmulatorCredentials.user, "P": EmulatorCredentials.password])
        var policies = PolicySet()
        policies.targets = [target]
        policies.schedulers = (0..<1_000).map { index in
            PolicyDocument(
                metadata: Metadata(name: "new-\(index)"),
                spec: SchedulerSpec(
                    target: Reference("bench", target.location), type: .snapshot, displayName: "new \(index)", enabled: true,
                    schedule: ScheduleSpec(
                        timezone: "Europe/Zurich", rule: .calendar(CalendarRule(times: .at([TimeOfDay(hour: index % 24, minute: 30)!])))),
                    timezoneLocation: target.location, retention: .inline(RetentionPolicySpec(rules: [.age(period: .days, quantity: 7)])),
                    notifications: Notifications(), remoteLocation: "", options: [:], adopt: false, protect: false),
                location: target.location)
        }
        let clock = ContinuousClock()
        emulator.requests.reset()
        var live: LiveState?
        var plan: TargetPlan?
        let planTime = try await clock.measure {
            live = try await provider.readLiveState()
            plan = try await Planner(instance: "tidemark").plan(
                target: target, policies: policies, live: live!, snapshots: provider.snapshots)
        }
        let planRequests = emulator.requests.all.count
        print(
            "tidemark  plan   10000 schedulers + 50000 drives: \(format(planTime)), \(planRequests) requests "
                + "(\(emulator.requests.all.map { $0.path }.joined(separator: ", ")))")
        emulator.requests.reset()
        let creates = plan!.actions
        let applyTime = await clock.measure {
            _ = await ApplyExecutor(provider: provider, parallelism: 8).apply(creates)
        }
        let failed = emulator.requests.all.filter { $0.status >= 300 }.count
        print(
            "tidemark  apply  \(creates.count) creates at parallelism 8: \(format(applyTime)), "
                + "\(emulator.requests.all.count) requests, \(failed) failed"
        )
        await emulator.stop()
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
