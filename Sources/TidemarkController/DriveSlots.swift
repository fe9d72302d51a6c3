import Foundation
import TidemarkReconcile
import TidemarkSchedule

/// What one run does with one drive's slots of a job: which to take, which to mark skipped, where its cursor goes.
///
/// Pure: made from the drive's cursor, its unfinished claims and the snapshots known on the target, at `now`.
struct DriveSlots {
    var drive: String
    /// Slots to claim and take, oldest first: unfinished claims still worth finishing, then the slots now due.
    var take: [Date] = []
    /// Unfinished claims too late to take: recorded as skipped.
    var skip: [Date] = []
    /// Due slots passed over (missed while down, or past the deadline): counted, not recorded.
    var passed = 0
    /// The drive has no cursor yet: it starts at `now` and takes nothing due before.
    var startsCursor = false
    /// The newest slot due: the cursor moves there, by completing it or, when it is not taken, on its own.
    var newest: Date?

    init(
        _ job: ControllerJob, _ schedule: Schedule, drive: String, cursor: Date?, pending: [Date], known: (Date) -> Bool,
        now: Date, startedAt: Date
    ) {
        self.drive = drive
        for slot in pending {
            let onTime = slot >= startedAt || job.missed == .once
            if known(slot) || (onTime && now.timeIntervalSince(slot) <= job.startingDeadline) {
                take.append(slot)
            } else {
                skip.append(slot)
            }
        }
        guard let cursor else {
            startsCursor = true
            return
        }
        let due = schedule.fires(in: cursor.addingTimeInterval(1)..<now.addingTimeInterval(1))
        guard let newest = due.last else { return }
        self.newest = newest
        var slots = due.filter { $0 >= startedAt && now.timeIntervalSince($0) <= job.startingDeadline }
        // `missed: once` takes the newest slot missed while down, even when a slot came due after the start too.
        if job.missed == .once, let missed = due.last(where: { $0 < startedAt }), now.timeIntervalSince(missed) <= job.startingDeadline {
            slots.insert(missed, at: 0)
        }
        passed = due.count - slots.count
        // A claim left unfinished after the cursor is due again: it is taken once.
        let unfinished = Set(take)
        take += slots.filter { !unfinished.contains($0) }
    }
}
