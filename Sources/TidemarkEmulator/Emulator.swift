import Foundation
import Hummingbird
import Logging
import TidemarkJSON

/// A local, faithful emulator of the cloudsigma backup API, served over real HTTP on loopback.
public struct Emulator: Sendable {
    public let configuration: EmulatorConfiguration
    /// Every request served, for tests.
    public let requests = RequestLog()
    let store: CloudSigmaStore

    public init(_ configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        self.store = try CloudSigmaStore(configuration: configuration)
    }

    /// Serves until the surrounding task is cancelled; `onListening` receives the bound port.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let expected = "Basic " + Data("\(configuration.user):\(configuration.password)".utf8).base64EncodedString()
        let store = self.store, requests = self.requests
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let path = request.uri.path
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
            let response: EmulatorResponse
            if request.headers[.authorization] != expected {
                response = .json(401, .array([APIError.entry(type: "permission", message: "Authentication failed: invalid credentials", point: nil)]))
            } else if path.hasPrefix(CloudSigmaAccount.apiRoot) {
                let body = try await request.body.collect(upTo: 64 << 20)
                let components = path.dropFirst(CloudSigmaAccount.apiRoot.count).split(separator: "/").map(String.init)
                response = await store.handle(method: request.method.rawValue, components: components, query: query,
                                              body: Array(body.readableBytesView))
            } else {
                response = .json(404, .array([APIError.entry(type: "notexist", message: "Not found: \(path)", point: nil)]))
            }
            requests.record(RequestLog.Entry(method: request.method.rawValue, path: path, query: request.uri.query ?? "",
                                             status: response.status))
            return Self.httpResponse(response)
        }
        var logger = Logger(label: "tidemark.emulator")
        logger.logLevel = .warning
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tidemark-emulator"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await app.run()
    }

    static func httpResponse(_ response: EmulatorResponse) -> Response {
        guard let body = response.body else {
            return Response(status: .init(code: response.status), headers: [.contentType: "text/html; charset=utf-8"])
        }
        return Response(status: .init(code: response.status), headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body.description)))
    }
}

/// An emulator running in a background task, for tests and `make demo`.
public final class RunningEmulator: Sendable {
    public let emulator: Emulator
    public let port: Int
    private let task: Task<Void, any Error>

    /// Starts the emulator and returns once it is listening.
    public static func start(_ configuration: EmulatorConfiguration) async throws -> RunningEmulator {
        let emulator = try Emulator(configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await emulator.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw EmulatorStartError()
        }
        return RunningEmulator(emulator: emulator, port: port, task: task)
    }

    private init(emulator: Emulator, port: Int, task: Task<Void, any Error>) {
        self.emulator = emulator
        self.port = port
        self.task = task
    }

    /// `http://127.0.0.1:PORT/api/2.0/`.
    public var baseURL: String { "http://\(emulator.configuration.host):\(port)/api/2.0/" }

    public var requests: RequestLog { emulator.requests }

    /// Stops serving and waits for the server to close.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// The emulator stopped before it started listening.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public var description: String { "the emulator stopped before it was listening (is the port in use?)" }
}
