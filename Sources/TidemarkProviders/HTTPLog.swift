import Foundation
import Synchronization
import TidemarkJSON
import TidemarkProviderModel

/// Every HTTP attempt as one JSON line: method, URL, status, request body and response body. Headers are never
/// written, so credentials never are. Set by `TIDEMARK_HTTP_LOG=FILE`, for debugging and for tests that check
/// what apply sent (docs/plan.md).
public final class HTTPLog: Sendable {
    private let handle: Mutex<FileHandle>

    /// Appends to `path` (created with mode 0600 when missing); several logs may append to one file.
    public init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        handle = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    /// The log `TIDEMARK_HTTP_LOG` names, if any.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPLog? {
        guard let path = environment["TIDEMARK_HTTP_LOG"], !path.isEmpty else { return nil }
        return try HTTPLog(path: path)
    }

    func record(_ request: HTTPRequest, status: Int?, response: Data?) {
        var entry: JSON = [
            "method": .string(request.method), "url": .string(request.url.absoluteString), "status": status.map(JSON.int) ?? .null,
        ]
        entry["request"] = request.body.map(Self.body)
        entry["response"] = response.map(Self.body)
        let line = Data((entry.description + "\n").utf8)
        handle.withLock { try? $0.write(contentsOf: line) }
    }

    /// A body as JSON when it parses, as text otherwise.
    private static func body(_ data: Data) -> JSON {
        (try? JSON.parse(data)) ?? .string(String(decoding: data, as: UTF8.self))
    }
}

/// A transport that writes every attempt to an `HTTPLog`.
struct LoggedTransport: HTTPTransport {
    let base: any HTTPTransport
    let log: HTTPLog

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        do {
            let response = try await base.send(request)
            log.record(request, status: response.status, response: response.body)
            return response
        } catch {
            log.record(request, status: nil, response: nil)
            throw error
        }
    }
}
