import Foundation
import Synchronization
import TidemarkProviderModel

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if response.expectedContentLength > maxBodyBytes {
            pending.withLock { $0[dataTask.taskIdentifier]?.tooLarge = true }
            completionHandler(.cancel)
        } else {
            // The whole body in one allocation, not grown (and copied) by doubling as it arrives.
            if response.expectedContentLength > 0 {
                pending.withLock { $0[dataTask.taskIdentifier]?.body.reserveCapacity(Int(response.expectedContentLength)) }
            }
            completionHandler(.allow)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        // Appends in place: a copy of the entry would share its body, and each append would then copy the whole
        // body so far (quadratic in the response's size; 2.4 s for a 9 MB listing).
        let exceeded = pending.withLock { table -> Bool in
            let id = dataTask.taskIdentifier
            guard let received = table[id].flatMap({ $0.tooLarge ? nil : $0.body.count }) else { return false }
            guard received + data.count <= maxBodyBytes else {
                table[id]?.tooLarge = true
                table[id]?.body = Data()
                return true
            }
            table[id]?.body.append(data)
            return false
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
