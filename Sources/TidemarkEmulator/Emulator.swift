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
    /// The cloudsigma API's router.
    let cloudSigma: RouterResponder<CloudSigmaRequestContext>
    let scheduledBackup: SerializedAPI<ScheduledBackupAPI>
    let danube: SerializedAPI<DanubeAPI>
    let freezer: SerializedAPI<FreezerAPI>

    public init(_ configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        self.cloudSigma = CloudSigmaRoutes.responder(
            store: try CloudSigmaStore(configuration: configuration), backupSchedulersEnabled: configuration.backupSchedulersEnabled)
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
        let emulator = self
        return Application(
            responder: CallbackResponder<BasicRequestContext> { request, context in try await emulator.serve(request, context: context) },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tidemark-emulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: Self.logger
        )
    }

    /// Answers one request (refused, an API's with faults, an admin endpoint's, or 404) and logs it.
    func serve(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        var body: [UInt8] = []
        let response: Response
        if !authorized(request.headers, token: Self.isTokenAPI(path)) {
            response = Self.refusal(path: path, method: request.method.rawValue, url: Self.url(of: request)).httpResponse
        } else if Self.isTokenAPI(path) || path.hasPrefix(CloudSigmaAccount.apiRoot) {
            body = Array(try await request.body.collect(upTo: 64 << 20).readableBytesView)
            response = try await serveAPI(request, body: body, context: context)
        } else if configuration.isLoopback, path == "/_admin/checkpoints" || path == "/_admin/checkpoints/", request.method == .post {
            let body = try await request.body.collect(upTo: 1 << 16)
            response = await adminCheckpoint(Array(body.readableBytesView)).httpResponse
        } else if configuration.isLoopback, path == "/_admin/faults" || path == "/_admin/faults/" {
            let body = try await request.body.collect(upTo: 1 << 16)
            response = Self.admin(faults, method: request.method.rawValue, body: Array(body.readableBytesView)).httpResponse
        } else {
            let notFound = APIError.entry(type: "notexist", message: "Not found: \(path)", point: nil)
            response = EmulatorResponse.json(404, .array([notFound])).httpResponse
        }
        requests.record(
            RequestLog.Entry(
                method: request.method.rawValue, path: path, query: request.uri.query ?? "", status: Int(response.status.code),
                body: request.method == .get ? [] : body))
        return response
    }

    /// An API request under the fault plan: added latency, the quota, and the fault drawn for it.
    func serveAPI(_ request: Request, body: [UInt8], context: BasicRequestContext) async throws -> Response {
        let plan = faults.plan
        if plan.latencyMilliseconds > 0 { try await Task.sleep(for: .milliseconds(plan.latencyMilliseconds)) }
        let fault = faults.next(method: request.method.rawValue, path: request.uri.path)
        if let wait = faults.overQuota() {
            return EmulatorResponse(status: 429, body: FaultInjector.errorBody(429), headers: ["Retry-After": String(wait)]).httpResponse
        }
        if fault == .hang {
            try await Task.sleep(for: .seconds(plan.hangSeconds))
            return EmulatorResponse.json(504, FaultInjector.errorBody(504)).httpResponse
        }
        if let early = Self.earlyAnswer(for: fault) { return early.httpResponse }
        let answer = try await carryOut(request, body: body, context: context)
        switch fault {
        case .after(let status): return EmulatorResponse.json(status, FaultInjector.errorBody(status)).httpResponse
        case .drop: return answer.cutOffHalfway()
        default: return answer
        }
    }

    /// Carries out an API request on the API its path belongs to.
    func carryOut(_ request: Request, body: [UInt8], context: BasicRequestContext) async throws -> Response {
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
        if let answer = await tokenAPI(
            request.method.rawValue, path: request.uri.path, query: query, body: body, url: Self.url(of: request))
        {
            return answer.httpResponse
        }
        return try await cloudSigma.respond(
            to: request, context: CloudSigmaRequestContext(source: .init(logger: context.logger, body: body, query: query)))
    }

    /// The request's URL on the emulator, as the APIs that echo it show it.
    static func url(of request: Request) -> String { "http://\(request.head.authority ?? "127.0.0.1")\(request.uri.path)" }

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
