import Foundation
import Testing
import TidemarkEmulator
import TidemarkJSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Emulator fault injection")
struct FaultInjectionTests {
    func send(_ emulator: RunningEmulator, _ method: String, _ path: String, body: String? = nil) async throws -> (Int, String?, JSON?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(emulator.port)\(path)")!)
        request.httpMethod = method
        request.setValue(EmulatorCredentials.basicAuthorization, forHTTPHeaderField: "Authorization")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Retry-After"), try? JSON.parse(data))
    }

    @Test func everyFaultKindAppearsDeterministicallyAndTheAdminEndpointControlsThem() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 1))
        defer { Task { await emulator.stop() } }
        let (status, _, plan) = try await send(emulator, "PUT", "/_admin/faults", body: "{\"rate\": 1, \"seed\": 9}")
        #expect(status == 200)
        #expect(plan?["seed"] == .int(9))

        var statuses: [Int] = []
        var retryAfter: [String] = []
        for _ in 0..<60 {
            let (status, header, _) = try await send(emulator, "GET", "/api/2.0/drives/")
            statuses.append(status)
            if let header { retryAfter.append(header) }
        }
        #expect(Set(statuses) == [429, 500, 502, 503])
        #expect(retryAfter.contains("1"))
        #expect(retryAfter.contains { $0.hasSuffix(" GMT") })
        #expect(statuses.count { $0 == 429 } == retryAfter.count)

        let (_, _, shown) = try await send(emulator, "GET", "/_admin/faults")
        #expect(shown?["injected"] == .int(60))

        _ = try await send(emulator, "PUT", "/_admin/faults", body: "{\"rate\": 1, \"seed\": 9}")
        var again: [Int] = []
        for _ in 0..<60 { again.append(try await send(emulator, "GET", "/api/2.0/drives/").0) }
        #expect(again == statuses, "the same seed gives the same sequence")

        _ = try await send(emulator, "PUT", "/_admin/faults", body: "{\"rate\": 0, \"seed\": 1}")
        #expect(try await send(emulator, "GET", "/api/2.0/drives/").0 == 200)
        #expect(try await send(emulator, "PUT", "/_admin/faults", body: "{\"rate\": 2}").0 == 400)
        await emulator.stop()
    }

    @Test func aRouteCanHaveItsOwnRate() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(seedDrives: 1))
        defer { Task { await emulator.stop() } }
        let (status, _, shown) = try await send(
            emulator, "PUT", "/_admin/faults",
            body: #"{"rate": 0, "seed": 5, "routes": {"POST /api/2.0/backupschedulers/": 1, "/api/2.0/tags/": 0}}"#)
        #expect(status == 200)
        #expect(shown?["routes"]?["POST /api/2.0/backupschedulers/"]?.intValue == 1)
        for _ in 0..<10 {
            #expect(try await send(emulator, "GET", "/api/2.0/backupschedulers/").0 == 200, "GET is not the faulty route")
            #expect(try await send(emulator, "POST", "/api/2.0/backupschedulers/", body: #"{"objects": []}"#).0 != 200)
        }
        #expect(try await send(emulator, "PUT", "/_admin/faults", body: #"{"rate": 0, "routes": {"/x": 2}}"#).0 == 400)
    }

    @Test func theAdminEndpointsExistOnlyOnTheLoopbackAddressesItKnows() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration(host: "127.0.0.2", seedDrives: 1))
        defer { Task { await emulator.stop() } }
        var request = URLRequest(url: URL(string: "http://127.0.0.2:\(emulator.port)/_admin/faults")!)
        request.httpMethod = "PUT"
        request.setValue(EmulatorCredentials.basicAuthorization, forHTTPHeaderField: "Authorization")
        request.httpBody = Data(#"{"rate": 1}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect(
            (response as? HTTPURLResponse)?.statusCode == 404,
            "an emulator bound elsewhere than 127.0.0.1, ::1 or localhost has no admin endpoint")
        #expect(emulator.emulator.faults.plan.rate == 0)
    }
}
