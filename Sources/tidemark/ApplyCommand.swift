import ArgumentParser
import Foundation
import Logging
import TidemarkController
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the targets match the policies.",
        discussion: """
            Without PLAN, plans afresh, shows the plan and asks for confirmation (on a terminal; elsewhere pass \
            --auto-approve). With PLAN (from `tidemark plan --out`), applies it if neither the policies nor the live \
            state changed since it was made, and refuses it as stale otherwise. Order: creates and updates, then \
            bindings, unbindings, deletions. Prints what succeeded and what failed; exits 1 if anything failed.
            """
    )

    @Argument(help: "A plan saved with `tidemark plan --out`.")
    var planFile: String?

    @OptionGroup var options: ReconcileOptions

    @Flag(name: .customLong("auto-approve"), help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "How many requests to run at once.")
    var parallelism: Int = 8

    @OptionGroup(title: "Overrides")
    var overrides: PlanOverrides

    @Option(
        help: """
            The state store holding the apply journal (each request recorded before it is sent and after it is answered): \
            sqlite:PATH or postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…].
            """)
    var state: String = "sqlite:tidemark-state.sqlite"

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1.") }
        _ = try StateLocation(parsing: state)
    }

    /// Opens the journal and reports the requests a run that stopped midway left unanswered.
    func openJournal() async throws -> any StateStore {
        let location = try StateLocation(parsing: state)
        let journal: any StateStore
        do {
            journal = try await location.open(
                replica: "apply-\(ProcessInfo.processInfo.processIdentifier)", logger: Logger(label: "tidemark"))
        } catch {
            Output.error("error: cannot open the state store \(location) for the apply journal: \(location.failure(error))")
            throw ExitCode.failure
        }
        let inFlight = (try? await journal.takeInFlightRequests()) ?? []
        if !inFlight.isEmpty {
            let shown = inFlight.prefix(10).map { "\($0.kind) \($0.object) on \($0.target)" }.joined(separator: "; ")
            Output.line(
                "note: an earlier apply stopped while \(inFlight.count) request\(inFlight.count == 1 ? " was" : "s were") in flight "
                    + "(\(shown)\(inFlight.count > 10 ? "; …" : "")); "
                    + "the plan below is made from the live state, where objects created by them "
                    + "carry tidemark's marker and are found, not created again")
        }
        return journal
    }

    func run() async throws {
        let saved = try planFile.map(Self.readPlan)
        let journal = try await openJournal()
        let budget = RetryBudget()
        let reconciler = try options.reconciler(budget: budget)
        let planned = try await options.makePlan(with: reconciler, overrides: overrides)
        let plan = planned.plan
        if let saved { try Self.checkNotStale(saved, current: plan) }
        let renderer = PlanRenderer(colour: Output.colourAllowed, wire: options.verbose)
        if saved == nil || !plan.errors.isEmpty { Output.line(renderer.text(plan)) }
        guard plan.errors.isEmpty else { throw ExitCode.failure }
        guard plan.hasChanges else {
            if saved != nil { Output.line("No changes to apply.") }
            return
        }
        if saved == nil, !autoApprove { try confirm(plan) }
        var failed = 0
        var done = 0
        let total = plan.actions.count
        for target in plan.targets where !target.actions.isEmpty {
            guard let provider = planned.providers[target.name] else { continue }
            _ = await reconciler.apply(target, provider: provider, parallelism: parallelism, journal: journal) { outcome in
                done += 1
                let counter = total > 3 ? "[\(done)/\(total)] " : ""
                if let error = outcome.error {
                    failed += 1
                    Output.line("\(counter)✗ \(renderer.headline(outcome.action)) failed: \(error)")
                } else {
                    Output.line("\(counter)✓ \(Self.done(outcome, renderer))")
                }
            }
        }
        Output.line("Apply \(failed == 0 ? "complete" : "incomplete"): \(total - failed) succeeded, \(failed) failed.")
        let http = budget.statistics
        if http.retries > 0 || http.refused > 0 {
            Output.line(
                "HTTP: \(http.requests) requests, \(http.retries) retries (budget: \(budget.minimum) + \(Int(budget.ratio)) per request)"
                    + (http.refused > 0 ? ", \(http.refused) refused: the budget was spent" : "") + ".")
        }
        if failed > 0 { throw ExitCode.failure }
    }

    static func readPlan(_ path: String) throws -> Plan {
        do {
            return try Plan.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            Output.error("error: cannot read the plan \(path): \(error) (make one with tidemark plan --out \(path))")
            throw ExitCode.failure
        }
    }

    /// A saved plan applies only to the policies and live state it was made from.
    static func checkNotStale(_ saved: Plan, current: Plan) throws {
        do {
            try Reconciler.checkNotStale(saved, current: current)
        } catch {
            Output.error("error: " + message(error))
            throw ExitCode.failure
        }
    }

    static func message(_ stale: StalePlan) -> String {
        switch stale {
        case .formatVersion(let saved, let readable):
            "the plan has format_version \(saved); this tidemark reads \(readable)"
        case .commitMoved(let saved, let ref, let now):
            "the plan was made from \(saved.map { "commit \($0)" } ?? "plain files"), but --ref \(ref ?? "HEAD") is commit \(now) now; "
                + "refusing to apply it (run tidemark plan again, or pass --ref \(saved ?? "…"))"
        case .policiesChanged(let saved, let now):
            "the policies changed since the plan was made (digest \(saved), now \(now)); run tidemark plan again"
        case .liveStateChanged(let target, let madeAt):
            "the plan is stale: the live state of target \(target) changed since it was made at \(madeAt.formatted(.iso8601)); "
                + "run tidemark plan again"
        }
    }

    private func confirm(_ plan: Plan) throws {
        guard isatty(0) == 1 else {
            Output.error("error: refusing to apply without confirmation: standard input is not a terminal (pass --auto-approve)")
            throw ExitCode.failure
        }
        Output.line("\nApply these \(plan.actions.count) changes? Only 'yes' is accepted: ", terminator: "")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
            Output.line("Apply cancelled.")
            throw ExitCode.failure
        }
    }

    /// `created scheduler sfg (uuid)`, `bound drive db-1 (uuid) to scheduler sfg`.
    static func done(_ outcome: ApplyExecutor.Outcome, _ renderer: PlanRenderer) -> String {
        let headline = renderer.headline(outcome.action)
        switch outcome.action.kind {
        case .create: return "created \(headline) (\(outcome.id ?? "?"))"
        case .update: return "updated \(headline)"
        case .adopt: return "adopted \(headline.dropFirst("adopt ".count))"
        case .delete: return "deleted \(headline)"
        case .bind: return "bound" + headline.dropFirst("bind".count)
        case .unbind: return "unbound" + headline.dropFirst("unbind".count)
        }
    }
}
