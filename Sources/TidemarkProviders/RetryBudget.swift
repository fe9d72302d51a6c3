import Synchronization
import TidemarkProviderModel

/// A cap on retries shared by every request to a target: at most `minimum` plus `ratio` retries per request sent,
/// so a failing API gets a bounded number of extra requests instead of a retry storm.
public final class RetryBudget: Sendable {
    public let ratio: Double
    public let minimum: Int
    private let counts = Mutex<(requests: Int, retries: Int, refused: Int)>((0, 0, 0))

    public init(ratio: Double = 1, minimum: Int = 100) {
        self.ratio = ratio
        self.minimum = minimum
    }

    /// Requests sent (first attempts), retries made, and retries refused because the budget was spent.
    public var statistics: (requests: Int, retries: Int, refused: Int) { counts.withLock { $0 } }

    func recordRequest() {
        counts.withLock { $0.requests += 1 }
    }

    /// Takes one retry from the budget; false when it is spent.
    func takeRetry() -> Bool {
        counts.withLock { counts in
            guard Double(counts.retries) < Double(minimum) + ratio * Double(counts.requests) else {
                counts.refused += 1
                return false
            }
            counts.retries += 1
            return true
        }
    }
}
