import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TidemarkProviderModel

/// HTTPS that trusts the Target's own CA (`caFile:`) or, for a local test server, nothing at all (`insecure: true`).
///
/// URLSession on Linux has no per-session trust override, so these targets go through AsyncHTTPClient, whose TLS
/// configuration belongs to the client. Clients are kept for the life of the process, one per trust setting.
public struct CustomTrustTransport: HTTPTransport {
    let client: HTTPClient
    let timeout: TimeInterval
    let maxBodyBytes: Int

    public init(caFile: String?, insecure: Bool, timeout: TimeInterval = 30, maxBodyBytes: Int = 256 << 20) {
        client = Self.client(caFile: caFile, insecure: insecure)
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    private static let clients = Mutex<[String: HTTPClient]>([:])

    static func client(caFile: String?, insecure: Bool) -> HTTPClient {
        clients.withLock { clients in
            let key = insecure ? "insecure" : "ca:" + (caFile ?? "")
            if let existing = clients[key] { return existing }
            var tls = TLSConfiguration.makeClientConfiguration()
            if insecure {
                tls.certificateVerification = .none
            } else if let caFile {
                tls.trustRoots = .file(caFile)
            }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            // A handshake that fails is tried again until the connect timeout; a certificate does not get better.
            configuration.timeout = .init(connect: .seconds(3))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
        } catch {
            throw TransportError(kind: Self.kind(of: error), request: request.summary, message: Self.message(of: error))
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw TransportError(
                kind: .other, request: request.summary,
                message: "the response body is larger than \(maxBodyBytes >> 20) MiB; tidemark does not read it")
        } catch {
            throw TransportError(kind: .interrupted, request: request.summary, message: Self.message(of: error))
        }
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name] = header.value }
        return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }

    static func kind(of error: any Error) -> TransportError.Kind {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return .notSent
            case .deadlineExceeded, .readTimeout, .remoteConnectionClosed: return .interrupted
            default: return .other
            }
        }
        return error is NIOConnectionError ? .notSent : .other
    }

    static func message(of error: any Error) -> String {
        if let error = error as? NIOSSLError { return "TLS: \(error) (check the Target's caFile)" }
        if let error = error as? BoringSSLError { return "TLS: \(error) (check the Target's caFile)" }
        return "\(error)"
    }
}
