import Synchronization

/// Every request the emulator served, for tests that count requests.
public final class RequestLog: Sendable {
    /// One served request.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var query: String
        public var status: Int
        /// The request body of a request that changes something (empty for GET).
        public var body: [UInt8] = []

        public var description: String { "\(method) \(path)\(query.isEmpty ? "" : "?" + query) -> \(status)" }
    }

    private let entries = Mutex<[Entry]>([])
    private let observer = Mutex<(@Sendable (Entry) -> Void)?>(nil)

    public init() {}

    func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
        observer.withLock { $0 }?(entry)
    }

    /// Calls `body` with every request once it has been carried out, before its answer is sent (nil: stop).
    public func observe(_ body: (@Sendable (Entry) -> Void)?) {
        observer.withLock { $0 = body }
    }

    /// The requests so far, oldest first.
    public var all: [Entry] { entries.withLock { $0 } }

    public func reset() {
        entries.withLock { $0.removeAll() }
    }
}
