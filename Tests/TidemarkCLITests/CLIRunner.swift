import Foundation
import Testing
import TidemarkJSON

/// Runs the built `tidemark` binary as a subprocess, as a user or CI would.
struct CLIRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let binary: URL = {
        let directory =
            Bundle.main.executableURL?.deletingLastPathComponent()
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return directory.appendingPathComponent("tidemark")
    }()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs the binary and waits for it on a Dispatch thread, never blocking Swift concurrency's cooperative pool
    /// (an in-process emulator the subprocess talks to needs those threads).
    ///
    /// An `apply` is audited (`WriteAudit`): the plan is made first with the same policies and options, and every
    /// request the apply sends must change exactly the wire fields that plan shows.
    static func run(_ arguments: [String], in directory: URL = repositoryRoot, environment: [String: String] = [:]) async throws -> Output {
        guard arguments.first == "apply" else { return try await runUnaudited(arguments, in: directory, environment: environment) }
        let audit = try await WriteAudit(plan: plan(before: arguments, in: directory, environment: environment))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-http-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let output = try await runUnaudited(
            arguments, in: directory, environment: environment.merging(["TIDEMARK_HTTP_LOG": log.path]) { $1 })
        let lines =
            (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").compactMap { try? JSON.parse(Data($0.utf8)) } ?? []
        for problem in audit.problems(in: lines) { Issue.record(Comment(rawValue: "apply sent what the plan did not show: \(problem)")) }
        return output
    }

    /// The plan an `apply` with these arguments carries out: its saved plan file, or `plan --json` with its options
    /// (tried a few times, as an API with injected faults may refuse a listing); an empty plan when none can be made.
    static func plan(before arguments: [String], in directory: URL, environment: [String: String]) async throws -> JSON {
        let flags: Set<String> = ["--auto-approve", "--allow-mass-delete", "--verbose"]
        var planArguments = ["plan", "--json"]
        var rest = arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            if !argument.hasPrefix("-") {
                let file = argument.hasPrefix("/") ? URL(fileURLWithPath: argument) : directory.appendingPathComponent(argument)
                return try JSON.parse(Data(contentsOf: file))
            }
            let value = flags.contains(argument) ? nil : rest.popFirst()
            guard !["--auto-approve", "--parallelism", "--state"].contains(argument) else { continue }
            planArguments += [argument] + (value.map { [$0] } ?? [])
        }
        for _ in 0..<3 {
            let planned = try await runUnaudited(planArguments, in: directory, environment: environment)
            if let plan = try? JSON.parse(Data(planned.stdout.utf8)) { return plan }
            if planned.stderr.contains("nothing was planned or applied") { break }
        }
        // No plan can be made (policies that do not load, an unreachable source): the apply must send nothing.
        return [:]
    }

    static func runUnaudited(_ arguments: [String], in directory: URL = repositoryRoot, environment: [String: String] = [:]) async throws
        -> Output
    {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, in: directory, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL, environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
        capture("$ tidemark \(arguments.joined(separator: " "))\n\(output.stdout)\(output.stderr)")
        return output
    }

    /// Appends what a subprocess printed to `$TIDEMARK_TEST_OUTPUT`, which `.ci/run` searches for test credentials.
    static func capture(_ text: String) {
        guard let path = ProcessInfo.processInfo.environment["TIDEMARK_TEST_OUTPUT"], let handle = FileHandle(forWritingAtPath: path) else {
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((text + "\n").utf8))
    }

    static func temporaryDirectory(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-cli-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }
}
