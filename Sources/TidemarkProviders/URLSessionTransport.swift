import Foundation
import TidemarkProviderModel

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP over Foundation's URLSession (libcurl on Linux), with timeouts, no caching or cookies, and a cap on the size
/// of a response body: an answer larger than `maxBodyBytes` is cut off and is an error, never read into memory.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let tasks: TaskTable
    public let maxBodyBytes: Int

    public init(timeout: TimeInterval = 30, maxBodyBytes: Int = 256 << 20) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        self.maxBodyBytes = maxBodyBytes
        tasks = TaskTable(maxBodyBytes: maxBodyBytes)
        session = URLSession(configuration: configuration, delegate: tasks, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    static let tlsCodes: Set<URLError.Code> = [
        .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
        .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
    ]

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<TaskTable.Outcome, Never>) in
            let task = session.dataTask(with: urlRequest)
            tasks.start(task, continuation)
        }
        switch outcome {
        case .tooLarge:
            throw TransportError(
                kind: .other, request: request.summary,
                message: "the response body is larger than \(maxBodyBytes >> 20) MiB; tidemark does not read it")
        case .failed(let error as URLError):
            let message = error.localizedDescription
            if Self.tlsCodes.contains(error.code) || message.contains("SSL") || message.contains("certificate") {
                throw TransportError(
                    kind: .other, request: request.summary,
                    message: "TLS: \(message) (to trust a private CA, name its PEM file as caFile: on the Target)")
            }
            let kind: TransportError.Kind
            switch error.code {
            case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed: kind = .notSent
            // libcurl's "transfer closed with N bytes remaining" arrives as .unknown: the request reached the server.
            case .timedOut, .networkConnectionLost, .unknown: kind = .interrupted
            default: kind = .other
            }
            throw TransportError(kind: kind, request: request.summary, message: message)
        case .failed(let error):
            throw TransportError(kind: .other, request: request.summary, message: "\(error)")
        case .completed(let response, let data):
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(kind: .other, request: request.summary, message: "not an HTTP response")
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        }
    }
}
