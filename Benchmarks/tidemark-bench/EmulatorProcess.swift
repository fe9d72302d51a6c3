import Foundation
import TidemarkEmulator
import TidemarkJSON

/// `tidemark emulator` (the release build beside tidemark-bench) in its own process, as a user runs it.
final class EmulatorProcess {
    let process = Process()
    let baseURL: String
    let environment = EmulatorCredentials.environment

    /// Starts it with `schedulers` generated backup schedulers (a fixture file) and `drives` generated drives.
    init(schedulers: Int, drives: Int, in directory: URL) throws {
        let fixture = directory.appendingPathComponent("fixture-\(schedulers).json")
        try Data(JSON.object(["backupschedulers": .array((0..<schedulers).map(Self.scheduler))]).description.utf8).write(to: fixture)
        process.executableURL = Binaries.tidemark
        process.arguments = [
            "emulator", "--port", "0", "--fixture", fixture.path, "--seed-drives", String(drives),
            "--user", EmulatorCredentials.user, "--password", EmulatorCredentials.password,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchError("tidemark emulator exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let start = text.range(of: "http://"), let end = text.range(of: "/api/2.0/", range: start.upperBound..<text.endIndex) else {
            throw BenchError("unexpected emulator output: \(text)")
        }
        baseURL = String(text[start.lowerBound..<end.upperBound])
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// A backup scheduler as the API lists it, not managed by the bench's instance.
    static func scheduler(_ index: Int) -> JSON {
        [
            "name": .string("scheduler \(index)"), "type": "snapshot", "is_enabled": true, "is_default": false,
            "manual_incremental_backup": "", "user_timezone": "Etc/UTC",
            "meta": ["tidemark.io/owner": "bench", "tidemark.io/name": .string("s\(index)")],
            "incremental_backup": [
                "hour": .string(String(index % 24)), "minute": "0", "day_of_week": ["*"], "day_of_month": "*", "month": "*",
                "repeat": ["hour": "", "minute": ""],
            ],
            "retention_policy": ["name": "week", "rules": [["period": "days", "quantity": 7]]],
        ]
    }
}

/// The release binaries the process benchmarks run, beside tidemark-bench.
enum Binaries {
    static let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    static let tidemark = directory.appendingPathComponent("tidemark")

    /// A copy of the repository's policies/ at `destination`, its Target pointed at `endpoint`.
    static func seedPolicies(at destination: URL, endpoint: String) throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(at: root.appendingPathComponent("policies"), to: destination)
        let target = destination.appendingPathComponent("target.yaml")
        try String(contentsOf: target, encoding: .utf8).replacingOccurrences(of: "http://127.0.0.1:8789/api/2.0/", with: endpoint)
            .write(to: target, atomically: true, encoding: .utf8)
        return destination
    }
}
