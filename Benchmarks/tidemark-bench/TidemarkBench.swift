import Foundation
import TidemarkPolicy
import TidemarkSchedule

/// Release-mode benchmarks: `swift run -c release tidemark-bench schedule`.
@main
enum TidemarkBench {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "schedule":
            try ScheduleBenchmark.run(json: arguments.contains("--json"))
        default:
            FileHandle.standardError.write(Data("usage: tidemark-bench schedule [--json]\n".utf8))
            exit(64)
        }
    }
}
