import Foundation

/// `tidemark run` (the release build beside tidemark-bench) in its own process, as a user runs it; stopped when
/// released.
final class RunProcess {
    let process = Process()

    init(policies: String, state: String, listen: String = "127.0.0.1:0", arguments: [String] = [], environment: [String: String]) throws {
        process.executableURL = Binaries.tidemark
        process.arguments = ["run", "--path", policies, "--listen", listen, "--state", "sqlite:" + state] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// A field of `/proc/PID/status` in megabytes (`VmRSS:` resident now, `VmHWM:` peak).
    func megabytes(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let kilobytes = status.split(separator: "\n").first { $0.hasPrefix(field) }.flatMap {
            Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return (kilobytes ?? .nan) / 1024
    }
}
