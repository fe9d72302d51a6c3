import Foundation
import TidemarkEmulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A freezer API to test against: the emulator's, or the real freezer-api 19.0.0. Tests that run against both
/// check that the emulator agrees with the real server on every call.
public final class FreezerServer: Sendable {
    public enum Kind: String, CaseIterable, Sendable, CustomStringConvertible {
        case emulator, realFreezerAPI
        public var description: String { rawValue }
    }

    public let kind: Kind
    /// The project's API root, ending in `/`.
    public let projectURL: String
    private let emulator: RunningEmulator?
    private let peer: FreezerPeer?

    public static func start(_ kind: Kind) async throws -> FreezerServer {
        switch kind {
        case .emulator:
            let emulator = try await RunningEmulator.start(EmulatorConfiguration())
            return FreezerServer(kind: kind, projectURL: "\(emulator.rootURL)/freezer/v2/testproject/", emulator: emulator, peer: nil)
        case .realFreezerAPI:
            let peer = try FreezerPeer()
            return FreezerServer(kind: kind, projectURL: peer.projectURL, emulator: nil, peer: peer)
        }
    }

    private init(kind: Kind, projectURL: String, emulator: RunningEmulator?, peer: FreezerPeer?) {
        self.kind = kind
        self.projectURL = projectURL
        self.emulator = emulator
        self.peer = peer
    }

    /// The Basic credentials both servers accept (the real one ignores them).
    public static let user = EmulatorCredentials.user, password = EmulatorCredentials.password

    /// One request relative to the project root; the status and the body.
    public func call(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: projectURL + path)!)
        request.httpMethod = method
        request.setValue("Basic " + Data("\(Self.user):\(Self.password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    /// Registers a client, as a freezer agent does when it starts.
    public func registerClient(_ id: String) async throws {
        let answer = try await call("POST", "clients", body: "{\"client_id\": \"\(id)\", \"hostname\": \"\(id)\"}")
        guard answer.status == 201 else { throw FixtureError("cannot register client \(id): HTTP \(answer.status)") }
    }

    public func stop() async {
        await emulator?.stop()
        peer?.stop()
    }
}
