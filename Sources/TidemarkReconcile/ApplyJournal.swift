/// Where apply records each mutating request before it is sent and its outcome after, so that a run killed in
/// between leaves a trace: the next run reports the requests that were in flight.
public protocol ApplyJournal: Sendable {
    /// Records that the request for `action` on `target` is about to be sent; returns the entry's id.
    func begin(target: String, action: PlannedAction) async throws -> Int64
    /// Records the request's outcome: nil for success, else the error.
    func finish(_ entry: Int64, error: String?) async throws
}
