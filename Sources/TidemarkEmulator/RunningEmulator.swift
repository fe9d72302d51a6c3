import ServiceLifecycle

/// An emulator running in a background task, for tests.
public final class RunningEmulator: Sendable {
    public let emulator: Emulator
    public let port: Int
    private let task: Task<Void, any Error>
    private let group: ServiceGroup

    /// Starts the emulator and returns once it is listening.
    public static func start(_ configuration: EmulatorConfiguration) async throws -> RunningEmulator {
        let emulator = try Emulator(configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = ServiceGroup(configuration: .init(services: [emulator.application { continuation.yield($0) }], logger: Emulator.logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw EmulatorStartError()
        }
        return RunningEmulator(emulator: emulator, port: port, task: task, group: group)
    }

    private init(emulator: Emulator, port: Int, task: Task<Void, any Error>, group: ServiceGroup) {
        self.emulator = emulator
        self.port = port
        self.task = task
        self.group = group
    }

    /// `http://127.0.0.1:PORT/api/2.0/`.
    public var baseURL: String { "http://\(emulator.configuration.host):\(port)/api/2.0/" }

    /// `http://127.0.0.1:PORT`.
    public var rootURL: String { "http://\(emulator.configuration.host):\(port)" }

    public var requests: RequestLog { emulator.requests }

    /// Shuts down gracefully and waits for the server to close.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}

/// The emulator stopped before it started listening.
public struct EmulatorStartError: Error, CustomStringConvertible {
    public var description: String { "the emulator stopped before it was listening (is the port in use?)" }
}
