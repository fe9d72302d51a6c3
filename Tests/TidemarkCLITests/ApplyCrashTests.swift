import Foundation
import Synchronization
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// `kill -9` of the real `tidemark apply` binary at seeded random points, counted in mutating requests the emulator
/// has carried out, then apply again: it converges with no object twice and nothing unmanaged changed.
/// 100 points (`TIDEMARK_APPLY_KILL_POINTS=N` for another number).
@Suite("tidemark apply survives kill -9", .serialized)
struct ApplyCrashTests {
    static let generated = GeneratedPolicies.schedulers(40)

    /// Starts `tidemark apply` in the workspace and waits for it; `onStart` gets its pid.
    static func apply(in workspace: ReconcileWorkspace, onStart: @escaping @Sendable (Int32) -> Void) async throws
        -> Process.TerminationReason
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let process = Process()
                    process.executableURL = CLIRunner.binary
                    process.arguments = ["apply", "--auto-approve", "--path", "policies"]
                    process.currentDirectoryURL = workspace.directory
                    process.environment = ProcessInfo.processInfo.environment.merging(
                        EmulatorCredentials.environment.merging(["NO_COLOR": "1"]) { $1 }
                    ) { $1 }
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    onStart(process.processIdentifier)
                    process.waitUntilExit()
                    continuation.resume(returning: process.terminationReason)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    @Test func killedAtRandomRequestsApplyConvergesWithoutDuplicates() async throws {
        let points = ProcessInfo.processInfo.environment["TIDEMARK_APPLY_KILL_POINTS"].flatMap(Int.init) ?? 100
        let total = 11 + 40 + 3  // the seed's schedulers, the generated ones, the seed's bindings
        var random = SplitMix64(seed: 20_261_125)
        var killed = 0
        var reported = 0
        for _ in 0..<points {
            let workspace = try await ReconcileWorkspace.start()
            try Self.generated.write(to: workspace.policies.appendingPathComponent("generated.yaml"), atomically: true, encoding: .utf8)
            let killAt = Int(random.next() % UInt64(total)) + 1
            let pid = Mutex<Int32>(0)
            let mutating = Mutex(0)
            workspace.emulator.requests.observe { entry in
                guard entry.method != "GET" else { return }
                if mutating.withLock({
                    $0 += 1
                    return $0
                }) == killAt {
                    kill(pid.withLock { $0 }, SIGKILL)
                }
            }
            let reason = try await Self.apply(in: workspace) { started in pid.withLock { $0 = started } }
            workspace.emulator.requests.observe(nil)
            if reason == .uncaughtSignal { killed += 1 }

            let again = try await workspace.run("apply", "--auto-approve")
            #expect(again.status == 0, "kill at request \(killAt): \(again.stdout)\(again.stderr)")
            if again.stdout.contains("note: an earlier apply stopped while") { reported += 1 }
            #expect(try await workspace.run("plan", "--detailed-exitcode").status == 0, "kill at request \(killAt)")
            let schedulers =
                try await workspace.emulator.request("GET", "backupschedulers/detail/?limit=0").json?["objects"]?.arrayValue ?? []
            let names = schedulers.compactMap { $0["meta"]?["tidemark.io/name"]?.stringValue }
            #expect(names.count == 51 && Set(names).count == 51, "kill at request \(killAt): \(names.count) managed schedulers")
            await workspace.stop()
        }
        #expect(killed == points, "every apply was killed mid-way")
        #expect(reported > 0, "the journal reported requests in flight")
        print(
            "apply kill -9: \(points) points, \(killed) killed, \(reported) with requests in flight reported by the journal, "
                + "\(points) converged, 0 duplicates"
        )
    }
}
