import GRDB
import Synchronization

/// Writes from concurrent callers gathered into one transaction, so one fsync serves many slots.
///
/// While a transaction commits, the writes that arrive queue up; the next transaction takes all of them, each in its
/// own savepoint, so one failing write does not undo the others. A caller is resumed only after the transaction that
/// holds its write has committed: a write reported done is on disk, exactly as with a transaction of its own, which
/// is what the controller's exactly-once rule needs (a slot's intent is durable before its request is sent).
final class GroupCommit: Sendable {
    private struct Queued: Sendable {
        let body: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct Queue {
        var waiting: [Queued] = []
        var committing = false
    }

    private let database: DatabasePool
    private let queue = Mutex(Queue())

    init(_ database: DatabasePool) {
        self.database = database
    }

    /// Runs `body` in the next group's transaction and returns its result once that transaction has committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let startsGroup = queue.withLock { queue in
                queue.waiting.append(Queued(body: { try body($0) }, continuation: continuation))
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            if startsGroup { Task { await self.commitGroups() } }
        }
        return result as! T
    }

    /// Commits the queued writes group by group until none are left.
    private func commitGroups() async {
        while true {
            let group = queue.withLock { queue in
                let group = queue.waiting
                queue.waiting = []
                if group.isEmpty { queue.committing = false }
                return group
            }
            guard !group.isEmpty else { return }
            do {
                let outcomes = try await database.write { db in
                    group.map { queued -> Result<any Sendable, any Error> in
                        var outcome: Result<any Sendable, any Error> = .failure(CancellationError())
                        do {
                            try db.inSavepoint {
                                outcome = .success(try queued.body(db))
                                return .commit
                            }
                        } catch {
                            outcome = .failure(error)
                        }
                        return outcome
                    }
                }
                for (queued, outcome) in zip(group, outcomes) { queued.continuation.resume(with: outcome) }
            } catch {
                for queued in group { queued.continuation.resume(throwing: error) }
            }
        }
    }
}
