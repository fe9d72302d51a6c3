import Foundation
import TestSupport
import Testing
import TidemarkController
import TidemarkEmulator

/// `tidemark run` checks the Requirement documents on every plan: a violation stops apply for its target; then it
/// audits the live state, and the metrics and /status say which requirement is broken and how many objects are
/// unprotected.
@Suite("controller: requirements")
struct RequirementMetricsTests {
    @Test func violationsStopApplyAndAreExported() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(
                fixture: .init(drives: [.init(name: "db-1", tags: ["prod"]), .init(name: "db-2", tags: ["prod"]), .init(name: "web-1")])))
        defer { Task { await emulator.stop() } }
        let target = """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: zrh}
            spec:
              provider: cloudsigma
              endpoint: "\(emulator.baseURL)"
              credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}
            ---
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: weekly}
            spec: {target: zrh, schedule: {timezone: Etc/UTC, cron: "0 3 * * 0"}, retention: {last: 4}}
            ---
            apiVersion: tidemark.io/v1
            kind: DriveBinding
            metadata: {name: db}
            spec: {target: zrh, scheduler: weekly, drives: {tags: [prod]}}
            ---
            apiVersion: tidemark.io/v1
            kind: Requirement
            metadata: {name: prod-rpo}
            spec: {drives: {tags: [prod]}, rpo: 24h}
            ---
            apiVersion: tidemark.io/v1
            kind: Requirement
            metadata: {name: everything}
            spec: {drives: {all: true}, minimumKept: 2}
            """
        let (controller, directory) = try ProviderControllerTests.controller(
            try ProviderControllerTests.policies(target), clock: SimulatedClock(ProviderControllerTests.start))
        defer { try? FileManager.default.removeItem(at: directory) }
        await controller.cycle()
        let metrics = await controller.metricsExposition()
        #expect(metrics.contains("tidemark_requirement_violations{requirement=\"prod-rpo\"} 2"), "\(metrics)")
        // {last: N} runs in the controller on cloudsigma: its job protects db-1 and db-2 (4 kept), web-1 has nothing.
        #expect(metrics.contains("tidemark_requirement_violations{requirement=\"everything\"} 1"))
        #expect(metrics.contains("tidemark_unprotected_objects{target=\"zrh\"} 1"))
        #expect(metrics.contains("# HELP tidemark_requirement_violations "))
        let status = await controller.currentStatus()
        let zrh = try #require(status.targets.first)
        #expect(zrh.unprotectedObjects == 1)
        #expect(zrh.requirementViolations.count == 5, "rpo and no snapshot yet for db-1 and db-2, web-1 unprotected")
        #expect(zrh.requirementViolations.contains { $0.hasPrefix("drive db-1 has no snapshot; requirement prod-rpo wants one every 24h") })
        #expect(zrh.requirementViolations.contains { $0.hasPrefix("drive web-1 is not protected by any scheduler") })
        #expect(zrh.errors.contains { $0.contains("drives db-1, db-2 would be protected every 7d") })
        let schedulers = try await emulator.request("GET", "backupschedulers/").json?["objects"]?.arrayValue ?? []
        #expect(schedulers.isEmpty, "a plan that breaks a requirement is not applied")
    }

    @Test func anAllowedViolationIsAppliedAndStillCounted() async throws {
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: .init(drives: [.init(name: "db-1", tags: ["prod"])])))
        defer { Task { await emulator.stop() } }
        let policies = """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: zrh}
            spec:
              provider: cloudsigma
              endpoint: "\(emulator.baseURL)"
              credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}
            ---
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: weekly}
            spec: {target: zrh, schedule: {timezone: Etc/UTC, cron: "0 3 * * 0"}, retention: {period: days, quantity: 30}}
            ---
            apiVersion: tidemark.io/v1
            kind: DriveBinding
            metadata: {name: db}
            spec: {target: zrh, scheduler: weekly, drives: {tags: [prod]}}
            ---
            apiVersion: tidemark.io/v1
            kind: Requirement
            metadata: {name: prod-rpo}
            spec: {drives: {tags: [prod]}, rpo: 24h}
            """
        let (controller, directory) = try ProviderControllerTests.controller(
            try ProviderControllerTests.policies(policies), clock: SimulatedClock(ProviderControllerTests.start),
            allowedViolations: ["prod-rpo"])
        defer { try? FileManager.default.removeItem(at: directory) }
        await controller.cycle()
        let status = await controller.currentStatus()
        #expect(status.lastErrors.isEmpty, "\(status.lastErrors)")
        let schedulers = try await emulator.request("GET", "backupschedulers/").json?["objects"]?.arrayValue ?? []
        #expect(schedulers.count == 1, "the allowed violation does not stop apply")
        #expect(await controller.metricsExposition().contains("tidemark_requirement_violations{requirement=\"prod-rpo\"} 1"))
    }
}
