import TidemarkProviderModel
import TidemarkProviders

/// Carries out a target's actions in the safe order docs/commands.md#tidemark-apply gives, up to `parallelism` at a time within a phase.
public struct ApplyExecutor: Sendable {
    public let provider: any Provider
    public let parallelism: Int
    /// Records every request before it is sent and after it is answered; a request whose entry cannot be written is
    /// not sent.
    public let journal: (any ApplyJournal)?
    /// The target's name, for the journal.
    public let target: String

    public init(provider: any Provider, parallelism: Int = 8, journal: (any ApplyJournal)? = nil, target: String = "") {
        self.provider = provider
        self.parallelism = max(1, parallelism)
        self.journal = journal
        self.target = target
    }

    /// What happened to one action.
    public struct Outcome: Sendable {
        public var action: PlannedAction
        public var error: String?
        public var id: String?

        public var succeeded: Bool { error == nil }
    }

    /// Applies `actions`; `progress` sees each outcome as it completes. Later phases run even if an earlier action
    /// failed, except for what depends on it (a bind to a scheduler whose create failed).
    public func apply(_ actions: [PlannedAction], progress: (Outcome) -> Void = { _ in }) async -> [Outcome] {
        var outcomes: [Outcome] = []
        var created: [String: String] = [:]
        for phase in 0...3 {
            let batch = actions.filter { $0.phase == phase }
            let resolved = batch.map { action -> (PlannedAction, ProviderAction?, String?) in
                switch action.operation {
                case .provider(let operation)?: return (action, operation, nil)
                case .bindToPlanned(let drive, let scheduler)?:
                    guard let id = created[scheduler] else { return (action, nil, "scheduler \(scheduler) was not created") }
                    return (action, .bindDrive(driveID: drive, schedulerID: id), nil)
                case nil: return (action, nil, "the action has no operation (a plan read from JSON must be recomputed)")
                }
            }
            await withTaskGroup(of: Outcome.self) { group in
                var pending = resolved[...]
                func startNext() {
                    guard let (action, operation, problem) = pending.popFirst() else { return }
                    let provider = self.provider
                    let journal = self.journal
                    let target = self.target
                    group.addTask {
                        guard let operation else { return Outcome(action: action, error: problem, id: nil) }
                        let entry: Int64?
                        do {
                            entry = try await journal?.begin(target: target, action: action)
                        } catch {
                            return Outcome(action: action, error: "not sent: cannot write the apply journal: \(error)", id: nil)
                        }
                        let outcome: Outcome
                        do {
                            outcome = Outcome(action: action, error: nil, id: try await provider.apply(operation))
                        } catch {
                            outcome = Outcome(action: action, error: "\(error)", id: nil)
                        }
                        if let entry { try? await journal?.finish(entry, error: outcome.error) }
                        return outcome
                    }
                }
                for _ in 0..<parallelism { startNext() }
                for await outcome in group {
                    if outcome.action.kind == .create, let id = outcome.id { created[outcome.action.name] = id }
                    outcomes.append(outcome)
                    progress(outcome)
                    startNext()
                }
            }
        }
        return outcomes
    }
}
