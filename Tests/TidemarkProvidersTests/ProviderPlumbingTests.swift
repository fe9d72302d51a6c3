import Foundation
import Logging
import Testing
import TidemarkEmulator
import TidemarkPolicy

@testable import TidemarkProviderModel
@testable import TidemarkProviders

@Suite("Provider plumbing: credentials, errors, retries")
struct ProviderPlumbingTests {
    @Test func missingCredentialsAreClearErrors() {
        #expect(throws: ProviderError.self) {
            try BasicCredentials.resolve(
                Credentials(usernameEnv: "NOPE_USER", passwordEnv: "NOPE_PASSWORD"), target: "zrh", environment: [:])
        }
        do {
            _ = try BasicCredentials.resolve(
                Credentials(usernameEnv: "U", passwordEnv: "NOPE_PASSWORD"), target: "zrh", environment: ["U": "me"])
        } catch {
            #expect(error.description == "target zrh: environment variable NOPE_PASSWORD (the password) is not set")
        }
    }

    @Test func credentialsFromFilesAndNeverPrinted() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-password-\(UUID().uuidString)")
        try "s3cret-value\n".write(to: file, atomically: true, encoding: .utf8)
        let credentials = try BasicCredentials.resolve(
            Credentials(usernameEnv: "U", passwordFile: file.path), target: "zrh", environment: ["U": "me"])
        #expect(credentials.authorization == "Basic " + Data("me:s3cret-value".utf8).base64EncodedString())
        #expect(!"\(credentials)".contains("s3cret"))
        let request = HTTPRequest(
            method: "GET", url: URL(string: "http://127.0.0.1:1/api/2.0/drives/detail/?limit=0")!,
            headers: ["Authorization": credentials.authorization])
        #expect(request.summary == "GET /api/2.0/drives/detail/?limit=0")
    }

    @Test func apiErrorsCarryStatusRequestAndCloudSigmasMessages() async throws {
        let emulator = try await RunningEmulator.start(EmulatorConfiguration())
        defer { Task { await emulator.stop() } }
        let wrong = CloudSigmaProvider(
            target: "local", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: "tidemark@example.com", password: "wrong"),
            transport: RetryingTransport(CurlTransport()))
        await #expect {
            _ = try await wrong.readLiveState()
        } throws: { error in
            "\(error)"
                == "GET /api/2.0/backupschedulers/detail/?limit=0: HTTP 401: "
                + "Authentication failed: invalid credentials (check the target's credentials)"
        }
        let right = CloudSigmaProvider(
            target: "local", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: RetryingTransport(CurlTransport()))
        await #expect {
            _ = try await right.apply(.bindDrive(driveID: "missing", schedulerID: nil))
        } throws: { error in
            "\(error)".hasPrefix("POST /api/2.0/drives/missing/action/?do=set_scheduler: HTTP 404: Drive missing does not exist")
        }
        await emulator.stop()
    }

    @Test func unreachableEndpointsAreTransportErrors() async {
        let provider = CloudSigmaProvider(
            target: "local", endpoint: URL(string: "http://127.0.0.1:9/api/2.0/")!,
            credentials: BasicCredentials(user: "u", password: "p"),
            transport: RetryingTransport(CurlTransport(timeout: 2), policy: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10)))
        )
        await #expect {
            _ = try await provider.readLiveState()
        } throws: { error in
            "\(error)".contains("(is the endpoint reachable?)")
        }
    }

    @Test func retryAfterAndBackoff() {
        #expect(RetryingTransport.retryAfter(HTTPResponse(status: 429, headers: ["retry-after": "7"])) == .seconds(7))
        #expect(RetryingTransport.retryAfter(HTTPResponse(status: 429)) == nil)
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        for attempt in 1...10 {
            let delay = policy.backoff(afterAttempt: attempt)
            let ceiling = min(Duration.seconds(2), .milliseconds(100) * Int(pow(2.0, Double(attempt))))
            #expect(delay <= ceiling && delay >= ceiling / 2)
        }
    }
}
