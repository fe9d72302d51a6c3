import Foundation
import Hummingbird

/// `/healthz`, `/readyz`, `/metrics` and `/status` over HTTP: read-only, and never a secret (status and metrics hold
/// names, ids, instants and errors, and provider errors never carry credentials).
public enum ControllerEndpoints {
    /// The HTTP server as a service, to run beside the controller.
    public static func application(controller: Controller, host: String, port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { _, _ -> Response in
            let (ready, reason) = await controller.readiness()
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "not ready: \(reason)\n")))
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: await controller.metricsExposition())))
        }
        router.get("status") { _, _ -> Response in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let body = (try? encoder.encode(await controller.currentStatus())) ?? Data("{}".utf8)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "tidemark"))
    }
}
