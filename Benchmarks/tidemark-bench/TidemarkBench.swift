import Foundation
import TidemarkPolicy
import TidemarkSchedule

/// Release-mode benchmarks: `swift run -c release tidemark-bench schedule|plan|git|controller|faults`.
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
        case "faults":
            try await FaultBenchmark.run()
        default:
            FileHandle.standardError.write(Data("usage: tidemark-bench schedule [--json] | plan | git | controller | faults\n".utf8))
            exit(64)
        }
    }
}
