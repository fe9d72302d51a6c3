import TidemarkReconcile

/// The apply journal of a replica: a request is journalled, and so sent, only while the replica holds its target, so
/// one that lost the target in the middle of an apply sends nothing more.
struct HeldTargetJournal: ApplyJournal {
    let store: any StateStore
    let ownership: any TargetOwnership

    func begin(target: String, action: PlannedAction) async throws -> Int64 {
        guard await ownership.holds(target) else { throw NotHeld(target: target) }
        return try await store.begin(target: target, action: action)
    }

    func finish(_ entry: Int64, error: String?) async throws { try await store.finish(entry, error: error) }

    struct NotHeld: Error, CustomStringConvertible {
        var target: String
        var description: String { "this replica no longer holds target \(target); the replica that holds it now applies" }
    }
}
