import Foundation
import Testing
import TidemarkEmulator
import TidemarkProviderModel
import TidemarkProviders

/// The transport against the emulator's connection faults: never-answered requests end at the timeout, bodies cut
/// off mid-way are errors, a quota's 429s are waited out, added latency is felt. Every one is bounded.
@Suite("connection faults", .serialized)
struct ConnectionFaultTests {
    static func request(_ emulator: RunningEmulator, _ path: String = "drives/detail/") -> HTTPRequest {
        HTTPRequest(
            method: "GET", url: URL(string: emulator.baseURL + path)!,
            headers: ["Authorization": EmulatorCredentials.basicAuthorization])
    }

    @Test func unansweredRequestsTimeOutAndCutOffBodiesFailBothAsInterrupted() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 2))
        defer { Task { await emulator.stop() } }
        emulator.emulator.faults.plan = FaultPlan(rate: 1, seed: 3, connectionFaults: true, hangSeconds: 4)
        let transport = CurlTransport(timeout: 1)
        var timedOut = 0
        var cutOff = 0
        var answered = 0
        for _ in 0..<36 {
            let started = ContinuousClock.now
            do {
                _ = try await transport.send(Self.request(emulator))
                answered += 1
            } catch {
                #expect(error.kind == .interrupted, "\(error)")
                if ContinuousClock.now - started >= .milliseconds(900) { timedOut += 1 } else { cutOff += 1 }
                #expect(ContinuousClock.now - started < .seconds(3), "bounded by the 1 s timeout, not the 4 s hang")
            }
        }
        #expect(timedOut > 0, "some requests were never answered")
        #expect(cutOff > 0, "some bodies were cut off")
        #expect(answered > 0, "the other faults are answers (5xx, 429)")
    }

    @Test func aQuotasTooManyRequestsAreWaitedOutWithinTheRetryBudget() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 2))
        defer { Task { await emulator.stop() } }
        emulator.emulator.faults.plan = FaultPlan(rate: 0, quota: 2)
        let budget = RetryBudget(ratio: 1, minimum: 10)
        let transport = RetryingTransport(CurlTransport(timeout: 5), policy: RetryPolicy(maxAttempts: 6), budget: budget)
        for _ in 0..<6 {
            #expect(try await transport.send(Self.request(emulator)).status == 200)
        }
        #expect(emulator.requests.all.contains { $0.status == 429 }, "the quota answered 429")
        let statistics = budget.statistics
        #expect(statistics.requests == 6)
        #expect(statistics.retries == emulator.requests.all.count { $0.status == 429 })
    }

    @Test func anExhaustedRetryBudgetStopsRetrying() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 2))
        defer { Task { await emulator.stop() } }
        emulator.emulator.faults.plan = FaultPlan(rate: 1, seed: 1)
        let budget = RetryBudget(ratio: 0, minimum: 3)
        let transport = RetryingTransport(
            CurlTransport(timeout: 5),
            policy: RetryPolicy(
                maxAttempts: 5, baseDelay: .milliseconds(1),
                maxDelay: .milliseconds(5)),
            budget: budget, sleep: { _ in })
        for _ in 0..<4 { _ = try? await transport.send(Self.request(emulator)) }
        #expect(budget.statistics.retries == 3)
        #expect(budget.statistics.refused >= 1)
        #expect(emulator.requests.all.count == 4 + 3, "four requests and the three retries the budget allows")
    }

    @Test func addedLatencyIsFelt() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 1))
        defer { Task { await emulator.stop() } }
        emulator.emulator.faults.plan = FaultPlan(rate: 0, latencyMilliseconds: 300)
        let started = ContinuousClock.now
        #expect(try await CurlTransport(timeout: 5).send(Self.request(emulator)).status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }
}
