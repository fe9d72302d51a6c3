import Foundation
import Logging
import TestSupport
import TidemarkEmulator
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// The seed policies plus 1,000 schedulers and 5,000 drive bindings applied while 30% of requests fail in every way the emulator knows
/// (5xx before and after acting, 429, never answered, cut off mid-body): plan and apply again until nothing is left,
/// as `tidemark apply` would be re-run, and count what it took.
enum FaultBenchmark {
    static func run(schedulers: Int = 1000) async throws {
        let drives = schedulers * 5
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(
                seedDrives: drives,
                fixture: try EmulatorFixture(contentsOf: root.appendingPathComponent("examples/emulator-fixture.json").path)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: local}
            spec: {provider: cloudsigma, endpoint: "\(emulator.baseURL)", credentials: {usernameEnv: U, passwordEnv: P}}

            """
        for index in 0..<schedulers {
            let names = (1...5).map { String(format: "drive-%05d", index * 5 + $0) }.joined(separator: ", ")
            let time = String(format: "%02d:%02d", index % 24, index % 60)
            text += """
                ---
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: generated-\(index)}
                spec: {target: local, schedule: {timezone: Etc/UTC, at: ["\(time)"]}, retention: {period: days, quantity: 7}}
                ---
                apiVersion: tidemark.io/v1
                kind: DriveBinding
                metadata: {name: generated-\(index)}
                spec: {target: local, scheduler: generated-\(index), drives: {names: [\(names)]}}

                """
        }
        try text.write(to: directory.appendingPathComponent("policies.yaml"), atomically: true, encoding: .utf8)
        let seed = root.appendingPathComponent("policies")
        for case let file as URL in FileManager.default.enumerator(at: seed, includingPropertiesForKeys: nil)!
        where file.pathExtension == "yaml" && file.lastPathComponent != "target.yaml" {
            try FileManager.default.copyItem(at: file, to: directory.appendingPathComponent("seed-" + file.lastPathComponent))
        }
        let policies = try PolicyLoader(providers: ProviderRegistry.documentRules).load(path: directory.path).policies
        let target = policies.targets[0]
        emulator.emulator.faults.plan = FaultPlan(rate: 0.3, seed: 11, connectionFaults: true, hangSeconds: 5)
        emulator.requests.reset()
        let clock = ContinuousClock()
        let started = clock.now
        var rounds = 0
        var retries = 0
        var refused = 0
        var sent = 0
        var failedActions = 0
        var failedReads = 0
        while rounds < 40 {
            rounds += 1
            let budget = RetryBudget()
            let provider = try CloudSigmaProvider.make(
                for: target, logger: Logger(label: "bench"),
                environment: ["U": EmulatorCredentials.user, "P": EmulatorCredentials.password],
                connection: ConnectionOptions(timeout: 1, budget: budget))
            defer {
                let statistics = budget.statistics
                sent += statistics.requests
                retries += statistics.retries
                refused += statistics.refused
            }
            guard let live = try? await provider.readLiveState(),
                let plan = try? await Planner(instance: "tidemark").plan(
                    target: target, policies: policies, live: live, snapshots: provider.snapshots)
            else {
                failedReads += 1
                continue
            }
            if plan.actions.isEmpty { break }
            failedActions += await ApplyExecutor(provider: provider, parallelism: 8).apply(plan.actions).count { !$0.succeeded }
        }
        let elapsed = clock.now - started
        let injected = emulator.emulator.faults.injected
        let served = emulator.requests.all.count
        emulator.emulator.faults.plan = FaultPlan(rate: 0)
        let objects = try await emulator.request("GET", "backupschedulers/detail/?limit=0").json?["objects"]?.arrayValue ?? []
        let names = objects.compactMap { $0["meta"]?["tidemark.io/name"]?.stringValue }
        print(
            "faults   the seed policies + \(schedulers) schedulers + \(drives) bindings at 30% faults (all kinds, 1 s timeout): "
                + "converged in \(rounds) plan+apply rounds "
                + "(\(failedReads) failed reads, \(failedActions) failed actions retried by the next round), "
                + "\(PlanBenchmark.format(elapsed)); \(sent) requests sent, \(retries) retries (\(refused) refused by the budget), "
                + "\(served) requests served, \(injected) faults injected; "
                + "\(names.count) schedulers, \(names.count - Set(names).count) duplicates")
        await emulator.stop()
    }
}
