import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TidemarkController
import TidemarkProviderModel
import TidemarkProviders

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Keep the targets in sync with the policies, and run controller-mode schedulers.",
        discussion: """
            Every --interval: fetch the policies (with --repo, the newest commit of --ref); on a new commit, or every \
            --drift-interval, plan and apply per target (a target with driftPolicy: report only records drift between \
            commits). A commit that does not validate is reported and the last good one stays in force. Schedulers in \
            controller mode get their snapshots taken at their slots and their retention applied, exactly once per \
            slot and drive across restarts (state in --state). With a postgres:// --state, several replicas share the \
            targets: each holds some (advisory locks) and takes over those of a replica that stops. Serves /healthz, \
            /readyz, /metrics and /status on --listen. SIGTERM or SIGINT: the action in flight finishes, then tidemark \
            exits 0.
            """
    )

    @Option(help: "The policy directory or file (default: policies; with --repo, the repository's root).")
    var path: String?

    @OptionGroup(title: "Policies from git")
    var source: PolicySourceOptions

    @Option(help: "How often to fetch the policies, e.g. 30s, 1m, 5m.", transform: RunCommand.duration)
    var interval: TimeInterval = 60

    @Option(name: .customLong("drift-interval"), help: "How often to re-read live state between commits.", transform: RunCommand.duration)
    var driftInterval: TimeInterval = 300

    @Option(
        name: .customLong("request-timeout"), help: "How long one HTTP request may take before it is abandoned, e.g. 30s.",
        transform: RunCommand.duration)
    var requestTimeout: TimeInterval = 30

    @Option(
        help: """
            The state store: sqlite:PATH (one replica), or postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…] shared by \
            replicas (password in $TIDEMARK_STATE_PASSWORD or $TIDEMARK_STATE_PASSWORD_FILE).
            """)
    var state: String = "sqlite:tidemark-state.sqlite"

    @Option(help: "This replica's id in a shared store. Default: $TIDEMARK_REPLICA, else HOSTNAME-PID.")
    var replica: String = ProcessInfo.processInfo.environment["TIDEMARK_REPLICA"] ?? RunCommand.defaultReplica

    @Option(
        name: .customLong("claim-interval"), help: "With replicas: how often to beat and claim free targets.",
        transform: RunCommand.duration)
    var claimInterval: TimeInterval = 5

    @Option(
        name: .customLong("allow-requirement-violation"),
        help: ArgumentHelp("Apply even though the planned state breaks this Requirement (repeatable).", valueName: "name"))
    var allowedViolations: [String] = []

    @Option(help: "Address of the HTTP endpoints (loopback by default).")
    var listen: String = "127.0.0.1:9464"

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: LogFormat = .text

    @Option(
        name: .customLong("log-level"), help: "trace, debug (every HTTP request, without credentials), info, notice, warning or error.",
        transform: RunCommand.logLevel)
    var logLevel: Logger.Level = .info

    @Option(help: "This controller instance's id (ownership marker). Default: $TIDEMARK_INSTANCE or 'tidemark'.")
    var instance: String = ProcessInfo.processInfo.environment["TIDEMARK_INSTANCE"] ?? "tidemark"

    @Option(name: .customLong("clock-speed"), help: .hidden)
    var clockSpeed: Double?

    @Option(name: .customLong("clock-epoch"), help: .hidden)
    var clockEpoch: Double?

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    static func duration(_ text: String) throws -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600]
        guard let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount > 0 else {
            throw ValidationError("'\(text)' is not a duration such as 30s, 1m or 2h.")
        }
        return amount * unit
    }

    func validate() throws {
        _ = try StateLocation(parsing: state)
        if let clockSpeed, clockSpeed <= 0 { throw ValidationError("--clock-speed must be positive.") }
        guard listenAddress != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:9464.") }
    }

    /// How long a replica counts as alive after its heartbeat: three claim intervals, at least 15 s.
    var liveness: TimeInterval { max(15, 3 * claimInterval) }

    var listenAddress: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else { return nil }
        return (String(listen[..<colon]), port)
    }

    func run() async throws {
        let format = logFormat
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tidemark")
        let location = try StateLocation(parsing: state)
        let store: any StateStore
        do {
            store = try await location.open(replica: replica, liveness: liveness, logger: logger)
        } catch {
            Output.error("error: cannot open the state store \(location): \(location.failure(error))")
            throw ExitCode.failure
        }
        let source = self.source
        let path = self.path
        let reader: @Sendable () async throws -> SourceSnapshot = {
            let loaded = try source.read(path: path)
            let errors = loaded.result.diagnostics.filter { $0.severity == .error }.map(\.description)
            return SourceSnapshot(policies: loaded.result.policies, commit: loaded.source.commit, errors: errors)
        }
        let metrics = ControllerMetrics()
        var coordinator: ReplicaCoordinator?
        if case .postgres(let postgres) = location {
            coordinator = ReplicaCoordinator(
                location: postgres, replica: replica, address: listen, instance: instance,
                settings: .init(claimInterval: claimInterval, liveness: liveness), logger: logger, metrics: metrics)
        }
        let clock: any ControllerClock =
            clockSpeed.map { ScaledClock(epoch: Date(timeIntervalSince1970: clockEpoch ?? Date().timeIntervalSince1970), speed: $0) }
            ?? WallClock()
        let httpLog = try HTTPLog.fromEnvironment()
        let controller = Controller(
            configuration: .init(
                instance: instance, interval: interval, driftInterval: driftInterval,
                overrideHint: { override in
                    switch override {
                    case .massDelete:
                        "tidemark run never deletes that many; if it is intended, apply it once with tidemark apply --allow-mass-delete"
                    case .requirementViolation(let name):
                        "nothing is applied to this target until the policies meet it, or tidemark run is started with "
                            + "--allow-requirement-violation \(name)"
                    }
                }, allowedViolations: Set(allowedViolations)),
            source: reader,
            makeProvider: { target throws(ProviderError) in
                try ProviderFactory.make(
                    for: target, logger: logger, observe: { metrics.apiRequest(provider: target.spec.provider.rawValue, status: $0) },
                    connection: ConnectionOptions(timeout: requestTimeout, httpLog: httpLog))
            },
            store: store, ownership: coordinator ?? SoleOwnership(), clock: clock, logger: logger, metrics: metrics)
        await coordinator?.start { await controller.targetsChanged() }
        let (host, port) = listenAddress!
        let endpoints = ControllerEndpoints.application(controller: controller, host: host, port: port)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: ControllerService(controller: controller), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: endpoints),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            await coordinator?.stop()
        } catch {
            await coordinator?.stop()
            let hint =
                "\(error)".contains("Address already in use") ? " (another process listens on \(host):\(port); pick another --listen)" : ""
            Output.error("error: tidemark run stopped: \(error)\(hint)")
            throw ExitCode.failure
        }
    }
}

/// The controller as a service: a graceful shutdown, or the group's cancellation when another service fails (the
/// endpoints cannot listen), stops it between actions.
struct ControllerService: Service {
    let controller: Controller

    func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await controller.run()
        } onCancelOrGracefulShutdown: {
            Task { await controller.stop() }
        }
    }
}

extension RunCommand {
    static let defaultReplica = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    static func logLevel(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return level
    }
}
