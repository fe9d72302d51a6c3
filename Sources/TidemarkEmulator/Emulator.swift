import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TidemarkJSON

/// A local, faithful emulator of the four seed APIs, served over real HTTP on loopback: cloudsigma under `/api/2.0/`,
/// scheduled-backup under `/scheduled-backup/v2/{project_id}/`, danube under `/danube/api/`, freezer under
/// `/freezer/v2/{project_id}/`.
public struct Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    /// Every request served, for tests.
    public let requests = RequestLog()
    /// The faults injected into API answers.
    public let faults: FaultInjector
    let store: CloudSigmaStore
    let scheduledBackup: SerializedAPI<ScheduledBackupAPI>
    let danube: SerializedAPI<DanubeAPI>
    let freezer: SerializedAPI<FreezerAPI>

    public init(_ configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        self.store = try CloudSigmaStore(configuration: configuration)
        self.faults = FaultInjector(configuration.faults)
        scheduledBackup = SerializedAPI(ScheduledBackupAPI())
        var danube = DanubeAPI()
        var freezer = FreezerAPI()
        for index in 0..<configuration.seedVMs {
            let number = String(format: "%04d", index + 1)
            danube.vms.append(
                DanubeAPI.VM(
                    hostname: "vm-\(number).example.com", uuid: CloudSigmaAccount.deterministicUUID(1_000_000 + index),
                    disks: 2, tags: []))
            freezer.clients["testproject", default: []].append(
                FreezerAPI.client(id: "node-\(number)", hostname: "node-\(number)", project: "testproject"))
        }
        for vm in configuration.fixture?.vms ?? [] {
            danube.vms.append(
                DanubeAPI.VM(
                    hostname: vm.hostname, uuid: vm.uuid ?? CloudSigmaAccount.newUUID(), disks: max(1, vm.disks), tags: vm.tags,
                    locked: vm.locked))
        }
        for client in configuration.fixture?.freezerClients ?? [] {
            freezer.clients[client.project, default: []].append(
                FreezerAPI.client(id: client.clientID, hostname: client.hostname, project: client.project))
        }
        self.danube = SerializedAPI(danube)
        self.freezer = SerializedAPI(freezer)
    }

    /// The authorizations the emulator accepts: Basic, or the password as a token (`X-Auth-Token`, `ES-API-KEY`) on
    /// the APIs that use tokens.
    func authorized(_ headers: HTTPFields, token: Bool) -> Bool {
        let basic = "Basic " + Data("\(configuration.user):\(configuration.password)".utf8).base64EncodedString()
        if headers[.authorization] == basic { return true }
        guard token else { return false }
        return headers.contains { ["x-auth-token", "es-api-key"].contains($0.name.canonicalName) && $0.value == configuration.password }
    }

    /// Routes a request to one of the token APIs by its path prefix; nil when the path belongs to none.
    func tokenAPI(_ method: String, path: String, query: [String: String], body: [UInt8], url: String) async -> EmulatorResponse? {
        func components(_ prefix: String) -> [String] { path.dropFirst(prefix.count).split(separator: "/").map(String.init) }
        if path.hasPrefix(ScheduledBackupAPI.prefix) {
            return await scheduledBackup.handle(
                method: method, components: components(ScheduledBackupAPI.prefix), query: query, body: body, url: url)
        }
        if path.hasPrefix(DanubeAPI.prefix) {
            return await danube.handle(method: method, components: components(DanubeAPI.prefix), query: query, body: body, url: url)
        }
        if path.hasPrefix(FreezerAPI.prefix) {
            return await freezer.handle(method: method, components: components(FreezerAPI.prefix), query: query, body: body, url: url)
        }
        return nil
    }

    /// An unauthenticated request's answer, in the shape of the API it was sent to.
    static func refusal(path: String, method: String, url: String) -> EmulatorResponse {
        if path.hasPrefix(ScheduledBackupAPI.prefix) {
            return ScheduledBackupAPI.Failure(status: 403, key: "forbidden", message: "invalid credentials").response
        }
        if path.hasPrefix(DanubeAPI.prefix) {
            return DanubeAPI.envelope(403, "FAILURE", ["detail": "Authentication credentials were not provided."], method: method, url: url)
        }
        if path.hasPrefix(FreezerAPI.prefix) {
            return .json(401, ["title": "Unauthorized", "description": "The request you have made requires authentication."])
        }
        return .json(401, .array([APIError.entry(type: "permission", message: "Authentication failed: invalid credentials", point: nil)]))
    }

    static func isTokenAPI(_ path: String) -> Bool {
        [ScheduledBackupAPI.prefix, DanubeAPI.prefix, FreezerAPI.prefix].contains { path.hasPrefix($0) }
    }

    /// Records a checkpoint of a plan as the plan's native scheduler would take it; nil if there is no such plan.
    public func addCheckpoint(project: String, planID: String, createdAt: Date) async -> String? {
        await scheduledBackup.update { $0.addCheckpoint(project: project, planID: planID, createdAt: createdAt)?["id"]?.stringValue }
    }

    /// Serves until SIGINT/SIGTERM or the surrounding task is cancelled; `onListening` receives the bound port.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await ServiceGroup(
            configuration: .init(
                services: [application(onListening: onListening)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Self.logger)
        ).run()
    }

    static let logger: Logger = {
        var logger = Logger(label: "tidemark.emulator")
        logger.logLevel = .warning
        return logger
    }()

    /// The HTTP application, for running in a service group of one's own.
    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some Service {
        let requests = self.requests
        let faults = self.faults
        let adminEnabled = configuration.isLoopback
        let emulator = self
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let path = request.uri.path
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
            let response: EmulatorResponse
            var dropped = false
            var recordedBody: [UInt8] = []
            let isAPI = Self.isTokenAPI(path) || path.hasPrefix(CloudSigmaAccount.apiRoot)
            if !emulator.authorized(request.headers, token: Self.isTokenAPI(path)) {
                response = Self.refusal(
                    path: path, method: request.method.rawValue, url: "http://\(request.head.authority ?? "127.0.0.1")\(path)")
            } else if isAPI {
                let body = Array(try await request.body.collect(upTo: 64 << 20).readableBytesView)
                if request.method != .get { recordedBody = body }
                let plan = faults.plan
                if plan.latencyMilliseconds > 0 { try await Task.sleep(for: .milliseconds(plan.latencyMilliseconds)) }
                let fault = faults.next(method: request.method.rawValue, path: path)
                if let wait = faults.overQuota() {
                    response = EmulatorResponse(status: 429, body: FaultInjector.errorBody(429), headers: ["Retry-After": String(wait)])
                } else if fault == .hang {
                    try await Task.sleep(for: .seconds(plan.hangSeconds))
                    response = .json(504, FaultInjector.errorBody(504))
                } else if let early = Self.earlyAnswer(for: fault) {
                    response = early
                } else {
                    let answer = await emulator.carryOut(
                        request.method.rawValue, path: path, query: query, body: body,
                        url: "http://\(request.head.authority ?? "127.0.0.1")\(path)")
                    if case .after(let status) = fault {
                        response = .json(status, FaultInjector.errorBody(status))
                    } else {
                        response = answer
                    }
                    dropped = fault == .drop
                }
            } else if adminEnabled, path == "/_admin/checkpoints" || path == "/_admin/checkpoints/", request.method == .post {
                let body = try await request.body.collect(upTo: 1 << 16)
                response = await emulator.adminCheckpoint(Array(body.readableBytesView))
            } else if adminEnabled, path == "/_admin/faults" || path == "/_admin/faults/" {
                let body = try await request.body.collect(upTo: 1 << 16)
                response = Self.admin(faults, method: request.method.rawValue, body: Array(body.readableBytesView))
            } else {
                response = .json(404, .array([APIError.entry(type: "notexist", message: "Not found: \(path)", point: nil)]))
            }
            requests.record(
                RequestLog.Entry(
                    method: request.method.rawValue, path: path, query: request.uri.query ?? "",
                    status: response.status, body: recordedBody))
            return dropped ? Self.cutOff(response) : Self.httpResponse(response)
        }
        return Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tidemark-emulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: Self.logger
        )
    }

    /// Carries out an API request on the API its path belongs to.
    func carryOut(_ method: String, path: String, query: [String: String], body: [UInt8], url: String) async -> EmulatorResponse {
        if let answer = await tokenAPI(method, path: path, query: query, body: body, url: url) { return answer }
        let components = path.dropFirst(CloudSigmaAccount.apiRoot.count).split(separator: "/").map(String.init)
        return await store.handle(method: method, components: components, query: query, body: body)
    }

    /// The answer's headers and the first half of its body, then the connection is closed.
    static func cutOff(_ response: EmulatorResponse) -> Response {
        let bytes = Array((response.body ?? ["dropped": true]).description.utf8)
        let half = ByteBuffer(bytes: bytes.prefix(max(1, bytes.count / 2)))
        return Response(
            status: .init(code: response.status), headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(half)
                throw ConnectionCutOff()
            })
    }

    struct ConnectionCutOff: Error {}

    static func httpResponse(_ response: EmulatorResponse) -> Response {
        var headers: HTTPFields = [.contentType: response.body == nil ? "text/html; charset=utf-8" : "application/json; charset=utf-8"]
        if let retryAfter = response.headers["Retry-After"] { headers[.retryAfter] = retryAfter }
        guard let body = response.body else { return Response(status: .init(code: response.status), headers: headers) }
        return Response(
            status: .init(code: response.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.description)))
    }

    /// The answer a fault gives without the request being carried out: an error, or 429 with `Retry-After`.
    static func earlyAnswer(for fault: FaultInjector.Fault?) -> EmulatorResponse? {
        switch fault {
        case .before(let status):
            return .json(status, FaultInjector.errorBody(status))
        case .throttle(let httpDate):
            let retryAfter = httpDate ? httpDateFormatter().string(from: Date().addingTimeInterval(1)) : "1"
            return EmulatorResponse(status: 429, body: FaultInjector.errorBody(429), headers: ["Retry-After": retryAfter])
        case .after, .hang, .drop, nil:
            return nil
        }
    }

    /// RFC 9110's IMF-fixdate, e.g. `Wed, 25 Nov 2026 13:30:00 GMT`.
    static func httpDateFormatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }

    /// `POST /_admin/checkpoints` with `{"project", "plan_id", "created_at"}` records a checkpoint as if the plan's
    /// native scheduler had taken it.
    func adminCheckpoint(_ body: [UInt8]) async -> EmulatorResponse {
        guard let input = try? JSON.parse(body), let project = input["project"]?.stringValue, let plan = input["plan_id"]?.stringValue
        else {
            return .json(
                400,
                .array([APIError.entry(type: "validation", message: "expected {\"project\", \"plan_id\", \"created_at\"}", point: nil)]))
        }
        let created = input["created_at"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) } ?? Date()
        guard let id = await addCheckpoint(project: project, planID: plan, createdAt: created) else {
            return .json(404, .array([APIError.entry(type: "notexist", message: "no plan \(plan) in project \(project)", point: nil)]))
        }
        return .json(201, ["id": .string(id)])
    }

    /// `GET /_admin/faults` shows the plan and how many faults were injected; `PUT` replaces the plan.
    static func admin(_ faults: FaultInjector, method: String, body: [UInt8]) -> EmulatorResponse {
        if method == "PUT" {
            guard let plan = try? JSONDecoder().decode(FaultPlan.self, from: Data(body)), (0...1).contains(plan.rate),
                plan.routes.values.allSatisfy({ (0...1).contains($0) })
            else {
                return .json(
                    400,
                    .array([
                        APIError.entry(
                            type: "validation",
                            message: "expected {\"rate\": 0…1, \"seed\": N, \"latency_ms\": N, "
                                + "\"connection_faults\": true|false, \"hang_seconds\": N, \"quota\": N, "
                                + "\"routes\": {\"POST /path\": 0…1}}",
                            point: nil)
                    ]))
            }
            faults.plan = plan
        }
        let plan = faults.plan
        return .json(
            200,
            [
                "rate": .double(plan.rate), "seed": .int(Int(truncatingIfNeeded: plan.seed)), "latency_ms": .int(plan.latencyMilliseconds),
                "connection_faults": .bool(plan.connectionFaults), "hang_seconds": .int(plan.hangSeconds), "quota": .int(plan.quota),
                "routes": .object(plan.routes.mapValues(JSON.double)), "injected": .int(faults.injected),
            ])
    }
}

/// An emulator running in a background task, for tests.
public final class RunningEmulator: Sendable {
    public let emulator: Emulator
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    /// Starts the emulator and returns once it is listening.
    public static func start(_ configuration: EmulatorConfiguration) async throws -> RunningEmulator {
        let emulator = try Emulator(configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [emulator.application { continuation.yield($0) }], logger: Emulator.logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw EmulatorStartError()
        }
        return RunningEmulator(emulator: emulator, port: port, task: task, group: group)
    }

    private init(emulator: Emulator, port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.emulator = emulator
        self.port = port
        self.task = task
        self.group = group
    }

    /// `http://127.0.0.1:PORT/api/2.0/`.
    public var baseURL: String { "http://\(emulator.configuration.host):\(port)/api/2.0/" }

    /// `http://127.0.0.1:PORT`.
    public var rootURL: String { "http://\(emulator.configuration.host):\(port)" }

    public var requests: RequestLog { emulator.requests }

    /// Shuts down gracefully and waits for the server to close.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// The emulator stopped before it started listening.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public var description: String { "the emulator stopped before it was listening (is the port in use?)" }
}
