import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile
import TidemarkSchedule

/// Takes the snapshots of controller-mode schedulers at their slots and applies their retention, exactly once per
/// slot and drive across restarts.
///
/// A slot is begun in the state store before its request is sent and completed after; its snapshot carries the
/// scheduler and slot in its name and meta. After a crash between the two, the slot is found on the target (one
/// listing at start) and completed instead of taken again.
public actor ControllerScheduler {
    public let store: any StateStore
    public let instance: String
    let provider: any Provider
    let logger: Logger
    /// How many requests to the target are in flight at once.
    let parallelism: Int
    /// Holds requests to `parallelism`, while three batches of drives are in flight: a batch waiting for its writes
    /// leaves its places to another batch's requests.
    private let requests: RequestLimiter
    /// Whether this replica still holds the target; asked before every batch of slot claims and every retention
    /// pass, so a replica that lost the target mid-run stops there.
    let holdsTarget: @Sendable () async -> Bool
    /// This instance's snapshots on the target, per scheduled drive; listed once, then kept up to date here.
    private var known: [ScheduledDrive: SlotSnapshots]?
    /// The listing taken again during this run for the unfinished claims it meets: one serves them all, since every
    /// such claim was made before the run began.
    private var relisting: Task<[ScheduledDrive: SlotSnapshots], any Error>?

    /// A scheduled drive's snapshots by the text of their slot (`SnapshotMarker.slotText`).
    typealias SlotSnapshots = [String: LiveSnapshot]

    public init(
        store: any StateStore, instance: String, provider: any Provider, logger: Logger, parallelism: Int = 8,
        holdsTarget: @escaping @Sendable () async -> Bool = { true }
    ) {
        self.holdsTarget = holdsTarget
        self.store = store
        self.instance = instance
        self.provider = provider
        self.logger = logger
        self.parallelism = max(1, parallelism)
        requests = RequestLimiter(limit: self.parallelism)
    }

    /// What one run did.
    public struct Report: Sendable {
        public var created = 0
        public var recovered = 0
        public var skipped = 0
        public var deleted = 0
        public var errors: [String] = []
    }

    /// Takes every due slot of `jobs` at `now` and applies retention. `startedAt` is when this controller process
    /// started: slots before it came due while it was down and follow the job's `missed` policy.
    public func run(_ jobs: [ControllerJob], now: Date, startedAt: Date) async -> Report {
        var report = Report()
        relisting = nil
        let slotJobs = jobs.filter { !$0.retentionOnly }
        if slotJobs.count < jobs.count { await applyObjectRetention(jobs.filter(\.retentionOnly), now: now, report: &report) }
        guard !slotJobs.isEmpty else { return report }
        do {
            var index = try await snapshotsByKey()
            for job in slotJobs {
                let schedule: Schedule
                do {
                    schedule = try Schedule(job.schedule)
                } catch {
                    report.errors.append("scheduler \(job.scheduler): \(error)")
                    continue
                }
                try await runDrives(job, schedule, now: now, startedAt: startedAt, index: &index, report: &report)
            }
            known = index
        } catch is NoLongerHeld {
            known = nil
            logger.info("stopped taking slots: this replica no longer holds the target")
        } catch {
            known = nil
            report.errors.append("\(error)")
            logger.error("controller scheduling failed", metadata: ["error": "\(error)"])
        }
        return report
    }

    /// Takes and prunes the job's drives in batches of `4 × parallelism` drives, `parallelism` requests at a time.
    /// Two batches send requests at once; a batch whose requests are done is recorded while the next one starts, so
    /// the writes are not in the requests' way. Each drive's slots and snapshots are its own, so drives interleave
    /// only at their requests and at the batches' writes.
    private func runDrives(
        _ job: ControllerJob, _ schedule: Schedule, now: Date, startedAt: Date,
        index: inout [ScheduledDrive: SlotSnapshots], report: inout Report
    ) async throws {
        // One read each for all the job's drives, not two per drive: `begin` checks each slot's state again anyway.
        let cursors = try await store.cursors(scheduler: job.scheduler)
        let pending = try await store.pendingSlots(scheduler: job.scheduler, at: now)
        let batchSize = 4 * parallelism
        let retention = job.retention.flatMap { policy in
            ZoneRules(identifier: job.schedule.timezone).map { RetentionEngine(policy: policy, zone: $0) }
        }
        // In the order of the state's keys: a batch's rows then share index pages, and its writes touch few of them.
        let ordered = job.driveIDs.sorted()
        try await withThrowingTaskGroup(of: BatchStep.self) { group in
            var start = 0
            func addNext() {
                guard start < ordered.count else { return }
                let batch = ordered[start..<min(start + batchSize, ordered.count)].map { drive in
                    let own = index[ScheduledDrive(scheduler: job.scheduler, drive: drive)] ?? [:]
                    let slots = DriveSlots(
                        job, schedule, drive: drive, cursor: cursors[drive], pending: pending[drive] ?? [],
                        known: { own[SnapshotMarker.slotText($0)] != nil }, now: now, startedAt: startedAt)
                    return (slots, own)
                }
                start += batchSize
                group.addTask { .requested(try await self.request(job, batch, now: now)) }
            }
            for _ in 0..<2 { addNext() }
            while let step = try await group.next() {
                switch step {
                case .requested(let requested):
                    addNext()
                    group.addTask { .recorded(try await self.record(job, requested, retention: retention, now: now)) }
                case .recorded(let outcome):
                    for (drive, own) in outcome.indexes { index[ScheduledDrive(scheduler: job.scheduler, drive: drive)] = own }
                    report.add(outcome.report)
                }
            }
        }
    }

    /// What one batch of drives did, and each drive's snapshots after it.
    private struct BatchOutcome: Sendable {
        var indexes: [String: SlotSnapshots] = [:]
        var report = Report()
    }

    /// A batch of drives whose snapshots were requested: what is left is to record them and apply retention.
    private struct RequestedBatch: Sendable {
        var outcome = BatchOutcome()
        /// Each drive's newest due slot, where its cursor goes.
        var newest: [ScheduledSlot] = []
        /// Slots found taken (first) and slots taken now, with their snapshots.
        var completions: [TakenSlot] = []
        var recovered = 0
    }

    private enum BatchStep: Sendable {
        case requested(RequestedBatch)
        case recorded(BatchOutcome)
    }

    /// Claims one batch of drives' slots in one write and sends their snapshot requests.
    private func request(
        _ job: ControllerJob, _ batch: [(slots: DriveSlots, own: SlotSnapshots)], now: Date
    ) async throws -> RequestedBatch {
        guard await holdsTarget() else { throw NoLongerHeld() }
        var outcome = BatchOutcome()
        for (slots, own) in batch { outcome.indexes[slots.drive] = own }
        let skipped = batch.flatMap { drive in
            drive.slots.skip.map { ScheduledSlot(scheduler: job.scheduler, drive: drive.slots.drive, slot: $0) }
        }
        if !skipped.isEmpty { try await store.skip(skipped, at: now) }
        outcome.report.skipped = skipped.count + batch.reduce(0) { $0 + $1.slots.passed }
        let starting = batch.filter(\.slots.startsCursor).map { ScheduledSlot(scheduler: job.scheduler, drive: $0.slots.drive, slot: now) }
        if !starting.isEmpty { try await store.moveCursors(to: starting) }

        let claims = batch.flatMap { drive in
            drive.slots.take.map { ScheduledSlot(scheduler: job.scheduler, drive: drive.slots.drive, slot: $0) }
        }
        let states = claims.isEmpty ? [] : try await store.begin(claims, at: now)
        var recovered: [TakenSlot] = []
        var toRequest: [String: [ScheduledSlot]] = [:]
        for (claim, state) in zip(claims, states) {
            let key = SnapshotMarker.slotText(claim.slot)
            switch state {
            case .created, .claimedElsewhere: continue
            case .pending where outcome.indexes[claim.drive]?[key] == nil:
                // An unfinished claim (a crash, an error, or a replica that stopped) may have made its snapshot after
                // the kept listing was taken: look again, once in this run, before making another.
                let relisted = relisting ?? Task { try await requests.run { try await listSnapshots() } }
                relisting = relisted
                outcome.indexes[claim.drive]?[key] = try await relisted.value[
                    ScheduledDrive(scheduler: job.scheduler, drive: claim.drive)]?[key]
            case nil, .pending, .skipped: break
            }
            if let existing = outcome.indexes[claim.drive]?[key] {
                recovered.append(TakenSlot(claim, snapshot: existing.id))
            } else {
                toRequest[claim.drive, default: []].append(claim)
            }
        }
        let created = try await createSnapshots(job, toRequest)
        for taken in created {
            outcome.indexes[taken.slot.drive]?[SnapshotMarker.slotText(taken.slot.slot)] = taken.snapshot
        }
        outcome.report.recovered = recovered.count
        outcome.report.created = created.count
        return RequestedBatch(
            outcome: outcome,
            newest: batch.compactMap { drive in
                drive.slots.newest.map { ScheduledSlot(scheduler: job.scheduler, drive: drive.slots.drive, slot: $0) }
            },
            completions: recovered + created.map { TakenSlot($0.slot, snapshot: $0.snapshot.id) }, recovered: recovered.count)
    }

    /// Completes a requested batch's slots in one write, moves the cursors of drives whose newest slot it did not
    /// take, and applies each drive's retention.
    private func record(_ job: ControllerJob, _ batch: RequestedBatch, retention: RetentionEngine?, now: Date) async throws -> BatchOutcome
    {
        var outcome = batch.outcome
        let completed = batch.completions.isEmpty ? [] : try await store.complete(batch.completions, at: now)
        for (taken, stillOurs) in zip(batch.completions, completed).dropFirst(batch.recovered) where !stillOurs {
            logger.warning(
                "a slot's claim expired before its snapshot was made; another replica may have taken the slot as well",
                metadata: ["scheduler": "\(job.scheduler)", "drive": "\(taken.slot.drive)", "snapshot": "\(taken.snapshot)"])
        }
        // Completing the newest slot moved the drive's cursor to it already, in the same transaction.
        let completedSlots = Set(batch.completions.map(\.slot))
        let moved = batch.newest.filter { !completedSlots.contains($0) }
        if !moved.isEmpty { try await store.moveCursors(to: moved) }
        if let retention { try await applyRetention(job, retention, now: now, to: &outcome) }
        return outcome
    }

    /// Requests the snapshots of `slots`, each drive's in order, `parallelism` requests at a time across the batches.
    private nonisolated func createSnapshots(
        _ job: ControllerJob, _ slots: [String: [ScheduledSlot]]
    ) async throws -> [(slot: ScheduledSlot, snapshot: LiveSnapshot)] {
        try await withThrowingTaskGroup(of: [(slot: ScheduledSlot, snapshot: LiveSnapshot)].self) { group in
            for (drive, driveSlots) in slots {
                group.addTask {
                    var made: [(slot: ScheduledSlot, snapshot: LiveSnapshot)] = []
                    for slot in driveSlots {
                        let name = SnapshotMarker.name(scheduler: job.scheduler, slot: slot.slot)
                        let meta = SnapshotMarker.meta(instance: self.instance, scheduler: job.scheduler, slot: slot.slot)
                        let snapshot = try await self.requests.run { () async throws(ProviderError) in
                            try await self.provider.createSnapshot(driveID: drive, name: name, meta: meta)
                        }
                        made.append((slot, snapshot))
                        self.logger.debug(
                            "took snapshot",
                            metadata: [
                                "scheduler": "\(job.scheduler)", "drive": "\(drive)", "slot": "\(SnapshotMarker.slotText(slot.slot))",
                            ])
                    }
                    return made
                }
            }
            var made: [(slot: ScheduledSlot, snapshot: LiveSnapshot)] = []
            for try await driveMade in group { made += driveMade }
            return made
        }
    }

    /// This instance's snapshots on the target: the listing kept since the last one, or a new one.
    private func snapshotsByKey() async throws -> [ScheduledDrive: SlotSnapshots] {
        if let known { return known }
        return try await listSnapshots()
    }

    /// This instance's snapshots on the target, listed now.
    private func listSnapshots() async throws -> [ScheduledDrive: SlotSnapshots] {
        var index: [ScheduledDrive: SlotSnapshots] = [:]
        for snapshot in try await provider.snapshots() where snapshot.meta[SnapshotMarker.ownerKey] == instance {
            guard let scheduler = snapshot.meta[SnapshotMarker.schedulerKey], let slot = snapshot.meta[SnapshotMarker.slotKey] else {
                continue
            }
            index[ScheduledDrive(scheduler: scheduler, drive: snapshot.driveID), default: [:]][slot] = snapshot
        }
        return index
    }

    /// Retention over the backups of natively scheduled objects (a plan's checkpoints, a job's backups), by the time
    /// each was taken. They are the object's, so tidemark's; the newest successful one is never deleted.
    private func applyObjectRetention(_ jobs: [ControllerJob], now: Date, report: inout Report) async {
        guard await holdsTarget() else { return }
        do {
            let all = try await provider.snapshots()
            for job in jobs {
                guard let policy = job.retention, let zone = ZoneRules(identifier: job.schedule.timezone) else { continue }
                let engine = RetentionEngine(policy: policy, zone: zone)
                for object in job.driveIDs {
                    let owned = all.filter { $0.driveID == object }
                    let byID = Dictionary(owned.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    let snapshots = owned.map { Snapshot(id: $0.id, takenAt: $0.takenAt, createdByTidemark: true, succeeded: $0.succeeded) }
                    for decision in engine.evaluate(snapshots, now: now) where !decision.keep {
                        guard byID[decision.snapshot.id] != nil else { continue }
                        try await deleteIgnoringGone(decision.snapshot.id)
                        report.deleted += 1
                        logger.debug(
                            "retention deleted a backup",
                            metadata: [
                                "scheduler": "\(job.scheduler)", "object": "\(object)",
                                "backup": "\(decision.snapshot.id)",
                            ])
                    }
                }
            }
        } catch {
            report.errors.append("\(error)")
            logger.error("controller retention failed", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes a snapshot; one that is already gone is the outcome retention wanted.
    private func deleteIgnoringGone(_ id: String) async throws(ProviderError) {
        do {
            try await provider.deleteSnapshot(id: id)
        } catch {
            guard case .http(status: 404, _, _) = error else { throw error }
        }
    }

    /// Retention over each drive's snapshots of the scheduler, by their slot instants, in the schedule's timezone:
    /// the deletions of the whole batch `parallelism` at a time, then recorded in one write.
    private func applyRetention(_ job: ControllerJob, _ engine: RetentionEngine, now: Date, to outcome: inout BatchOutcome) async throws {
        var drops: [(marker: String, taken: TakenSlot)] = []
        for (drive, own) in outcome.indexes {
            var mine: [String: (marker: String, slot: Date)] = [:]
            let snapshots = own.compactMap { marker, live -> Snapshot? in
                SnapshotMarker.slot(from: marker).map {
                    mine[live.id] = (marker, $0)
                    return Snapshot(id: live.id, takenAt: $0, createdByTidemark: true, succeeded: live.succeeded)
                }
            }
            for decision in engine.evaluate(snapshots, now: now) where !decision.keep {
                if let (marker, slot) = mine[decision.snapshot.id] {
                    let scheduled = ScheduledSlot(scheduler: job.scheduler, drive: drive, slot: slot)
                    drops.append((marker, TakenSlot(scheduled, snapshot: decision.snapshot.id)))
                }
            }
        }
        guard !drops.isEmpty, await holdsTarget() else { return }
        var deleted: [TakenSlot] = []
        var failure: (any Error)?
        await withTaskGroup(of: Result<TakenSlot, ProviderError>.self) { group in
            for drop in drops {
                group.addTask {
                    do throws(ProviderError) {
                        try await self.requests.run { () async throws(ProviderError) in
                            try await self.deleteIgnoringGone(drop.taken.snapshot)
                        }
                        return .success(drop.taken)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case .success(let taken): deleted.append(taken)
                case .failure(let error): failure = failure ?? error
                }
            }
        }
        // What was deleted is recorded even when another deletion failed.
        if !deleted.isEmpty { try await store.markDeleted(deleted, at: now) }
        let gone = Set(deleted)
        for drop in drops where gone.contains(drop.taken) { outcome.indexes[drop.taken.slot.drive]?[drop.marker] = nil }
        outcome.report.deleted += deleted.count
        if let failure { throw failure }
    }

    /// The replica lost the target mid-run: the slots left are the new holder's.
    struct NoLongerHeld: Error {}
}
