import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A loopback HTTP server that answers each path with a fixed status, content type and body: for responses no
/// well-behaved API gives (truncated JSON, HTML error pages, wrong types), or with whatever `respond` makes of a request.
final class CraftedServer: Sendable {
    struct Answer: Sendable {
        var status: Int
        var contentType = "application/json"
        var body: String
    }

    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    convenience init(_ answers: [String: Answer]) async throws {
        try await self.init { request in
            let answer = answers[request.uri.path] ?? Answer(status: 404, body: "[]")
            return Response(
                status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
    }

    init(respond: @escaping @Sendable (Request) async throws -> Response) async throws {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in try await respond(request) }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "crafted")
        logger.logLevel = .error
        let application = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        self.group = group
        task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/api/2.0/")! }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
