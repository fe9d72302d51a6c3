import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// HTTP over Foundation's URLSession (libcurl on Linux), with timeouts, no caching or cookies, and a cap on the size
/// of a response body: an answer larger than `maxBodyBytes` is cut off and is an error, never read into memory.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let tasks: TaskTable
    public let maxBodyBytes: Int

    public init(timeout: TimeInterval = 30, maxBodyBytes: Int = 64 << 20) {
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

    static let tlsCodes: Set<URLError.Code> = [.secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                                               .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected]

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
            throw TransportError(kind: .other, request: request.summary,
                                 message: "the response body is larger than \(maxBodyBytes >> 20) MiB; tidemark does not read it")
        case .failed(let error as URLError):
            let message = error.localizedDescription
            if Self.tlsCodes.contains(error.code) || message.contains("SSL") || message.contains("certificate") {
                throw TransportError(kind: .other, request: request.summary,
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

/// The session's delegate: collects each task's body up to the cap and resumes its caller when it ends.
final class TaskTable: NSObject, URLSessionDataDelegate, Sendable {
    enum Outcome: Sendable {
        case completed(URLResponse?, Data)
        case tooLarge
        case failed(any Error)
    }

    private struct Pending {
        var continuation: CheckedContinuation<Outcome, Never>
        var body = Data()
        var tooLarge = false
    }

    private let maxBodyBytes: Int
    private let pending = Mutex<[Int: Pending]>([:])

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func start(_ task: URLSessionDataTask, _ continuation: CheckedContinuation<Outcome, Never>) {
        pending.withLock { $0[task.taskIdentifier] = Pending(continuation: continuation) }
        task.resume()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if response.expectedContentLength > maxBodyBytes {
            pending.withLock { $0[dataTask.taskIdentifier]?.tooLarge = true }
            completionHandler(.cancel)
        } else {
            completionHandler(.allow)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let exceeded = pending.withLock { table -> Bool in
            guard var entry = table[dataTask.taskIdentifier], !entry.tooLarge else { return false }
            if entry.body.count + data.count > maxBodyBytes {
                entry.tooLarge = true
                entry.body = Data()
            } else {
                entry.body.append(data)
            }
            table[dataTask.taskIdentifier] = entry
            return entry.tooLarge
        }
        if exceeded { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if entry.tooLarge {
            entry.continuation.resume(returning: .tooLarge)
        } else if let error {
            entry.continuation.resume(returning: .failed(error))
        } else {
            entry.continuation.resume(returning: .completed(task.response, entry.body))
        }
    }
}
