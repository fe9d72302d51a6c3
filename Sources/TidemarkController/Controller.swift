import Foundation
import Logging
import TidemarkPolicy
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

        public init(instance: String, interval: TimeInterval = 60, driftInterval: TimeInterval = 300) {
            self.instance = instance
            self.interval = interval
            self.driftInterval = driftInterval
        }
    }

    let configuration: Configuration
    let source: @Sendable () async throws -> SourceSnapshot
    let makeProvider: @Sendable (PolicyDocument<TargetSpec>) throws -> any Provider
    let store: StateStore
    let clock: any ControllerClock
    let logger: Logger
    public let metrics: ControllerMetrics

    private var inForce: SourceSnapshot?
    private var lastDriftCheck: Date?
    private var loops: [String: SlotLoop] = [:]
    /// Per target: the spec they were made for, its provider, and its scheduler (which keeps the snapshot listing
    /// between cycles). A target whose spec changes in a commit gets new ones.
    private var connections: [String: (spec: TargetSpec, provider: any Provider, scheduler: ControllerScheduler)] = [:]
    private let startedAt: Date
    private var stopping = false
    private var sleeper: Task<Void, any Error>?
    public private(set) var status = ControllerStatus()

    public init(
        configuration: Configuration, source: @escaping @Sendable () async throws -> SourceSnapshot,
        makeProvider: @escaping @Sendable (PolicyDocument<TargetSpec>) throws -> any Provider,
        store: StateStore, clock: any ControllerClock, logger: Logger, metrics: ControllerMetrics = ControllerMetrics()
    ) {
        self.configuration = configuration
        self.source = source
        self.makeProvider = makeProvider
        self.store = store
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        startedAt = clock.now()
    }

    /// Runs until `stop()` (or `end`, in simulations). Cycles never overlap, and an action in flight always
    /// finishes: stopping only interrupts the sleep between them.
    public func run(until end: Date? = nil) async {
        for request in (try? store.takeInFlightRequests()) ?? [] {
            logger.warning(
                "a request was in flight when the previous run stopped; the next plan accounts for it",
                metadata: ["target": "\(request.target)", "action": "\(request.kind) \(request.object)"])
        }
        var nextSync = clock.now()
        while !stopping {
            if clock.now() >= nextSync {
                await cycle()
                nextSync = clock.now().addingTimeInterval(configuration.interval)
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

    /// Asks `run()` to return after the action in flight, if any.
    public func stop() {
        stopping = true
        sleeper?.cancel()
    }

    /// One reconcile cycle: fetch, validate, and (on a new commit or when drift is due) plan and apply.
    public func cycle() async {
        let started = clock.now()
        let snapshot: SourceSnapshot
        do {
            snapshot = try await source()
        } catch {
            fail(started, commit: inForce?.commit, "cannot read the policies: \(error)")
            return
        }
        guard snapshot.errors.isEmpty else {
            fail(
                started, commit: snapshot.commit,
                "commit \(snapshot.commit ?? "(files)") does not validate; "
                    + "\(inForce?.commit.map { "commit \($0)" } ?? "nothing") stays in force: "
                    + snapshot.errors.prefix(5).joined(separator: "; "),
                outcome: "invalid")
            return
        }
        let isNew = inForce == nil || snapshot.commit != inForce?.commit || snapshot.commit == nil && snapshot.policies != inForce?.policies
        let driftDue = lastDriftCheck.map { started.timeIntervalSince($0) >= configuration.driftInterval } ?? true
        guard isNew || driftDue else { return }
        lastDriftCheck = started

        var actions: [(target: String, kind: String, object: String, error: String?)] = []
        var errors: [String] = []
        var targets: [ControllerStatus.TargetStatus] = []
        var newLoops: [String: SlotLoop] = [:]
        var schedulers: [ControllerStatus.SchedulerStatus] = []
        for target in snapshot.policies.targets {
            var targetStatus = ControllerStatus.TargetStatus(
                name: target.name, driftPolicy: target.spec.driftPolicy.rawValue,
                pendingActions: 0, lastActions: [], errors: [])
            do {
                let (provider, scheduler) = try connection(for: target)
                let live = try await provider.readLiveState()
                let plan = try await Planner(instance: configuration.instance, now: started)
                    .plan(target: target, policies: snapshot.policies, live: live, snapshots: provider.snapshots)
                if !plan.errors.isEmpty {
                    targetStatus.errors = plan.errors
                    errors += plan.errors.map { "target \(target.name): \($0)" }
                } else if !plan.actions.isEmpty {
                    if isNew || target.spec.driftPolicy == .correct {
                        for outcome in await ApplyExecutor(provider: provider, journal: store, target: target.name).apply(plan.actions) {
                            let object = "\(outcome.action.resource) \(outcome.action.name)"
                            actions.append((target.name, outcome.action.kind.rawValue, object, outcome.error))
                            targetStatus.lastActions.append(
                                "\(outcome.action.kind.rawValue) \(object)\(outcome.error.map { ": \($0)" } ?? "")")
                            metrics.action(kind: outcome.action.kind.rawValue, outcome: outcome.error == nil ? "ok" : "failed")
                            if !isNew {
                                try? store.recordDrift(
                                    target: target.name, action: "\(outcome.action.kind.rawValue) \(object)",
                                    outcome: outcome.error == nil ? "corrected" : "failed", at: started)
                                metrics.drift(target: target.name, corrected: true)
                            }
                        }
                    } else {
                        targetStatus.pendingActions = plan.actions.count
                        for action in plan.actions {
                            try? store.recordDrift(
                                target: target.name, action: "\(action.kind.rawValue) \(action.resource) \(action.name)",
                                outcome: "reported", at: started)
                            metrics.drift(target: target.name, corrected: false)
                        }
                        logger.warning("drift reported", metadata: ["target": "\(target.name)", "actions": "\(plan.actions.count)"])
                    }
                }
                let jobs = ControllerJob.jobs(
                    target: target.name, plan: plan, policies: snapshot.policies, live: live,
                    instance: configuration.instance)
                let loop = SlotLoop(jobs: jobs, scheduler: scheduler, startedAt: startedAt, now: started)
                metrics.snapshots(await loop.catchUp(at: started), slotLag: nil)
                newLoops[target.name] = loop
                for placement in plan.placements {
                    let job = jobs.first { $0.scheduler == placement.scheduler }
                    schedulers.append(
                        ControllerStatus.SchedulerStatus(
                            name: placement.scheduler, target: target.name, mode: placement.mode, drives: [],
                            nextFires: job.flatMap { try? Schedule($0.schedule).nextFires(after: started, count: 3) } ?? []))
                }
            } catch {
                targetStatus.errors.append("\(error)")
                errors.append("target \(target.name): \(error)")
            }
            targets.append(targetStatus)
        }
        loops = newLoops
        inForce = snapshot
        let failed = actions.contains { $0.error != nil } || !errors.isEmpty
        let outcome = failed ? "failed" : actions.isEmpty ? "unchanged" : "applied"
        try? store.record(
            StateStore.CycleRecord(
                commit: snapshot.commit, started: started, finished: clock.now(), outcome: outcome,
                actions: actions, message: errors.isEmpty ? nil : errors.joined(separator: "; ")))
        metrics.cycle(duration: clock.now().timeIntervalSince(started), success: !failed, at: clock.now())
        status.commit = snapshot.commit
        status.lastSync = started
        status.lastErrors = errors
        status.targets = targets
        status.schedulers = schedulers
        status.ready = status.ready || !failed
        logger.info("cycle", metadata: ["commit": "\(snapshot.commit ?? "-")", "outcome": "\(outcome)", "actions": "\(actions.count)"])
        refreshHealth()
    }

    private func connection(for target: PolicyDocument<TargetSpec>) throws -> (any Provider, ControllerScheduler) {
        if let existing = connections[target.name], existing.spec == target.spec { return (existing.provider, existing.scheduler) }
        let provider = try makeProvider(target)
        let scheduler = ControllerScheduler(store: store, instance: configuration.instance, provider: provider, logger: logger)
        connections[target.name] = (target.spec, provider, scheduler)
        return (provider, scheduler)
    }

    private func fail(_ started: Date, commit: String?, _ message: String, outcome: String = "failed") {
        logger.error("cycle failed", metadata: ["error": "\(message)"])
        status.lastErrors = [message]
        try? store.record(
            StateStore.CycleRecord(commit: commit, started: started, finished: clock.now(), outcome: outcome, message: message))
        metrics.cycle(duration: clock.now().timeIntervalSince(started), success: false, at: clock.now())
    }

    private func fireDueSlots() async {
        let now = clock.now()
        for name in loops.keys.sorted() {
            guard var loop = loops[name], let next = loop.nextWake, next <= now else { continue }
            let report = await loop.fireDue(at: now)
            loops[name] = loop
            metrics.snapshots(report, slotLag: now.timeIntervalSince(next))
            if !report.errors.isEmpty { status.lastErrors = report.errors }
        }
        refreshHealth()
    }

    /// Newest snapshot per drive of each controller-mode scheduler, stale when older than twice its interval.
    private func refreshHealth() {
        let now = clock.now()
        guard let newest = try? store.newestSlots() else { return }
        for (index, scheduler) in status.schedulers.enumerated() where scheduler.mode == .controller {
            guard let job = loops[scheduler.target]?.jobs.first(where: { $0.scheduler == scheduler.name }),
                let schedule = try? Schedule(job.schedule)
            else { continue }
            let fires = schedule.nextFires(after: now.addingTimeInterval(-40 * 86400), count: 64)
            let interval = zip(fires, fires.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 86400
            status.schedulers[index].nextFires = schedule.nextFires(after: now, count: 3)
            status.schedulers[index].drives = job.driveIDs.map { drive in
                let taken = newest["\(job.scheduler)|\(drive)"]
                let age = now.timeIntervalSince(taken ?? startedAt)
                metrics.newestSnapshotAge(scheduler: job.scheduler, drive: drive, seconds: age)
                return ControllerStatus.DriveStatus(drive: drive, newestSnapshot: taken, stale: age > 2 * interval)
            }
        }
    }
}
