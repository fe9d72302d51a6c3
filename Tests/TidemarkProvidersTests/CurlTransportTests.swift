import Foundation
import Hummingbird
import Testing
import TidemarkJSON
import TidemarkProviderModel
import TidemarkProviders

/// The libcurl transport against a real loopback server: requests arrive byte for byte as built, bodies without a
/// length are capped as they arrive, redirects are followed, and nothing but http and https is spoken.
@Suite("libcurl transport")
struct CurlTransportTests {
    /// Answers every request with its method, headers and body as JSON.
    static func echo() async throws -> CraftedServer {
        try await CraftedServer { request in
            var request = request
            let body = try await request.collectBody(upTo: 4 << 20)
            var headers: [String: JSON] = [:]
            for field in request.headers { headers[field.name.canonicalName] = .string(field.value) }
            let echo: JSON = [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "headers": .object(headers),
                "body": .string(String(buffer: body)),
            ]
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: echo.description)))
        }
    }

    static func send(_ method: String, _ url: URL, body: String? = nil) async throws -> JSON {
        let response = try await CurlTransport(timeout: 5).send(
            TidemarkProviders.HTTPRequest(
                method: method, url: url, headers: ["Content-Type": "application/json", "X-Probe": "a b"],
                body: body.map { Data($0.utf8) }))
        #expect(response.status == 200)
        return try JSON.parse(response.body)
    }

    @Test func requestsArriveAsBuilt() async throws {
        let server = try await Self.echo()
        defer { Task { await server.stop() } }
        let body = #"{"name": "nightly", "meta": {"tidemark.io/owner": "tidemark"}, "pad": "\#(String(repeating: "x", count: 3 << 19))"}"#
        for method in ["POST", "PUT", "PATCH"] {
            let echo = try await Self.send(method, server.baseURL.appendingPathComponent("backupschedulers/1/"), body: body)
            #expect(echo["method"]?.stringValue == method)
            #expect(echo["path"]?.stringValue == "/api/2.0/backupschedulers/1/")
            #expect(echo["body"]?.stringValue == body, "the body exactly as built")
            #expect(echo["headers"]?["content-type"]?.stringValue == "application/json")
            #expect(echo["headers"]?["x-probe"]?.stringValue == "a b")
            #expect(echo["headers"]?["expect"] == nil, "no 100-continue round trip before a body past libcurl's 1 MiB threshold")
        }
        let deleted = try await Self.send("DELETE", server.baseURL.appendingPathComponent("backupschedulers/1/"))
        #expect(deleted["method"]?.stringValue == "DELETE")
        #expect(deleted["body"]?.stringValue == "")
        let listed = try await Self.send("GET", URL(string: server.baseURL.absoluteString + "drives/detail/?limit=0")!)
        #expect(listed["method"]?.stringValue == "GET")
        #expect(listed["body"]?.stringValue == "")
        await server.stop()
    }

    @Test func aBodyWithoutALengthIsCutOffAtTheCap() async throws {
        let server = try await CraftedServer { _ in
            // Chunked: the size is known only as the body arrives.
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<32 { try await writer.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)) }
                    try await writer.finish(nil)
                })
        }
        defer { Task { await server.stop() } }
        let request = TidemarkProviders.HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("drives/detail/"))
        let error = await #expect(throws: TransportError.self) { try await CurlTransport(maxBodyBytes: 1 << 20).send(request) }
        #expect(error?.message == "the response body is larger than 1 MiB; tidemark does not read it")
        let whole = try await CurlTransport(maxBodyBytes: 4 << 20).send(request)
        #expect(whole.body.count == 2 << 20)
        await server.stop()
    }

    @Test func redirectsAreFollowed() async throws {
        let server = try await CraftedServer { request in
            guard request.uri.path.hasSuffix("/old/") else {
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"at": "new"}"#)))
            }
            return Response(status: .movedPermanently, headers: [.location: "/api/2.0/new/"])
        }
        defer { Task { await server.stop() } }
        let response = try await CurlTransport().send(
            TidemarkProviders.HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("old/")))
        #expect(response.status == 200)
        #expect(try JSON.parse(response.body)["at"]?.stringValue == "new")
        await server.stop()
    }

    @Test func onlyHTTPIsSpoken() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-not-served-\(UUID().uuidString)")
        try Data("secret".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = await #expect(throws: TransportError.self) {
            try await CurlTransport().send(TidemarkProviders.HTTPRequest(method: "GET", url: file))
        }
        #expect(error?.kind == .other)
        #expect(error?.message.contains("secret") == false)
        #expect(error?.message.localizedCaseInsensitiveContains("protocol") == true, "\(error?.message ?? "")")
    }
}
