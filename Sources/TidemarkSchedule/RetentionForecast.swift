import Foundation
import TidemarkPolicy

/// Which rule keeps each existing snapshot now, and when each will be deleted if the schedule goes on taking a
/// snapshot at every fire and retention runs after each, as the controller does. Pure: snapshots, policy, schedule and
/// "now" in.
public struct RetentionForecast: Sendable {
    /// The rules, and the schedule whose future snapshots push the existing ones out.
    public let policy: RetentionPolicySpec
    public let schedule: Schedule

    /// A forecast of `policy` as `schedule` goes on.
    public init(policy: RetentionPolicySpec, schedule: Schedule) {
        self.policy = policy
        self.schedule = schedule
    }

    /// One existing snapshot: why it is kept now, and when retention drops it.
    public struct Entry: Sendable, Hashable {
        /// The existing snapshot.
        public var snapshot: Snapshot
        /// Empty: the next retention pass deletes it.
        public var keptBy: [RetentionReason]
        /// The fire after which retention drops it; nil when it outlives the forecast (or is never deleted).
        public var deletedAt: Date?
    }

    /// Every snapshot given, in the order given, forecast over at most `horizon` seconds or 5,000 fires after `now`.
    public func entries(_ snapshots: [Snapshot], now: Date, horizon: TimeInterval = 2 * 366 * 86_400) -> [Entry] {
        let engine = RetentionEngine(policy: policy, zone: schedule.zone)
        let current = engine.evaluate(snapshots, now: now)
        var deletedAt: [Int: Date] = [:]
        for (index, decision) in current.enumerated() where !decision.keep { deletedAt[index] = now }
        // The snapshots still kept (by index into `snapshots`), and the ones the schedule adds (nil).
        var pool: [(index: Int?, snapshot: Snapshot)] = current.enumerated().filter { $0.element.keep }.map {
            ($0.offset, $0.element.snapshot)
        }
        var open = pool.count { $0.index.map { snapshots[$0].createdByTidemark } ?? false }
        var fires = 0
        schedule.forEachFire(after: Schedule.seconds(now)) { seconds in
            let fire = Date(timeIntervalSince1970: TimeInterval(seconds))
            guard open > 0, fires < 5_000, fire.timeIntervalSince(now) <= horizon else { return false }
            fires += 1
            pool.append((nil, Snapshot(id: "", takenAt: fire)))
            let decisions = engine.evaluate(pool.map(\.snapshot), now: fire)
            var kept: [(index: Int?, snapshot: Snapshot)] = []
            for (entry, decision) in zip(pool, decisions) {
                if decision.keep {
                    kept.append(entry)
                } else if let index = entry.index {
                    deletedAt[index] = fire
                    open -= 1
                }
            }
            pool = kept
            return true
        }
        return current.enumerated().map { index, decision in
            Entry(snapshot: decision.snapshot, keptBy: decision.reasons, deletedAt: deletedAt[index])
        }
    }
}
