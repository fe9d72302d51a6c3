import Foundation

/// A command run to completion as its own process, with its wall time and the CPU time and peak memory the kernel
/// counted for it (`wait4`'s rusage), as a user running it would see them.
struct ChildProcess {
    struct Measurement {
        var wall: Double
        var cpu: Double
        var maxRSSMegabytes: Double
        var status: Int32
        var output: String
    }

    /// Runs `arguments` (the first is the executable's path) with `environment` added to this process's and `stdin`
    /// as its standard input; standard output is captured through a file, standard error discarded.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String = "") throws -> Measurement {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-bench-\(UUID().uuidString).out").path
        let input = output + ".in"
        try stdin.write(toFile: input, atomically: false, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: input)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Measurement(
            wall: wall, cpu: usage.cpuSeconds, maxRSSMegabytes: Double(usage.ru_maxrss) / 1024,
            status: (status >> 8) & 0xFF, output: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}

extension rusage {
    /// User and system CPU time.
    var cpuSeconds: Double {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(ru_utime) + seconds(ru_stime)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
