import ArgumentParser
import TidemarkPolicy

/// Loads policies for a command: prints every diagnostic to standard error and fails if any is an error.
enum PolicyPathLoading {
    static func load(_ path: String) throws -> PolicyLoader.Result {
        let result: PolicyLoader.Result
        do {
            result = try PolicyLoader().load(path: path)
        } catch {
            Output.error(error.description)
            throw ExitCode.failure
        }
        for diagnostic in result.diagnostics { Output.error(diagnostic.description) }
        guard result.isValid else {
            Output.error("\(plural(result.diagnostics.count, "error")) in \(plural(result.policies.files.count, "file"))")
            throw ExitCode.failure
        }
        return result
    }
}
