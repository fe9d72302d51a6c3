import Foundation
import Synchronization
import TidemarkJSON

/// Faults the emulator injects into its answers, deterministically from a seed: server errors before the request
/// is carried out (500, 502, 503), server errors after it was (500, 502: the answer is lost, the change is made),
/// 429 with `Retry-After` in seconds or as an HTTP date, and with `connectionFaults` requests never answered and
/// connections closed in the middle of the body (after the change was made). Independently of the rate: added
/// latency, and a quota of requests per second beyond which every request gets 429.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// Fraction of API requests (0…1) that get a fault, split evenly among the kinds.
    public var rate: Double
    public var seed: UInt64
    /// Delay added to every API answer.
    public var latencyMilliseconds: Int
    /// Whether never-answered requests and bodies cut off mid-way are among the kinds.
    public var connectionFaults: Bool
    /// How long a never-answered request is held before the connection is closed.
    public var hangSeconds: Int
    /// API requests allowed per second; 0 means no quota.
    public var quota: Int
    /// Fault rates of particular routes, by `METHOD /path/prefix` or `/path/prefix`; the longest match wins over `rate`.
    public var routes: [String: Double]

    public init(
        rate: Double = 0, seed: UInt64 = 1, latencyMilliseconds: Int = 0, connectionFaults: Bool = false, hangSeconds: Int = 60,
        quota: Int = 0, routes: [String: Double] = [:]
    ) {
        self.routes = routes
        self.rate = rate
        self.seed = seed
        self.latencyMilliseconds = latencyMilliseconds
        self.connectionFaults = connectionFaults
        self.hangSeconds = hangSeconds
        self.quota = quota
    }

    enum CodingKeys: String, CodingKey {
        case rate, seed
        case latencyMilliseconds = "latency_ms"
        case connectionFaults = "connection_faults"
        case hangSeconds = "hang_seconds"
        case quota, routes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rate: try container.decode(Double.self, forKey: .rate), seed: try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1,
            latencyMilliseconds: try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? 0,
            connectionFaults: try container.decodeIfPresent(Bool.self, forKey: .connectionFaults) ?? false,
            hangSeconds: try container.decodeIfPresent(Int.self, forKey: .hangSeconds) ?? 60,
            quota: try container.decodeIfPresent(Int.self, forKey: .quota) ?? 0,
            routes: try container.decodeIfPresent([String: Double].self, forKey: .routes) ?? [:])
    }

    /// The fault rate of a request: its route's, else the plan's.
    func rate(method: String, path: String) -> Double {
        let matches = routes.filter { route, _ in
            let parts = route.split(separator: " ", maxSplits: 1)
            return parts.count == 2 ? parts[0] == method && path.hasPrefix(parts[1]) : path.hasPrefix(route)
        }
        return matches.max { $0.key.count < $1.key.count }?.value ?? rate
    }
}

/// The emulator's fault state; `/_admin/faults` reads and replaces its plan.
public final class FaultInjector: Sendable {
    enum Fault: Equatable {
        case before(status: Int)
        case after(status: Int)
        case throttle(httpDate: Bool)
        /// The request is never answered.
        case hang
        /// The request is carried out and the connection closed halfway through the answer's body.
        case drop
    }

    private struct State {
        var plan: FaultPlan
        var random: UInt64
        var injected = 0
        var window = 0
        var inWindow = 0
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
    func next(method: String = "GET", path: String = "/") -> Fault? {
        state.withLock { state in
            let rate = state.plan.rate(method: method, path: path)
            guard rate > 0 else { return nil }
            let draw = Self.uniform(&state.random)
            let kind = Self.uniform(&state.random)
            guard draw < rate else { return nil }
            state.injected += 1
            switch Int(kind * (state.plan.connectionFaults ? 9 : 7)) {
            case 0: return .before(status: 500)
            case 1: return .before(status: 502)
            case 2: return .before(status: 503)
            case 3: return .after(status: 500)
            case 4: return .after(status: 502)
            case 5: return .throttle(httpDate: false)
            case 6: return .throttle(httpDate: true)
            case 7: return .hang
            default: return .drop
            }
        }
    }

    /// When the request is over the quota of this second: the seconds to wait before the next one.
    func overQuota(at now: Date = Date()) -> Int? {
        state.withLock { state in
            guard state.plan.quota > 0 else { return nil }
            let second = Int(now.timeIntervalSince1970)
            if second != state.window {
                state.window = second
                state.inWindow = 0
            }
            state.inWindow += 1
            guard state.inWindow > state.plan.quota else { return nil }
            state.injected += 1
            return 1
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
