import Foundation
import Logging
import PostgresNIO

/// Shares the targets between replicas through PostgreSQL. Each replica keeps one session open, registers in
/// `replicas` (id, address, a heartbeat), and holds a target by a session advisory lock on a stable 64-bit key of
/// its name. It holds at most ⌈targets / live replicas⌉ and gives up its surplus between cycles, so a replica that
/// joins gets its share. When a replica dies its session ends, its locks are freed, and the others claim its targets
/// at their next tick. A replica whose session is lost holds nothing until it is back.
///
/// A hold is a lease: the server ends a session idle for `liveness` (`idle_session_timeout`), which frees its locks,
/// and the replica acts only while its last heartbeat is younger than `liveness − claimInterval`. A replica cut off
/// from the database (even on a half-open connection, where a pass times out) so stops acting before another can
/// claim its targets.
public actor ReplicaCoordinator: TargetOwnership {
    public struct Settings: Sendable {
        /// How often the replica beats and claims free targets.
        public var claimInterval: TimeInterval
        /// How long a replica counts as alive after its last heartbeat (its session must be open as well).
        public var liveness: TimeInterval

        public init(claimInterval: TimeInterval = 5, liveness: TimeInterval = 15) {
            self.claimInterval = claimInterval
            self.liveness = liveness
        }
    }

    let location: PostgresLocation
    public let replica: String
    let address: String
    let instance: String
    let settings: Settings
    let logger: Logger
    let metrics: ControllerMetrics
    private var connection: PostgresConnection?
    /// Counts the sessions opened; the current one's number.
    private var connectionCount = 0
    /// When the current session last answered a heartbeat.
    private var lastBeat: ContinuousClock.Instant?
    private var targets: [String] = []
    private var held: Set<String> = []
    private var liveReplicas = 0
    private var lastError: String?
    private var onChange: (@Sendable () async -> Void)?
    private var loop: Task<Void, Never>?
    private var lastPass: Task<Void, Never>?
    private var stopped = false

    public init(
        location: PostgresLocation, replica: String, address: String, instance: String, settings: Settings = Settings(),
        logger: Logger, metrics: ControllerMetrics
    ) {
        self.location = location
        self.replica = replica
        self.address = address
        self.instance = instance
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    /// Starts beating and claiming every `claimInterval`; `onChange` is told when the targets held change between
    /// cycles (a target claimed, the session lost, a surplus to give up), so the controller runs a cycle.
    public func start(onChange: @escaping @Sendable () async -> Void) {
        self.onChange = onChange
        let interval = settings.claimInterval
        loop = Task { [weak self] in
            while !Task.isCancelled {
                await self?.tick()
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    /// Stops claiming, frees every target and ends the session.
    public func stop() async {
        loop?.cancel()
        stopped = true
        await serialized {
            if let connection = $0.connection {
                for target in $0.held.sorted() { try? await $0.release(target, on: connection) }
                $0.connection = nil
                try? await connection.close()
            }
        }
    }

    public func rebalance(targets: [String]) async -> Holdings {
        self.targets = targets
        await serialized { await $0.timedPass(givingUpSurplus: true) }
        return Holdings(targets: held, session: connectionCount)
    }

    public func holds(_ target: String) async -> Bool {
        guard isConnected(), held.contains(target), let lastBeat else { return false }
        return ContinuousClock.now - lastBeat < .seconds(settings.liveness - settings.claimInterval)
    }

    public func isConnected() -> Bool { connection.map { !$0.isClosed } ?? false }

    public func replicaStatus() async -> ControllerStatus.ReplicaStatus? {
        ControllerStatus.ReplicaStatus(
            id: replica, storeConnected: isConnected(), liveReplicas: liveReplicas, heldTargets: held.sorted(), lastError: lastError)
    }

    /// The advisory lock key of a target: FNV-1a (64 bits) of the instance and the target name.
    public static func lockKey(instance: String, target: String) -> Int64 {
        Int64(bitPattern: fnv1a("tidemark:\(instance):\(target)"))
    }

    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    private func tick() async {
        let before = held
        await serialized { await $0.timedPass(givingUpSurplus: false) }
        if held != before || held.count > fairShare { await onChange?() }
    }

    /// Runs passes one at a time: the tick and a cycle's rebalance share one session.
    private func serialized(_ body: @escaping @Sendable (isolated ReplicaCoordinator) async -> Void) async {
        let previous = lastPass
        let pass = Task {
            await previous?.value
            await body(self)
        }
        lastPass = pass
        await pass.value
    }

    private var fairShare: Int {
        targets.isEmpty ? 0 : (targets.count + max(liveReplicas, 1) - 1) / max(liveReplicas, 1)
    }

    /// A pass that does not finish in time (a half-open connection never answers) ends the session.
    private func timedPass(givingUpSurplus: Bool) async {
        let timeout = max(settings.claimInterval, settings.liveness / 3)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            await self.lose(PassTimedOut(seconds: timeout), session: self.connectionCount)
        }
        await pass(givingUpSurplus: givingUpSurplus)
        watchdog.cancel()
    }

    /// Beats, counts the live replicas, frees targets no longer wanted (and the surplus, between cycles), and claims
    /// free targets up to the fair share.
    private func pass(givingUpSurplus: Bool) async {
        guard !stopped else { return }
        do {
            let connection = try await connected()
            try await connection.query(
                "UPDATE replicas SET seen = extract(epoch FROM clock_timestamp()) WHERE id = \(replica)", logger: logger)
            lastBeat = .now
            let live = try await connection.query(
                "SELECT count(*) FROM (\(unescaped: PostgresStateStore.liveReplicas(settings.liveness))) AS live", logger: logger)
            for try await count in live.decode(Int.self) { liveReplicas = count }
            let wanted = Set(targets)
            for target in held.subtracting(wanted).sorted() { try await release(target, on: connection) }
            if givingUpSurplus, held.count > fairShare {
                for target in held.sorted(by: claimOrder).suffix(held.count - fairShare) { try await release(target, on: connection) }
            }
            for target in targets.sorted(by: claimOrder) where held.count < fairShare && !held.contains(target) {
                try await claim(target, on: connection)
            }
            lastError = nil
        } catch {
            await lose(error, session: connectionCount)
        }
    }

    /// Targets in this replica's own order (rendezvous hashing), so replicas starting together try different ones first.
    private func claimOrder(_ first: String, _ second: String) -> Bool {
        Self.fnv1a("\(replica)/\(first)") < Self.fnv1a("\(replica)/\(second)")
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connectionCount += 1
        let connection = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration, id: connectionCount, logger: logger)
        do {
            try await connection.query(
                "SET idle_session_timeout = \(unescaped: String(Int(settings.liveness * 1000)))", logger: logger)
            try await connection.query(
                """
                INSERT INTO replicas (id, address, started, seen, pid)
                VALUES (
                    \(replica), \(address), extract(epoch FROM clock_timestamp()), extract(epoch FROM clock_timestamp()),
                    pg_backend_pid())
                ON CONFLICT (id) DO UPDATE SET address = excluded.address, started = excluded.started, seen = excluded.seen,
                    pid = excluded.pid
                """, logger: logger)
            try await connection.query(
                "DELETE FROM replicas WHERE seen < extract(epoch FROM clock_timestamp()) - 86400", logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        let id = connectionCount
        connection.closeFuture.whenComplete { _ in Task { await self.closed(id) } }
        self.connection = connection
        held = []
        lastBeat = nil
        logger.info("replica registered with the state store", metadata: ["replica": "\(replica)", "store": "\(location)"])
        return connection
    }

    private func claim(_ target: String, on connection: PostgresConnection) async throws {
        let key = Self.lockKey(instance: instance, target: target)
        let locked = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
        var acquired = false
        for try await value in locked.decode(Bool.self) { acquired = value }
        guard acquired else { return }
        held.insert(target)
        let previous = try await connection.query(
            """
            UPDATE holds SET released = extract(epoch FROM clock_timestamp())
            WHERE target = \(target) AND released IS NULL RETURNING replica
            """, logger: logger)
        for try await holder in previous.decode(String.self) where holder != replica {
            metrics.takeover(target: target)
            logger.warning("took over a target from a replica that stopped", metadata: ["target": "\(target)", "from": "\(holder)"])
        }
        try await connection.query(
            """
            INSERT INTO holds (target, replica, acquired) VALUES (\(target), \(replica), extract(epoch FROM clock_timestamp()))
            """, logger: logger)
        logger.info("holds target", metadata: ["target": "\(target)", "replica": "\(replica)"])
    }

    private func release(_ target: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey(instance: instance, target: target)))", logger: logger)
        held.remove(target)
        try await connection.query(
            """
            UPDATE holds SET released = extract(epoch FROM clock_timestamp())
            WHERE target = \(target) AND replica = \(replica) AND released IS NULL
            """, logger: logger)
        logger.info("released target", metadata: ["target": "\(target)", "replica": "\(replica)"])
    }

    /// Session `session` closed; unless this replica closed it itself, it is lost.
    private func closed(_ session: Int) async {
        guard connection != nil, !stopped else { return }
        await lose(ConnectionClosed(), session: session)
    }

    /// Session `session` ended or stopped answering: its locks are gone (or soon will be), so this replica holds
    /// nothing. A later session is left alone.
    private func lose(_ error: any Error, session: Int) async {
        guard session == connectionCount else { return }
        let had = held
        held = []
        lastBeat = nil
        if let lost = connection {
            connection = nil
            // Not awaited: closing politely needs an answer a frozen server never gives.
            Task { try? await lost.close() }
        }
        if lastError == nil || !had.isEmpty {
            logger.error(
                "lost the state store; acting on no target until it is back",
                metadata: ["replica": "\(replica)", "targets": "\(had.sorted())", "error": "\(String(reflecting: error))"])
        }
        lastError = "\(error)"
        if !had.isEmpty { await onChange?() }
    }

    struct ConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the connection to the state store closed" }
    }

    struct PassTimedOut: Error, CustomStringConvertible {
        var seconds: TimeInterval
        var description: String { "the state store did not answer within \(seconds) s" }
    }
}
