import ArgumentParser
import Foundation
import Logging
import TidemarkGit
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// Options shared by plan, apply and import.
struct ReconcileOptions: ParsableArguments {
    @Option(help: "The policy directory or file (default: policies; with --repo, the repository's root).")
    var path: String?

    @OptionGroup(title: "Policies from git")
    var source: PolicySourceOptions

    @Option(help: "Only this target.")
    var target: String?

    @Option(
        help: """
            This controller instance's id, written into the ownership marker of every object it manages. \
            Default: $TIDEMARK_INSTANCE or 'tidemark'.
            """
    )
    var instance: String = ProcessInfo.processInfo.environment["TIDEMARK_INSTANCE"] ?? "tidemark"

    @Flag(help: "Log every HTTP request (credentials redacted) to standard error.")
    var verbose = false

    @Option(
        name: .customLong("request-timeout"),
        help: "How long one HTTP request may take before it is abandoned (and retried where safe), e.g. 30s.",
        transform: RunCommand.duration)
    var requestTimeout: TimeInterval = 30

    /// Where the policies live, for messages: `policies`, or `policies of <repository>`.
    var policyLocation: String {
        guard let repo = source.repo else { return path ?? "policies" }
        return "\(path ?? "the root") of \(GitRepositoryLocation(repo).redacted)"
    }

    var logger: Logger {
        var logger = Logger(label: "tidemark")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    /// Loads and validates the policies; any error stops here, so nothing is applied from broken files.
    func loadPolicies() throws -> (PolicySet, Plan.Source) {
        let loaded = try source.load(path: path, what: "nothing was planned or applied")
        return (loaded.result.policies, loaded.source)
    }

    /// The reconciler for this run; its providers draw on `budget` for retries.
    func reconciler(budget: RetryBudget = RetryBudget()) throws -> Reconciler {
        let connection: ConnectionOptions
        do {
            connection = ConnectionOptions(timeout: requestTimeout, budget: budget, httpLog: try HTTPLog.fromEnvironment())
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        let logger = self.logger
        return Reconciler(instance: instance) { target throws(ProviderError) in
            try ProviderFactory.make(for: target, logger: logger, connection: connection)
        }
    }

    /// Reads every target's live state and plans; returns the plan and the providers to apply it with.
    func makePlan(with reconciler: Reconciler, overrides: PlanOverrides) async throws -> Reconciler.Planned {
        let (policies, source) = try loadPolicies()
        do {
            try overrides.check(against: policies)
            var planned = try await reconciler.plan(
                policies, source: source, targets: try Reconciler.targets(policies, named: target),
                allowMassDelete: overrides.allowMassDelete, allowedViolations: Set(overrides.allowedViolations),
                tidemarkVersion: Tidemark.version)
            planned.plan.explainOverrides { override in
                switch override {
                case .massDelete: "pass --allow-mass-delete if that is intended"
                case .requirementViolation(let name): "fix the policies, or pass --allow-requirement-violation \(name) to accept it"
                }
            }
            return planned
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
