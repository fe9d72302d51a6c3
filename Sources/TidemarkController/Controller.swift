import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile
import TidemarkSchedule

/// The policies of one commit, as the controller's source reads them.
public struct SourceSnapshot: Sendable {
    public var policies: PolicySet
    /// The commit id; nil for plain files.
    public var commit: String?
    /// Error diagnostics, printed; any one keeps the previous commit in force.
    public var errors: [String]

    public init(policies: PolicySet, commit: String?, errors: [String]) {
        self.policies = policies
        self.commit = commit
        self.errors = errors
    }
}

/// `tidemark run`: keeps targets in sync with the policies of the newest commit and runs controller-mode schedulers.
///
/// Each cycle fetches the source; a new commit (or the drift interval) leads to plan and apply per target. A commit
/// that does not validate is reported and nothing is applied: the last good one stays in force. Between cycles the
/// controller sleeps until the next sync or the next slot of a controller-mode scheduler, whichever is first.
public actor Controller {
    public struct Configuration: Sendable {
        public var instance: String
        public var interval: TimeInterval
        public var driftInterval: TimeInterval
        /// How a person overrides a plan error the controller will not override itself (e.g. a mass deletion).
        public var overrideHint: @Sendable (PlanProblem.Override) -> String
        /// Requirements whose violations do not stop the controller from applying.
        public var allowedViolations: Set<String>

        public init(
            instance: String, interval: TimeInterval = 60, driftInterval: TimeInterval = 300,
            overrideHint: @escaping @Sendable (PlanProblem.Override) -> String = { _ in "the controller never overrides this" },
            allowedViolations: Set<String> = []
        ) {
            self.instance = instance
            self.interval = interval
            self.driftInterval = driftInterval
            self.overrideHint = overrideHint
            self.allowedViolations = allowedViolations
        }
    }

    let configuration: Configuration
    let source: @Sendable () async throws -> SourceSnapshot
    let reconciler: Reconciler
    let store: any StateStore
    let ownership: any TargetOwnership
    let clock: any ControllerClock
    let logger: Logger
    public let metrics: ControllerMetrics

    private var inForce: SourceSnapshot?
    /// Objects breaking each requirement, per target held, as last planned; summed into the metric per requirement.
    private var violationsByTarget: [String: [String: Int]] = [:]
    private var reportedRequirements: Set<String> = []
    private var lastDriftCheck: Date?
    private var loops: [String: SlotLoop] = [:]
    /// The targets this replica held at its last rebalance, and the store session it held them in.
    private var held: Set<String> = []
    private var session: Int?
    private var ownershipChanged = false
    /// Per target: the spec they were made for, its provider, and its scheduler (which keeps the snapshot listing
    /// between cycles). A target whose spec changes in a commit gets new ones.
    private var connections: [String: (spec: TargetSpec, provider: any Provider, scheduler: ControllerScheduler)] = [:]
    private let startedAt: Date
    private var stopping = false
    private var sleeper: Task<Void, any Error>?
    public private(set) var status = ControllerStatus()

    public init(
        configuration: Configuration, source: @escaping @Sendable () async throws -> SourceSnapshot,
        makeProvider: @escaping @Sendable (PolicyDocument<TargetSpec>) throws(ProviderError) -> any Provider,
        store: any StateStore, ownership: any TargetOwnership = SoleOwnership(), clock: any ControllerClock, logger: Logger,
        metrics: ControllerMetrics = ControllerMetrics()
    ) {
        self.configuration = configuration
        self.source = source
        self.reconciler = Reconciler(instance: configuration.instance, connect: makeProvider)
        self.store = store
        self.ownership = ownership
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        startedAt = clock.now()
    }

    /// Runs until `stop()` (or `end`, in simulations). Cycles never overlap, and an action in flight always
    /// finishes: stopping only interrupts the sleep between them.
    public func run(until end: Date? = nil) async {
        FreedMemory.bound()
        for request in (try? await store.takeInFlightRequests()) ?? [] {
            logger.warning(
                "a request was in flight when the previous run stopped; the next plan accounts for it",
                metadata: ["target": "\(request.target)", "action": "\(request.kind) \(request.object)"])
        }
        var nextSync = clock.now()
        while !stopping {
            if clock.now() >= nextSync || ownershipChanged {
                let regular = clock.now() >= nextSync
                ownershipChanged = false
                await cycle()
                FreedMemory.release()
                ReadOnlyFilePages.releaseIfDue()
                if regular { nextSync = clock.now().addingTimeInterval(configuration.interval) }
            }
            // A stop that came during the cycle must not wait out the sleep.
            if stopping { break }
            var wake = loops.values.compactMap(\.nextWake).reduce(nextSync, min)
            if let end { wake = min(wake, end) }
            let sleep = Task { [clock] in try await clock.sleep(until: wake) }
            sleeper = sleep
            _ = try? await sleep.value
            sleeper = nil
            if stopping { break }
            if let end, clock.now() >= end { return }
            await fireDueSlots()
        }
        logger.info("controller stopped", metadata: ["commit": "\(status.commit ?? "-")"])
    }

    /// Runs a cycle soon: the targets this replica holds changed between cycles.
    public func targetsChanged() {
        ownershipChanged = true
        sleeper?.cancel()
    }

    /// Ready after a successful cycle, while the state store is reachable; else why not.
    public func readiness() async -> (ready: Bool, reason: String) {
        guard await ownership.isConnected() else { return (false, "the state store is unreachable") }
        return status.ready ? (true, "ready") : (false, "no successful cycle yet")
    }

    /// The Prometheus exposition, with readiness as of now.
    public func metricsExposition() async -> String {
        metrics.ready(await readiness().ready)
        return metrics.exposition()
    }

    /// The status with this replica's current holdings.
    public func currentStatus() async -> ControllerStatus {
        var current = status
        current.replica = await ownership.replicaStatus()
        return current
    }

    /// Asks `run()` to return after the action in flight, if any.
    public func stop() {
        stopping = true
        sleeper?.cancel()
    }

    /// One reconcile cycle, as Flux reconciles: fetch the source, settle which targets this replica holds, reconcile
    /// each held target (on a new commit, when drift is due, or when it was just claimed, which counts as new),
    /// rebuild the controller's slot loops, publish the status.
    public func cycle() async {
        let started = clock.now()
        let fetched = await fetch(started)
        // While the source cannot be read, targets this replica gains are reconciled with the policies in force.
        guard let snapshot = fetched ?? inForce else { return }
        let gained = await rebalance(snapshot.policies.targets.map(\.name))
        let isNew =
            fetched != nil
            && (inForce == nil || snapshot.commit != inForce?.commit || snapshot.commit == nil && snapshot.policies != inForce?.policies)
        let driftDue = fetched != nil && (lastDriftCheck.map { started.timeIntervalSince($0) >= configuration.driftInterval } ?? true)
        guard isNew || driftDue || !gained.isEmpty else { return }
        if isNew || driftDue { lastDriftCheck = started }
        let requirements = Set(snapshot.policies.requirements.map(\.name))
        for name in configuration.allowedViolations.subtracting(requirements).sorted() {
            logger.warning(
                "--allow-requirement-violation names no Requirement of the policies in force", metadata: ["requirement": "\(name)"])
        }
        var results: [TargetResult] = []
        for target in snapshot.policies.targets where held.contains(target.name) && (isNew || driftDue || gained.contains(target.name)) {
            let result = await reconcile(target, policies: snapshot.policies, isNew: isNew || gained.contains(target.name), at: started)
            // A target that failed keeps the slots it had.
            if let loop = result.loop { loops[target.name] = loop }
            results.append(result)
        }
        let order = snapshot.policies.targets.map(\.name)
        guard fetched != nil else { return await show(results, order: order) }
        inForce = snapshot
        await publish(results, order: order, commit: snapshot.commit, started: started)
    }

    /// Settles the targets held; forgets what was given up and returns what was gained. A gained target gets a new
    /// connection, so its snapshots are listed afresh (another replica may have taken some).
    private func rebalance(_ targets: [String]) async -> Set<String> {
        let holdings = await ownership.rebalance(targets: targets)
        let now = holdings.targets
        let gained = holdings.session == session ? now.subtracting(held) : now
        session = holdings.session
        for name in held.subtracting(now).union(gained) {
            loops[name] = nil
            connections[name] = nil
        }
        held = now
        status.targets.removeAll { !now.contains($0.name) }
        status.schedulers.removeAll { !now.contains($0.target) }
        metrics.ownership(held: held.count, liveReplicas: await ownership.replicaStatus()?.liveReplicas ?? 1)
        return gained
    }

    /// What a cycle did to one target.
    struct TargetResult {
        var status: ControllerStatus.TargetStatus
        var actions: [ActionRecord] = []
        var errors: [String] = []
        var loop: SlotLoop?
        /// The schedulers' status; nil keeps the one shown (the target's plan was refused or failed).
        var schedulers: [ControllerStatus.SchedulerStatus]?
        /// Objects no enabled scheduler protects as planned; nil when not planned.
        var unprotectedObjects: Int?
        /// Objects breaking each requirement that applies to the target (0 for those that hold); nil when not audited.
        var violations: [String: Int]?
    }

    /// The source's newest policies, or nil (recorded as a failed or invalid cycle) when they cannot be read or do not
    /// validate; the policies in force stay.
    private func fetch(_ started: Date) async -> SourceSnapshot? {
        let snapshot: SourceSnapshot
        do {
            snapshot = try await source()
        } catch {
            await fail(started, commit: inForce?.commit, "cannot read the policies: \(error)")
            return nil
        }
        guard snapshot.errors.isEmpty else {
            await fail(
                started, commit: snapshot.commit,
                "commit \(snapshot.commit ?? "(files)") does not validate; "
                    + "\(inForce?.commit.map { "commit \($0)" } ?? "nothing") stays in force: "
                    + snapshot.errors.prefix(5).joined(separator: "; "),
                outcome: .invalid)
            return nil
        }
        return snapshot
    }

    /// Plans one target, applies the plan (or, for drift a target only reports, records it), and builds its slot loop.
    private func reconcile(_ target: PolicyDocument<TargetSpec>, policies: PolicySet, isNew: Bool, at started: Date) async -> TargetResult {
        var result = TargetResult(
            status: ControllerStatus.TargetStatus(
                name: target.name, driftPolicy: target.spec.driftPolicy.rawValue, pendingActions: 0, lastActions: [], errors: []))
        // Lost since the rebalance: the replica that holds it now reconciles it.
        guard await ownership.holds(target.name) else { return result }
        do {
            let (provider, scheduler) = try connection(for: target)
            let planned = try await reconciler.planWithLiveState(
                target, policies: policies, provider: provider, allowedViolations: configuration.allowedViolations, now: started)
            var plan = planned.plan
            // The live state the audit may start from: as read, until an apply changes it.
            var unchanged: LiveState? = planned.live
            for index in plan.problems.indices where plan.problems[index].override != nil {
                plan.problems[index].hint = plan.problems[index].override.map(configuration.overrideHint)
            }
            result.status.unprotectedObjects = plan.unprotectedObjects
            result.unprotectedObjects = plan.unprotectedObjects
            if !plan.errors.isEmpty {
                result.status.errors = plan.errors.map(\.description)
                result.errors += plan.errors.map { "target \(target.name): \($0)" }
            } else if !plan.actions.isEmpty, isNew || target.spec.driftPolicy == .correct {
                await apply(plan, to: target, provider: provider, correctingDrift: !isNew, at: started, into: &result)
                unchanged = nil
            } else if !plan.actions.isEmpty {
                await report(plan, of: target, at: started, into: &result)
            }
            if policies.requirements.isEmpty {
                result.violations = [:]
            } else {
                await audit(
                    target, policies: policies, provider: provider, planned: unchanged.map { ($0, plan) }, at: started, into: &result)
            }
            // A refused plan changes nothing, the controller's own slots and retention included: the jobs in force stay.
            guard plan.errors.isEmpty else { return result }
            let jobs = plan.controllerJobs
            let loop = SlotLoop(jobs: jobs, scheduler: scheduler, startedAt: startedAt, now: started)
            metrics.snapshots(await loop.catchUp(at: started), slotLag: nil)
            result.loop = loop
            result.schedulers = plan.placements.map { placement in
                let job = jobs.first { $0.scheduler == placement.scheduler }
                return ControllerStatus.SchedulerStatus(
                    name: placement.scheduler, target: target.name, mode: placement.mode, drives: [],
                    nextFires: job.flatMap { try? Schedule($0.schedule).nextFires(after: started, count: 3) } ?? [])
            }
        } catch {
            result.status.errors.append("\(error)")
            result.errors.append("target \(target.name): \(error)")
        }
        return result
    }

    /// What `tidemark audit` reports for the target once the plan is applied: the requirements checked on the live state,
    /// the newest snapshots included. `planned` is the live state the plan was made from, when the plan changed nothing:
    /// then only the snapshots are read; after an apply, the live state is read again.
    private func audit(
        _ target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider, planned: (LiveState, TargetPlan)?,
        at started: Date, into result: inout TargetResult
    ) async {
        let auditor = Auditor(instance: configuration.instance, now: started)
        do {
            let audit =
                if let (live, plan) = planned {
                    try await auditor.audit(target, policies: policies, live: live, plan: plan, provider: provider)
                } else {
                    try await auditor.audit(target, policies: policies, provider: provider)
                }
            result.status.requirementViolations = audit.requirements.flatMap { requirement in
                requirement.objects.flatMap { object in object.violations.map { "\(audit.noun) \(object.object.name) \($0.detail)" } }
            }
            result.violations = Dictionary(
                audit.requirements.map { ($0.requirement, $0.objects.count { !$0.compliant }) }, uniquingKeysWith: +)
        } catch {
            logger.error("requirements not checked", metadata: ["target": "\(target.name)", "error": "\(error)"])
        }
    }

    private func apply(
        _ plan: TargetPlan, to target: PolicyDocument<TargetSpec>, provider: any Provider, correctingDrift: Bool, at started: Date,
        into result: inout TargetResult
    ) async {
        for outcome in await reconciler.apply(plan, provider: provider, journal: HeldTargetJournal(store: store, ownership: ownership)) {
            let action = "\(outcome.action.kind.rawValue) \(outcome.action.resource) \(outcome.action.name)"
            result.actions.append(
                ActionRecord(
                    target: target.name, kind: outcome.action.kind.rawValue, object: "\(outcome.action.resource) \(outcome.action.name)",
                    error: outcome.error))
            result.status.lastActions.append("\(action)\(outcome.error.map { ": \($0)" } ?? "")")
            metrics.action(kind: outcome.action.kind.rawValue, outcome: outcome.error == nil ? "ok" : "failed")
            if correctingDrift {
                try? await store.recordDrift(
                    target: target.name, action: action, outcome: outcome.error == nil ? "corrected" : "failed", at: started)
                metrics.drift(target: target.name, corrected: true)
            }
        }
    }

    /// Drift of a target with `driftPolicy: report`: recorded and shown, not corrected.
    private func report(_ plan: TargetPlan, of target: PolicyDocument<TargetSpec>, at started: Date, into result: inout TargetResult) async
    {
        result.status.pendingActions = plan.actions.count
        for action in plan.actions {
            try? await store.recordDrift(
                target: target.name, action: "\(action.kind.rawValue) \(action.resource) \(action.name)", outcome: "reported", at: started)
            metrics.drift(target: target.name, corrected: false)
        }
        logger.warning("drift reported", metadata: ["target": "\(target.name)", "actions": "\(plan.actions.count)"])
    }

    /// Records the cycle and makes its results the controller's status.
    private func publish(_ results: [TargetResult], order: [String], commit: String?, started: Date) async {
        let actions = results.flatMap(\.actions)
        let errors = results.flatMap(\.errors)
        let failed = actions.contains { $0.error != nil } || !errors.isEmpty
        let outcome: CycleOutcome = failed ? .failed : actions.isEmpty ? .unchanged : .applied
        try? await store.record(
            CycleRecord(
                commit: commit, started: started, finished: clock.now(), outcome: outcome, actions: actions,
                message: errors.isEmpty ? nil : errors.joined(separator: "; ")))
        metrics.cycle(duration: clock.now().timeIntervalSince(started), success: !failed, at: clock.now())
        status.commit = commit
        status.lastSync = started
        status.lastErrors = errors
        status.ready = status.ready || !failed
        logger.info("cycle", metadata: ["commit": "\(commit ?? "-")", "outcome": "\(outcome.rawValue)", "actions": "\(actions.count)"])
        await show(results, order: order)
    }

    /// Makes the targets' results part of the status.
    private func show(_ results: [TargetResult], order: [String]) async {
        let reconciled = Set(results.map(\.status.name))
        let kept = status.targets.filter { !reconciled.contains($0.name) }
        let targets = Dictionary(uniqueKeysWithValues: (kept + results.map(\.status)).map { ($0.name, $0) })
        status.targets = order.compactMap { targets[$0] }
        let replaced = Set(results.filter { $0.schedulers != nil }.map(\.status.name))
        status.schedulers = status.schedulers.filter { !replaced.contains($0.target) } + results.flatMap { $0.schedulers ?? [] }
        for result in results {
            metrics.pendingDrift(target: result.status.name, actions: result.status.pendingActions)
            if let unprotected = result.unprotectedObjects { metrics.unprotectedObjects(target: result.status.name, count: unprotected) }
            if let violations = result.violations { violationsByTarget[result.status.name] = violations }
        }
        violationsByTarget = violationsByTarget.filter { held.contains($0.key) }
        var totals: [String: Int] = [:]
        for counts in violationsByTarget.values { totals.merge(counts, uniquingKeysWith: +) }
        for requirement in reportedRequirements.subtracting(totals.keys) {
            metrics.requirementViolations(requirement: requirement, objects: 0)
        }
        for (requirement, objects) in totals { metrics.requirementViolations(requirement: requirement, objects: objects) }
        reportedRequirements = Set(totals.keys)
        await refreshHealth()
    }

    private func connection(for target: PolicyDocument<TargetSpec>) throws -> (any Provider, ControllerScheduler) {
        if let existing = connections[target.name], existing.spec == target.spec { return (existing.provider, existing.scheduler) }
        let provider = try reconciler.connection(for: target)
        let scheduler = ControllerScheduler(
            store: store, instance: configuration.instance, provider: provider, logger: logger,
            holdsTarget: { [ownership, name = target.name] in await ownership.holds(name) })
        connections[target.name] = (target.spec, provider, scheduler)
        return (provider, scheduler)
    }

    private func fail(_ started: Date, commit: String?, _ message: String, outcome: CycleOutcome = .failed) async {
        logger.error("cycle failed", metadata: ["error": "\(message)"])
        status.lastErrors = [message]
        try? await store.record(
            CycleRecord(commit: commit, started: started, finished: clock.now(), outcome: outcome, message: message))
        metrics.cycle(duration: clock.now().timeIntervalSince(started), success: false, at: clock.now())
    }

    private func fireDueSlots() async {
        let now = clock.now()
        for name in loops.keys.sorted() {
            guard var loop = loops[name], let next = loop.nextWake, next <= now else { continue }
            guard await ownership.holds(name) else {
                // Given up or lost with the store: another replica takes its slots, this one must not.
                loops[name] = nil
                held.remove(name)
                continue
            }
            let report = await loop.fireDue(at: now)
            loops[name] = loop
            metrics.snapshots(report, slotLag: now.timeIntervalSince(next))
            if !report.errors.isEmpty { status.lastErrors = report.errors }
        }
        await refreshHealth()
    }

    /// Newest snapshot per drive of each controller-mode scheduler, stale when older than twice its interval.
    private func refreshHealth() async {
        let now = clock.now()
        guard let newest = try? await store.newestSlots() else { return }
        for (index, scheduler) in status.schedulers.enumerated() where scheduler.mode == .controller {
            guard let job = loops[scheduler.target]?.jobs.first(where: { $0.scheduler == scheduler.name }),
                let schedule = try? Schedule(job.schedule)
            else { continue }
            let fires = schedule.nextFires(after: now.addingTimeInterval(-40 * 86400), count: 64)
            let interval = zip(fires, fires.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 86400
            metrics.scheduleInterval(scheduler: job.scheduler, seconds: interval)
            status.schedulers[index].nextFires = schedule.nextFires(after: now, count: 3)
            status.schedulers[index].drives = job.driveIDs.map { drive in
                let taken = newest[ScheduledDrive(scheduler: job.scheduler, drive: drive)]
                let age = now.timeIntervalSince(taken ?? startedAt)
                metrics.newestSnapshotAge(scheduler: job.scheduler, drive: drive, seconds: age)
                return ControllerStatus.DriveStatus(drive: drive, newestSnapshot: taken, stale: age > 2 * interval)
            }
        }
    }
}
