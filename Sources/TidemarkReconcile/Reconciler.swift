import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// Plans policies against targets, checks a saved plan, applies, imports: what `plan`, `apply`, `import` and
/// `tidemark run` share. Callers parse their input, call it and render; it names no command-line flag.
public struct Reconciler: Sendable {
    /// This controller instance; live objects carry it in their ownership marker.
    public var instance: String
    /// The provider for a Target.
    public var connect: @Sendable (PolicyDocument<TargetSpec>) throws(ProviderError) -> any Provider

    public init(instance: String, connect: @escaping @Sendable (PolicyDocument<TargetSpec>) throws(ProviderError) -> any Provider) {
        self.instance = instance
        self.connect = connect
    }

    /// A plan, with the provider that read each target (to apply it with).
    public struct Planned: Sendable {
        public var plan: Plan
        public var providers: [String: any Provider]
    }

    /// The Targets to reconcile: all of them, or the one named.
    public static func targets(_ policies: PolicySet, named name: String?) throws(ReconcileError) -> [PolicyDocument<TargetSpec>] {
        guard let name else { return policies.targets }
        guard let document = policies.target(named: name) else {
            throw .unknownTarget(name, known: policies.targets.map(\.name))
        }
        return [document]
    }

    /// Reads each target's live state and plans it.
    public func plan(
        _ policies: PolicySet, source: Plan.Source, targets: [PolicyDocument<TargetSpec>], allowMassDelete: Bool = false,
        allowedViolations: Set<String> = [], tidemarkVersion: String, now: Date = Date()
    ) async throws(ReconcileError) -> Planned {
        var providers: [String: any Provider] = [:]
        var targetPlans: [TargetPlan] = []
        for target in targets {
            let provider = try connection(for: target)
            providers[target.name] = provider
            targetPlans.append(
                try await plan(
                    target, policies: policies, provider: provider, allowMassDelete: allowMassDelete,
                    allowedViolations: allowedViolations, now: now))
        }
        return Planned(
            plan: Plan(tidemarkVersion: tidemarkVersion, createdAt: now, source: source, targets: targetPlans), providers: providers)
    }

    /// The provider for `target`.
    public func connection(for target: PolicyDocument<TargetSpec>) throws(ReconcileError) -> any Provider {
        do {
            return try connect(target)
        } catch {
            throw .connect(target: target.name, error)
        }
    }

    /// Reads one target's live state through `provider` and plans it.
    public func plan(
        _ target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider, allowMassDelete: Bool = false,
        allowedViolations: Set<String> = [], now: Date = Date()
    ) async throws(ReconcileError) -> TargetPlan {
        try await planWithLiveState(
            target, policies: policies, provider: provider, allowMassDelete: allowMassDelete, allowedViolations: allowedViolations, now: now
        ).plan
    }

    /// Reads one target's live state through `provider` and plans it; returns the live state too, for a caller that
    /// goes on to audit it (`Auditor`) without reading it again.
    public func planWithLiveState(
        _ target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider, allowMassDelete: Bool = false,
        allowedViolations: Set<String> = [], now: Date = Date()
    ) async throws(ReconcileError) -> (plan: TargetPlan, live: LiveState) {
        do {
            let live = try await provider.readLiveState()
            let plan = try await Planner(
                instance: instance, allowMassDelete: allowMassDelete, allowedViolations: allowedViolations, now: now
            ).plan(target: target, policies: policies, live: live, snapshots: provider.snapshots)
            return (plan, live)
        } catch {
            throw .read(target: target.name, error)
        }
    }

    /// Refuses a saved plan unless it was made, in this format, from the policies and live state `current` was made from.
    public static func checkNotStale(_ saved: Plan, current: Plan) throws(StalePlan) {
        guard saved.formatVersion == Plan.formatVersion else {
            throw .formatVersion(saved: saved.formatVersion, readable: Plan.formatVersion)
        }
        if let commit = current.source.commit, saved.source.commit != commit {
            throw .commitMoved(saved: saved.source.commit, ref: current.source.ref, now: commit)
        }
        if saved.source.digest != current.source.digest {
            throw .policiesChanged(saved: saved.source.digest, now: current.source.digest)
        }
        for target in saved.targets {
            let now = current.targets.first { $0.name == target.name }
            if now?.liveVersion != target.liveVersion || now?.actions != target.actions {
                throw .liveStateChanged(target: target.name, planMadeAt: saved.createdAt)
            }
        }
    }

    /// Carries out one target's actions; `progress` sees each outcome as it completes.
    public func apply(
        _ plan: TargetPlan, provider: any Provider, parallelism: Int = 8, journal: (any ApplyJournal)?,
        progress: (ApplyExecutor.Outcome) -> Void = { _ in }
    ) async -> [ApplyExecutor.Outcome] {
        await ApplyExecutor(provider: provider, parallelism: parallelism, journal: journal, target: plan.name)
            .apply(plan.actions, progress: progress)
    }

    /// Policy files for the live objects of `target` that tidemark does not manage and no Scheduler adopts.
    public func importPolicies(
        from target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider
    ) async throws(ReconcileError) -> ImportedPolicies {
        let live: LiveState
        do {
            live = try await provider.readLiveState()
        } catch {
            throw .read(target: target.name, error)
        }
        var taken = Set(policies.schedulers.map(\.name) + policies.retentionPolicies.map(\.name) + policies.driveBindings.map(\.name))
        let adoptable = Set(policies.schedulers.filter(\.spec.adopt).map { DesiredScheduler.state(of: $0, in: policies).displayName })
        var unexpressable: [String] = []
        var importable: [(live: LiveScheduler, state: SchedulerState)] = []
        for scheduler in live.schedulers where scheduler.marker == nil && !adoptable.contains(scheduler.displayName) {
            guard let state = scheduler.state else {
                unexpressable.append("\(scheduler.displayName) (\(scheduler.id)): its settings cannot be expressed as a policy")
                continue
            }
            importable.append((scheduler, state))
        }
        var imported = ProviderRegistry.definition(for: target.spec.provider).importFiles(
            importable, live: live, target: target.name, taken: &taken)
        imported.skipped = unexpressable + imported.skipped
        return imported
    }
}

/// Why policies could not be planned against a target.
public enum ReconcileError: Error, CustomStringConvertible {
    case unknownTarget(String, known: [String])
    case connect(target: String, ProviderError)
    case read(target: String, ProviderError)

    public var description: String {
        switch self {
        case .unknownTarget(let name, let known):
            "no Target named '\(name)' in the policies (known: \(known.joined(separator: ", ")))"
        case .connect(_, let error): "\(error)"
        case .read(let target, let error): "target \(target): \(error)"
        }
    }
}

/// Why a saved plan may not be applied.
public enum StalePlan: Error, Equatable {
    /// The plan file's format is not the one this version reads.
    case formatVersion(saved: String, readable: String)
    /// The policies now come from another commit (`ref` as given; nil: HEAD).
    case commitMoved(saved: String?, ref: String?, now: String)
    /// The policy files changed (digests differ).
    case policiesChanged(saved: String, now: String)
    /// A target's live state, or the actions planned for it, changed.
    case liveStateChanged(target: String, planMadeAt: Date)
}
