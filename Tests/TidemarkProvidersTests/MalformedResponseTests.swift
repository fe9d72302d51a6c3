import Foundation
import Testing
import TidemarkProviderModel
import TidemarkProviders

@Suite("Malformed API responses are clear errors naming the endpoint", .serialized)
struct MalformedResponseTests {
    static let emptyList = CraftedServer.Answer(status: 200, body: #"{"meta": {"total_count": 0}, "objects": []}"#)

    static let cases: [(String, String, CraftedServer.Answer, String)] = [
        (
            "truncated JSON", "/api/2.0/backupschedulers/detail/",
            .init(status: 200, body: #"{"meta": {"total_count": 1}, "objects": [{"uuid": "a", "na"#),
            "GET /api/2.0/backupschedulers/detail/?limit=0: unreadable response: "
        ),
        (
            "objects of the wrong type", "/api/2.0/backupschedulers/detail/",
            .init(status: 200, body: #"{"meta": {"total_count": 1}, "objects": {"uuid": "a"}}"#),
            "GET /backupschedulers/detail/: unreadable response: no objects list in the response"
        ),
        (
            "an object without its uuid", "/api/2.0/drives/detail/",
            .init(status: 200, body: #"{"meta": {"total_count": 2}, "objects": [{"uuid": "d1", "name": "a"}, {"name": "b"}]}"#),
            "GET /drives/detail/: unreadable response: object 2 of the listing has no uuid"
        ),
        (
            "an HTML error page", "/api/2.0/backupschedulers/detail/",
            .init(status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "GET /api/2.0/backupschedulers/detail/?limit=0"
        ),
        (
            "an HTML page with status 200", "/api/2.0/tags/detail/",
            .init(status: 200, contentType: "text/html", body: "<html><body>Maintenance</body></html>"),
            "GET /api/2.0/tags/detail/?limit=0"
        ),
    ]

    @Test(arguments: cases.indices)
    func readingLiveStateFails(_ index: Int) async throws {
        let (name, path, answer, expected) = Self.cases[index]
        var answers = [
            "/api/2.0/backupschedulers/detail/": Self.emptyList, "/api/2.0/tags/detail/": Self.emptyList,
            "/api/2.0/drives/detail/": Self.emptyList,
        ]
        answers[path] = answer
        let server = try await CraftedServer(answers)
        defer { Task { await server.stop() } }
        let provider = CloudSigmaProvider(
            target: "crafted", endpoint: server.baseURL,
            credentials: BasicCredentials(user: "u", password: "p"),
            transport: RetryingTransport(CurlTransport(), policy: RetryPolicy(maxAttempts: 1)))
        let error = await #expect(throws: ProviderError.self, "\(name)") { try await provider.readLiveState() }
        #expect(error?.description.contains(expected) == true, "\(name): \(error?.description ?? "no error")")
        await server.stop()
    }

    @Test func aSnapshotListingWithAnUnreadableEntryFails() async throws {
        let server = try await CraftedServer([
            "/api/2.0/snapshots/detail/": .init(
                status: 200,
                body:
                    #"{"meta": {"total_count": 1}, "objects": [{"uuid": "s1", "drive": {"uuid": "d1"}, "timestamp": "yesterday"}]}"#)
        ])
        defer { Task { await server.stop() } }
        let provider = CloudSigmaProvider(
            target: "crafted", endpoint: server.baseURL, credentials: BasicCredentials(user: "u", password: "p"),
            transport: CurlTransport())
        let error = await #expect(throws: ProviderError.self) { try await provider.snapshots() }
        #expect(
            error?.description
                == "GET /snapshots/detail/: unreadable response: snapshot 1 of the listing lacks a uuid, a drive or an ISO 8601 timestamp")
        await server.stop()
    }

    @Test func anEnormousBodyIsCutOffAndNothingIsDecidedOnIt() async throws {
        let huge = #"{"meta": {"total_count": 1}, "objects": [{"uuid": ""# + String(repeating: "x", count: 3 << 20) + #""}]}"#
        let server = try await CraftedServer([
            "/api/2.0/backupschedulers/detail/": .init(status: 200, body: huge),
            "/api/2.0/tags/detail/": Self.emptyList, "/api/2.0/drives/detail/": Self.emptyList,
        ])
        defer { Task { await server.stop() } }
        let provider = CloudSigmaProvider(
            target: "crafted", endpoint: server.baseURL, credentials: BasicCredentials(user: "u", password: "p"),
            transport: RetryingTransport(CurlTransport(maxBodyBytes: 1 << 20), policy: RetryPolicy(maxAttempts: 1)))
        let error = await #expect(throws: ProviderError.self) { try await provider.readLiveState() }
        #expect(
            error?.description
                == "GET /api/2.0/backupschedulers/detail/?limit=0: the response body is larger than 1 MiB; tidemark does not read it")
        await server.stop()
    }
}
