import CCurl
import Foundation
import TidemarkProviderModel

/// HTTP through libcurl, with timeouts, redirects followed, no cookies, and a cap on the size of a response body: an
/// answer larger than `maxBodyBytes` is cut off and is an error, never read into memory.
///
/// HTTPS trusts the system's certificate authorities, or only the Target's own (`caFile:`), or, for a local test
/// server, nothing at all (`insecure: true`).
public struct CurlTransport: HTTPTransport {
    public let timeout: TimeInterval
    public let maxBodyBytes: Int
    let trust: CurlTrust

    public init(timeout: TimeInterval = 30, maxBodyBytes: Int = 256 << 20, caFile: String? = nil, insecure: Bool = false) {
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
        trust = insecure ? .none : caFile.map(CurlTrust.authority) ?? .system
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let transfer = CurlTransfer(request, timeout: timeout, maxBodyBytes: maxBodyBytes, trust: trust)
        let outcome = await withCheckedContinuation { continuation in
            transfer.continuation = continuation
            CurlLoop.shared.add(transfer)
        }
        switch outcome {
        case .completed(let response):
            return response
        case .tooLarge:
            throw TransportError(
                kind: .other, request: request.summary,
                message: "the response body is larger than \(maxBodyBytes >> 20) MiB; tidemark does not read it")
        case .failed(let code, let message, let sent):
            if Self.isTLS(code) {
                let hint =
                    if case .authority = trust { "check the Target's caFile" } else {
                        "to trust a private CA, name its PEM file as caFile: on the Target"
                    }
                throw TransportError(kind: .other, request: request.summary, message: "TLS: \(message) (\(hint))")
            }
            throw TransportError(kind: Self.kind(of: code, sent: sent), request: request.summary, message: message)
        }
    }

    /// Whether a failed request may have reached the server, which decides what may be retried.
    static func kind(of code: CURLcode, sent: Bool) -> TransportError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT: .notSent
        case CURLE_OPERATION_TIMEDOUT: sent ? .interrupted : .notSent
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            .interrupted
        default: .other
        }
    }

    static func isTLS(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            true
        default: false
        }
    }
}
