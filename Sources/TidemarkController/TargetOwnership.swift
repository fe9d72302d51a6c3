/// Which targets this replica acts on. A replica reconciles, corrects drift and fires slots only for targets it holds.
public protocol TargetOwnership: Sendable {
    /// Between cycles (never mid-action): gives up the surplus, claims free targets up to the fair share, and returns
    /// the targets held now.
    func rebalance(targets: [String]) async -> Holdings
    /// Whether this replica may act on `target` now: it holds it and its store session answered recently.
    func holds(_ target: String) async -> Bool
    /// Whether the state store answers; `/readyz` is 200 only while it does.
    func isConnected() async -> Bool
    /// Who holds what, for `/status`; nil for a single replica.
    func replicaStatus() async -> ControllerStatus.ReplicaStatus?
}

/// The targets a replica holds, and the store session it holds them in: a target held again in a new session was
/// someone else's in between, so the controller treats it as newly gained.
public struct Holdings: Sendable, Equatable {
    public var targets: Set<String>
    public var session: Int

    public init(targets: Set<String>, session: Int) {
        self.targets = targets
        self.session = session
    }
}

/// One replica with its own store (SQLite): it holds every target.
public struct SoleOwnership: TargetOwnership {
    public init() {}
    public func rebalance(targets: [String]) async -> Holdings { Holdings(targets: Set(targets), session: 0) }
    public func holds(_ target: String) async -> Bool { true }
    public func isConnected() async -> Bool { true }
    public func replicaStatus() async -> ControllerStatus.ReplicaStatus? { nil }
}
