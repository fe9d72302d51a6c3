import Foundation
import Synchronization

/// The controller's time: the wall clock in production, a simulated one in tests.
public protocol ControllerClock: Sendable {
    func now() -> Date
    /// Waits until `deadline` (or throws `CancellationError` when the task is cancelled).
    func sleep(until deadline: Date) async throws
}

/// Real time.
public struct WallClock: ControllerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}

/// Simulated time: sleeping jumps straight to the deadline, so months of schedule run in milliseconds.
public final class SimulatedClock: ControllerClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline) }
        await Task.yield()
    }

    /// Moves the clock forward, e.g. to model downtime between two controller runs.
    public func advance(to instant: Date) {
        current.withLock { $0 = max($0, instant) }
    }
}

/// Wall time running `speed` times faster from `epoch`: for demos and for crash tests of the real binary, where
/// every process started with the same epoch and speed agrees on the time.
public struct ScaledClock: ControllerClock {
    public let epoch: Date
    public let speed: Double

    public init(epoch: Date, speed: Double) {
        self.epoch = epoch
        self.speed = speed
    }

    public func now() -> Date { epoch.addingTimeInterval(Date().timeIntervalSince(epoch) * speed) }

    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSince(now()) / speed
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
