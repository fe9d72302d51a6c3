import Foundation
import Synchronization
import TidemarkJSON

/// Faults the emulator injects into its answers, deterministically from a seed: server errors before the request
/// is carried out (500, 502, 503), server errors after it was (500, 502: the answer is lost, the change is made),
/// and 429 with `Retry-After` in seconds or as an HTTP date.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// Fraction of API requests (0…1) that get a fault, split evenly among the kinds.
    public var rate: Double
    public var seed: UInt64

    public init(rate: Double = 0, seed: UInt64 = 1) {
        self.rate = rate
        self.seed = seed
    }
}

/// The emulator's fault state; `/_admin/faults` reads and replaces its plan.
public final class FaultInjector: Sendable {
    enum Fault: Equatable {
        case before(status: Int)
        case after(status: Int)
        case throttle(httpDate: Bool)
    }

    private struct State {
        var plan: FaultPlan
        var random: UInt64
        var injected = 0
    }

    private let state: Mutex<State>

    public init(_ plan: FaultPlan = FaultPlan()) {
        state = Mutex(State(plan: plan, random: plan.seed))
    }

    public var plan: FaultPlan {
        get { state.withLock { $0.plan } }
        set { state.withLock { $0 = State(plan: newValue, random: newValue.seed) } }
    }

    /// How many faults were injected since the plan was set.
    public var injected: Int { state.withLock { $0.injected } }

    /// The fault for the next request, if any: one draw decides whether, a second which.
    func next() -> Fault? {
        state.withLock { state in
            guard state.plan.rate > 0 else { return nil }
            let draw = Self.uniform(&state.random), kind = Self.uniform(&state.random)
            guard draw < state.plan.rate else { return nil }
            state.injected += 1
            switch Int(kind * 7) {
            case 0: return .before(status: 500)
            case 1: return .before(status: 502)
            case 2: return .before(status: 503)
            case 3: return .after(status: 500)
            case 4: return .after(status: 502)
            case 5: return .throttle(httpDate: false)
            default: return .throttle(httpDate: true)
            }
        }
    }

    /// SplitMix64 mapped to [0, 1).
    private static func uniform(_ state: inout UInt64) -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    static func errorBody(_ status: Int) -> JSON {
        .array([APIError.entry(type: "server", message: "Injected fault: HTTP \(status)", point: nil)])
    }
}
