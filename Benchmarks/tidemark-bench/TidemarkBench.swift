import Foundation
import TidemarkPolicy
import TidemarkSchedule

/// Release-mode benchmarks: `swift run -c release tidemark-bench schedule|plan|git|controller|limits|faults`.
@main
enum TidemarkBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "schedule":
            try ScheduleBenchmark.run(json: arguments.contains("--json"))
        case "plan":
            try await PlanBenchmark.run()
        case "git":
            try GitBenchmark.run()
        case "controller":
            try await ControllerBenchmark.run()
        case "throughput":
            try await ControllerBenchmark.throughputAgainstCapacity()
        case "memory":
            try await ControllerBenchmark.idleMemory()
        case "limits":
            try await LimitsBenchmark.run()
        case "faults":
            try await FaultBenchmark.run()
        default:
            FileHandle.standardError.write(
                Data("usage: tidemark-bench schedule [--json] | plan | git | controller | throughput | memory | limits | faults\n".utf8))
            exit(64)
        }
    }
}
