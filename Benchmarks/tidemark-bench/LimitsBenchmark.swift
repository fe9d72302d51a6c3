import Foundation
import TestSupport
import TidemarkEmulator
import TidemarkJSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Tidemark against what the machine and the API allow, measured side by side in one run, each line a ratio with
/// its goal and both sides: plan against the transfer floor, growth exponents, CLI start-up.
enum LimitsBenchmark {
    static let listings = [
        "backupschedulers/detail/?limit=0", "tags/detail/?limit=0&fields=uuid,name",
        "drives/detail/?limit=0&fields=uuid,name,tags,backup_scheduler",
    ]

    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try planAgainstFloor(in: directory)
        try await memoryUnderManagement(in: directory)
        try await growth(in: directory)
        try startup(in: directory)
    }

    /// `tidemark run` against 10,000 schedulers and 50,000 drives with the 1,000 schedulers of the floor's policies,
    /// 20 s after start (its first cycle applied them): resident and peak memory against the size of the listings.
    static func memoryUnderManagement(in directory: URL) async throws {
        let emulator = try EmulatorProcess(schedulers: 10_000, drives: 50_000, in: directory)
        let policies = try writePolicies(schedulers: 1_000, endpoint: emulator.baseURL, in: directory.appendingPathComponent("memory"))
        let listingBytes = try listings.indices.map {
            try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("listing-\($0).json").path)[.size] as? Int
                ?? 0
        }.reduce(0, +)
        let run = try RunProcess(
            policies: policies, state: directory.appendingPathComponent("memory.sqlite").path, environment: emulator.environment)
        try await Task.sleep(for: .seconds(20))
        let rss = run.megabytes("VmRSS:")
        let peak = run.megabytes("VmHWM:")
        let own = run.megabytes("RssAnon:")
        let json = Double(listingBytes) / 1_048_576
        print(
            String(
                format:
                    "ratio  run RSS / live state's JSON   %.1f (goal ≤ 2.0)  tidemark run %.0f MB resident, %.1f MB its own (RssAnon, "
                    + "%.1f× the JSON), %.0f MB peak in the cycle, managing 1,000 of 10,000 schedulers and 50,000 drives; listings %.1f MB",
                rss / json, rss, own, own / json, peak, json))
    }

    /// `tidemark plan` (1,000 new schedulers) against 10,000 schedulers and 50,000 drives, beside `curl` fetching the
    /// same three listings and Python's C JSON parser reading them. Best of three on each side.
    static func planAgainstFloor(in directory: URL) throws {
        let emulator = try EmulatorProcess(schedulers: 10_000, drives: 50_000, in: directory)
        let policies = try writePolicies(schedulers: 1_000, endpoint: emulator.baseURL, in: directory.appendingPathComponent("floor"))
        let plan = try best(3) {
            try ChildProcess.run([Binaries.tidemark.path, "plan", "--path", policies], environment: emulator.environment)
        }
        guard plan.status == 0, plan.output.contains("Plan: 1000 to create") else {
            throw BenchError("plan failed: \(plan.output.suffix(300))")
        }
        let files = listings.indices.map { directory.appendingPathComponent("listing-\($0).json").path }
        let curlArguments = zip(listings, files).flatMap { ["-o", $1, emulator.baseURL + $0] }
        let credentials = "\(EmulatorCredentials.user):\(EmulatorCredentials.password)"
        let curl = try best(3) {
            try ChildProcess.run(["/usr/bin/curl", "-sf", "--config", "-"] + curlArguments, stdin: "user = \"\(credentials)\"")
        }
        let bytes = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let parse = try pythonParseSeconds(files)
        let ours = try best(3) { () -> Double in
            let start = DispatchTime.now().uptimeNanoseconds
            for data in bytes { _ = try JSON.parse(data) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let foundation = try best(2) { () -> Double in
            let start = DispatchTime.now().uptimeNanoseconds
            for data in bytes { _ = try JSONDecoder().decode(JSON.self, from: data) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let floor = curl.wall + parse
        print(
            String(
                format: "ratio  plan / transfer floor        %.2f (goal ≤ 1.30)  tidemark plan %.2f s wall, %.2f s CPU, %.0f MB peak; "
                    + "floor %.2f s = curl %.2f s (3 listings, %.1f MB) + Python json.loads %.2f s (TidemarkJSON parses them in %.2f s, "
                    + "Foundation's JSONDecoder in %.2f s)",
                plan.wall / floor, plan.wall, plan.cpu, plan.maxRSSMegabytes, floor, curl.wall,
                Double(bytes.reduce(0) { $0 + $1.count }) / 1e6, parse, ours, foundation))
    }

    /// Plan time, `tidemark run`'s first cycle and a cycle that changes nothing with a tenth of the schedulers its own,
    /// at 1k, 10k and 100k live schedulers (drives ×5), and validate time over 1k, 10k and 100k policy files: the
    /// exponent of a least-squares fit of log time against log N (1: linear).
    static func growth(in directory: URL) async throws {
        var planTimes: [(Double, Double)] = []
        var cycleTimes: [(Double, Double)] = []
        var unchangedTimes: [(Double, Double)] = []
        for count in [1_000, 10_000, 100_000] {
            let emulator = try EmulatorProcess(schedulers: count, drives: count * 5, in: directory)
            let policies = try writePolicies(
                schedulers: 100, endpoint: emulator.baseURL, in: directory.appendingPathComponent("growth-\(count)"))
            let plan = try best(2) {
                try ChildProcess.run([Binaries.tidemark.path, "plan", "--path", policies], environment: emulator.environment)
            }
            guard plan.status == 0, plan.output.contains("Plan: 100 to create") else {
                throw BenchError("plan at \(count) failed: \(plan.output.suffix(300))")
            }
            planTimes.append((Double(count), plan.wall))
            cycleTimes.append((Double(count), try await cycleSeconds(1, policies: policies, emulator: emulator, in: directory)[0]))
            // A tenth of the schedulers managed: the first cycle creates them, the second finds nothing to change.
            let managed = try writePolicies(
                schedulers: count / 10, endpoint: emulator.baseURL, in: directory.appendingPathComponent("managed-\(count)"),
                filePerScheduler: true)
            unchangedTimes.append((Double(count), try await cycleSeconds(2, policies: managed, emulator: emulator, in: directory)[1]))
        }
        var validateTimes: [(Double, Double)] = []
        for count in [1_000, 10_000, 100_000] {
            let policies = try writePolicies(
                schedulers: count, endpoint: "http://127.0.0.1:9/api/2.0/", in: directory.appendingPathComponent("validate-\(count)"),
                filePerScheduler: true)
            let validate = try best(2) { try ChildProcess.run([Binaries.tidemark.path, "validate", policies]) }
            guard validate.status == 0 else { throw BenchError("validate failed: \(validate.output.suffix(300))") }
            validateTimes.append((Double(count), validate.wall))
        }
        for (name, times) in [
            ("plan, 1k/10k/100k schedulers", planTimes), ("run cycle, 1k/10k/100k", cycleTimes),
            ("unchanged cycle, N/10 ours", unchangedTimes), ("validate, 1k/10k/100k files", validateTimes),
        ] {
            let figures = times.map { String(format: "%.0fk: %.2f s", $0.0 / 1000, $0.1) }.joined(separator: ", ")
            print(
                "growth " + name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "exponent %.2f", exponent(times))
                    + " (goal ≤ 1.10)  " + figures)
        }
    }

    /// The durations of `tidemark run`'s first `cycles` cycles, a second apart, from its own
    /// `tidemark_cycle_duration_seconds`: the first reads the policies and the live state, plans and applies; the
    /// next ones find the schedulers it created.
    static func cycleSeconds(_ cycles: Int, policies: String, emulator: EmulatorProcess, in directory: URL) async throws -> [Double] {
        let port = try FreePort.find()
        let run = try RunProcess(
            policies: policies, state: directory.appendingPathComponent("cycle-\(port).sqlite").path, listen: "127.0.0.1:\(port)",
            arguments: ["--instance", "cycle-\(port)", "--interval", "1s", "--drift-interval", "1s"], environment: emulator.environment)
        defer { withExtendedLifetime(run) {} }
        var sums: [Double] = [0]
        for _ in 0..<3000 {
            try await Task.sleep(for: .milliseconds(100))
            guard let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!) else {
                continue
            }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            func value(_ name: String) -> Double? {
                lines.first { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            guard let count = value("tidemark_cycle_duration_seconds_count"), Int(count) == sums.count,
                let sum = value("tidemark_cycle_duration_seconds_sum")
            else { continue }
            guard value("tidemark_ready") == 1 else { throw BenchError("a cycle of tidemark run failed (policies in \(policies))") }
            sums.append(sum)
            if sums.count > cycles { return zip(sums.dropFirst(), sums).map { $0 - $1 } }
        }
        throw BenchError("tidemark run did not finish \(cycles) cycles in 300 s")
    }

    /// `tidemark validate policies` and `tidemark plan` with the seed policies against the emulator, as a CI job runs
    /// them: the median of 15 runs each.
    static func startup(in directory: URL) throws {
        let emulator = try EmulatorProcess(schedulers: 0, drives: 4, in: directory)
        let policies = try Binaries.seedPolicies(at: directory.appendingPathComponent("seed-policies"), endpoint: emulator.baseURL)
        let validate = try median(15) { try ChildProcess.run([Binaries.tidemark.path, "validate", policies.path]) }
        let plan = try median(15) {
            try ChildProcess.run([Binaries.tidemark.path, "plan", "--path", policies.path], environment: emulator.environment)
        }
        print(
            String(
                format: "start  tidemark validate policies     %.0f ms (goal ≤ 150 ms), %.0f ms CPU", validate.wall * 1000,
                validate.cpu * 1000))
        print(
            String(format: "start  tidemark plan (seed policies)  %.0f ms (goal ≤ 300 ms), %.0f ms CPU", plan.wall * 1000, plan.cpu * 1000))
    }

    static func writePolicies(schedulers: Int, endpoint: String, in directory: URL, filePerScheduler: Bool = false) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: bench}
        spec:
          provider: cloudsigma
          endpoint: \(endpoint)
          credentials: {usernameEnv: TIDEMARK_USER, passwordEnv: TIDEMARK_PASSWORD}

        """.write(to: directory.appendingPathComponent("target.yaml"), atomically: true, encoding: .utf8)
        let documents = (0..<schedulers).map { index in
            """
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: new-\(index)}
            spec:
              target: bench
              displayName: new \(index)
              schedule: {timezone: Europe/Zurich, at: ["\(String(format: "%02d", index % 24)):30"]}
              retention: {rules: [{period: days, quantity: 7}]}

            """
        }
        if filePerScheduler {
            for (index, document) in documents.enumerated() {
                try document.write(to: directory.appendingPathComponent("s\(index).yaml"), atomically: false, encoding: .utf8)
            }
        } else {
            try documents.joined(separator: "---\n").write(
                to: directory.appendingPathComponent("schedulers.yaml"), atomically: true, encoding: .utf8)
        }
        return directory.path
    }

    /// Python's json.loads over the files, best of three, timed inside Python (its start-up not counted).
    static func pythonParseSeconds(_ files: [String]) throws -> Double {
        let script = """
            import json, sys, time
            data = [open(f, "rb").read() for f in sys.argv[1:]]
            best = min((lambda t: ([json.loads(d) for d in data], time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3))
            print(best)
            """
        let result = try ChildProcess.run(["/usr/bin/python3", "-c", script] + files)
        guard let seconds = Double(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("python3 json.loads failed: \(result.output)")
        }
        return seconds
    }

    static func exponent(_ points: [(Double, Double)]) -> Double {
        let logs = points.map { (log($0.0), log($0.1)) }
        let meanX = logs.map(\.0).reduce(0, +) / Double(logs.count)
        let meanY = logs.map(\.1).reduce(0, +) / Double(logs.count)
        let covariance = logs.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
        let variance = logs.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
        return covariance / variance
    }

    static func best(_ runs: Int, _ measure: () throws -> ChildProcess.Measurement) throws -> ChildProcess.Measurement {
        try (0..<runs).map { _ in try measure() }.min { $0.wall < $1.wall }!
    }

    static func best(_ runs: Int, _ measure: () throws -> Double) throws -> Double {
        try (0..<runs).map { _ in try measure() }.min()!
    }

    static func median(_ runs: Int, _ measure: () throws -> ChildProcess.Measurement) throws -> ChildProcess.Measurement {
        try (0..<runs).map { _ in try measure() }.sorted { $0.wall < $1.wall }[runs / 2]
    }
}
