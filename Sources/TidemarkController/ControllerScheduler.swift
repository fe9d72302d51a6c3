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
    /// Holds requests to `parallelism`, while four times as many drives are in flight: a drive whose slot's write is
    /// waiting for its commit leaves its place to another drive's request.
    private let requests: RequestLimiter
    /// Whether this replica still holds the target; asked before every slot claim and every retention pass, so a
    /// replica that lost the target mid-run stops there.
    let holdsTarget: @Sendable () async -> Bool
    /// This instance's snapshots on the target, by scheduler|drive|slot; listed once, then kept up to date here.
    private var known: [SlotKey: LiveSnapshot]?
    /// The listing taken again during this run for the unfinished claims it meets: one serves them all, since every
    /// such claim was made before the run began.
    private var relisting: Task<[SlotKey: LiveSnapshot], any Error>?

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

    /// Takes and prunes the job's drives, `4 × parallelism` drives at a time and `parallelism` requests at a time: each
    /// drive's slots and snapshots are its own, so drives interleave only at their requests and writes.
    private func runDrives(
        _ job: ControllerJob, _ schedule: Schedule, now: Date, startedAt: Date,
        index: inout [SlotKey: LiveSnapshot], report: inout Report
    ) async throws {
        var perDrive: [String: [SlotKey: LiveSnapshot]] = [:]
        let drives = Set(job.driveIDs)
        for (key, snapshot) in index where key.scheduled.scheduler == job.scheduler && drives.contains(snapshot.driveID) {
            perDrive[snapshot.driveID, default: [:]][key] = snapshot
        }
        // One read each for all the job's drives, not two per drive: `begin` checks each slot's state again anyway.
        let cursors = try await store.cursors(scheduler: job.scheduler)
        let pending = try await store.pendingSlots(scheduler: job.scheduler, at: now)
        try await withThrowingTaskGroup(of: (drive: String, index: [SlotKey: LiveSnapshot], report: Report).self) { group in
            var remaining = job.driveIDs.makeIterator()
            func addNext() {
                guard let drive = remaining.next() else { return }
                let own = perDrive[drive] ?? [:]
                group.addTask {
                    var local = own
                    var driveReport = Report()
                    try await self.take(
                        job, schedule, drive: drive, cursor: cursors[drive], pending: pending[drive] ?? [], now: now, startedAt: startedAt,
                        index: &local, report: &driveReport)
                    try await self.applyRetention(job, drive: drive, now: now, index: &local, report: &driveReport)
                    return (drive, local, driveReport)
                }
            }
            for _ in 0..<parallelism * 4 { addNext() }
            while let result = try await group.next() {
                for key in (perDrive[result.drive] ?? [:]).keys { index[key] = nil }
                index.merge(result.index) { $1 }
                report.add(result.report)
                addNext()
            }
        }
    }

    /// This instance's snapshots on the target: the listing kept since the last one, or a new one.
    private func snapshotsByKey() async throws -> [SlotKey: LiveSnapshot] {
        if let known { return known }
        return try await listSnapshots()
    }

    /// This instance's snapshots on the target, listed now.
    private func listSnapshots() async throws -> [SlotKey: LiveSnapshot] {
        var index: [SlotKey: LiveSnapshot] = [:]
        for snapshot in try await provider.snapshots() where snapshot.meta[SnapshotMarker.ownerKey] == instance {
            guard let scheduler = snapshot.meta[SnapshotMarker.schedulerKey], let slot = snapshot.meta[SnapshotMarker.slotKey] else {
                continue
            }
            index[Self.key(scheduler, snapshot.driveID, slot)] = snapshot
        }
        return index
    }

    static func key(_ scheduler: String, _ drive: String, _ slot: String) -> SlotKey { SlotKey(scheduler, drive, slot) }

    private func take(
        _ job: ControllerJob, _ schedule: Schedule, drive: String, cursor: Date?, pending: [Date], now: Date, startedAt: Date,
        index: inout [SlotKey: LiveSnapshot], report: inout Report
    ) async throws {
        guard await holdsTarget() else { return }
        for slot in pending {
            let onTime = slot >= startedAt || job.missed == .once
            if index[Self.key(job.scheduler, drive, SnapshotMarker.slotText(slot))] != nil
                || (onTime && now.timeIntervalSince(slot) <= job.startingDeadline)
            {
                _ = try await takeSlot(job, drive: drive, slot: slot, now: now, index: &index, report: &report)
            } else {
                try await store.skip(scheduler: job.scheduler, drive: drive, slot: slot, at: now)
                report.skipped += 1
            }
        }
        guard let cursor else {
            try await store.setCursor(scheduler: job.scheduler, drive: drive, to: now)
            return
        }
        let due = schedule.fires(in: cursor.addingTimeInterval(1)..<now.addingTimeInterval(1))
        guard let newest = due.last else { return }
        var slots = due.filter { $0 >= startedAt && now.timeIntervalSince($0) <= job.startingDeadline }
        // `missed: once` takes the newest slot missed while down, even when a slot came due after the start too.
        if job.missed == .once, let missed = due.last(where: { $0 < startedAt }), now.timeIntervalSince(missed) <= job.startingDeadline {
            slots.insert(missed, at: 0)
        }
        report.skipped += due.count - slots.count
        var cursorAtNewest = false
        for slot in slots {
            cursorAtNewest = try await takeSlot(job, drive: drive, slot: slot, now: now, index: &index, report: &report) && slot == newest
        }
        // Completing the newest slot moved the cursor to it already, in the same transaction.
        if !cursorAtNewest {
            try await store.setCursor(scheduler: job.scheduler, drive: drive, to: newest)
        }
    }

    /// Takes one slot; true when it completed the slot here (which moves the drive's cursor to it).
    private func takeSlot(
        _ job: ControllerJob, drive: String, slot: Date, now: Date,
        index: inout [SlotKey: LiveSnapshot], report: inout Report
    ) async throws -> Bool {
        guard await holdsTarget() else { throw NoLongerHeld() }
        let key = Self.key(job.scheduler, drive, SnapshotMarker.slotText(slot))
        switch try await store.begin(scheduler: job.scheduler, drive: drive, slot: slot, at: now) {
        case .created, .claimedElsewhere: return false
        case .pending where index[key] == nil:
            // An unfinished claim (a crash, an error, or a replica that stopped) may have made its snapshot after
            // the kept listing was taken: look again, once in this run, before making another.
            let relisted = relisting ?? Task { try await requests.run { try await listSnapshots() } }
            relisting = relisted
            index[key] = try await relisted.value[key]
        case nil, .pending, .skipped: break
        }
        if let existing = index[key] {
            try await store.complete(scheduler: job.scheduler, drive: drive, slot: slot, snapshot: existing.id, at: now)
            report.recovered += 1
            return true
        }
        let name = SnapshotMarker.name(scheduler: job.scheduler, slot: slot)
        let meta = SnapshotMarker.meta(instance: instance, scheduler: job.scheduler, slot: slot)
        let snapshot = try await requests.run { () async throws(ProviderError) in
            try await provider.createSnapshot(driveID: drive, name: name, meta: meta)
        }
        index[key] = snapshot
        if try await !store.complete(scheduler: job.scheduler, drive: drive, slot: slot, snapshot: snapshot.id, at: now) {
            logger.warning(
                "a slot's claim expired before its snapshot was made; another replica may have taken the slot as well",
                metadata: ["scheduler": "\(job.scheduler)", "drive": "\(drive)", "snapshot": "\(snapshot.id)"])
        }
        report.created += 1
        logger.debug(
            "took snapshot", metadata: ["scheduler": "\(job.scheduler)", "drive": "\(drive)", "slot": "\(SnapshotMarker.slotText(slot))"])
        return true
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

    /// Retention over this scheduler's snapshots of the drive, by their slot instants, in the schedule's timezone.
    private func applyRetention(
        _ job: ControllerJob, drive: String, now: Date,
        index: inout [SlotKey: LiveSnapshot], report: inout Report
    ) async throws {
        guard let policy = job.retention, let zone = ZoneRules(identifier: job.schedule.timezone), await holdsTarget() else { return }
        let scheduled = ScheduledDrive(scheduler: job.scheduler, drive: drive)
        let mine = Dictionary(uniqueKeysWithValues: index.filter { $0.key.scheduled == scheduled }.map { ($0.value.id, $0) })
        let snapshots = mine.values.compactMap { key, live -> Snapshot? in
            SnapshotMarker.slot(from: key.slot).map {
                Snapshot(id: live.id, takenAt: $0, createdByTidemark: true, succeeded: live.succeeded)
            }
        }
        for decision in RetentionEngine(policy: policy, zone: zone).evaluate(snapshots, now: now) where !decision.keep {
            guard let (key, live) = mine[decision.snapshot.id] else { continue }
            try await requests.run { () async throws(ProviderError) in try await deleteIgnoringGone(live.id) }
            index[key] = nil
            try await store.markDeleted(snapshot: live.id, at: now)
            report.deleted += 1
        }
    }

    /// The replica lost the target mid-run: the slots left are the new holder's.
    struct NoLongerHeld: Error {}
}
