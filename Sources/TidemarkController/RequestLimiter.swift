import DequeModule
import Synchronization

/// At most `limit` bodies run at once; callers beyond it wait their turn in arrival order.
///
/// The controller keeps more drives in flight than requests, so that a batch of drives waiting for its slots' write
/// to commit does not hold the API's requests idle.
final class RequestLimiter: Sendable {
    private struct State {
        var available: Int
        var waiting: Deque<CheckedContinuation<Void, Never>> = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a place is free, in the caller's isolation.
    func run<T, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws(Failure) -> T
    ) async throws(Failure) -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.available > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the place to the longest waiting caller, or frees it.
    private func release() {
        let next = state.withLock { state in
            guard let next = state.waiting.popFirst() else {
                state.available += 1
                return nil as CheckedContinuation<Void, Never>?
            }
            return next
        }
        next?.resume()
    }
}
