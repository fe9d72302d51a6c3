import ArgumentParser
import Foundation
import Logging
import TidemarkGit
import TidemarkPolicy
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
        help:
            "This controller instance's id, written into the ownership marker of every object it manages. Default: $TIDEMARK_INSTANCE or 'tidemark'."
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

    func targets(in policies: PolicySet) throws -> [PolicyDocument<TargetSpec>] {
        guard let target else { return policies.targets }
        guard let document = policies.target(named: target) else {
            Output.error(
                "error: no Target named '\(target)' in the policies (known: \(policies.targets.map(\.name).joined(separator: ", ")))")
            throw ExitCode.failure
        }
        return [document]
    }

    /// The target's provider; its requests draw on `budget` for retries.
    func provider(for target: PolicyDocument<TargetSpec>, budget: RetryBudget = RetryBudget()) throws -> any Provider {
        do {
            let connection = ConnectionOptions(timeout: requestTimeout, budget: budget, httpLog: try HTTPLog.fromEnvironment())
            return try ProviderFactory.make(for: target, logger: logger, connection: connection)
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// Reads every target's live state and plans; returns the plan and the providers to apply it with.
    func makePlan(allowMassDelete: Bool = false, budget: RetryBudget = RetryBudget()) async throws -> (Plan, [String: any Provider]) {
        let (policies, source) = try loadPolicies()
        var providers: [String: any Provider] = [:]
        var targetPlans: [TargetPlan] = []
        let planner = Planner(instance: instance, allowMassDelete: allowMassDelete)
        for target in try targets(in: policies) {
            let provider = try self.provider(for: target, budget: budget)
            providers[target.name] = provider
            do {
                let live = try await provider.readLiveState()
                targetPlans.append(try await planner.plan(target: target, policies: policies, live: live, snapshots: provider.snapshots))
            } catch {
                Output.error("error: target \(target.name): \(error)")
                throw ExitCode.failure
            }
        }
        return (Plan(tidemarkVersion: Tidemark.version, createdAt: Date(), source: source, targets: targetPlans), providers)
    }
}
