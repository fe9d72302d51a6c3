import Foundation

/// A throwaway PostgreSQL server on a loopback port: a fresh cluster in a temporary directory, trusting local
/// connections, run as the `postgres` user when the tests run as root (the server refuses to run as root).
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    /// The superuser the cluster was made with; trusted, so no password.
    public let user = "tidemark"
    private let directory: URL
    private let binaries: URL
    private var process: Process?

    /// Runs `body` against a new server and removes the server afterwards, whatever `body` does.
    public static func with<T>(_ body: (PostgresServer) async throws -> T) async throws -> T {
        let server = try await offload { try PostgresServer() }
        do {
            let result = try await body(server)
            await offload { server.destroy() }
            return result
        } catch {
            await offload { server.destroy() }
            throw error
        }
    }

    init() throws {
        binaries = try Self.findBinaries()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["-R", "postgres:postgres", directory.path], asPostgres: false) }
        port = try FreePort.find()
        try Self.run(
            binaries.appendingPathComponent("initdb").path,
            ["-D", dataDirectory, "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        try startNow()
    }

    /// `postgres://tidemark@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    public func url(database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Creates an empty database and returns its URL.
    public func createDatabase(_ name: String) async throws -> String {
        try await Self.offload { try self.createDatabaseNow(name) }
    }

    private func createDatabaseNow(_ name: String) throws -> String {
        try Self.run(binaries.appendingPathComponent("createdb").path, ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, name])
        return url(database: name)
    }

    /// Rows of a query run with `psql`, fields split at `|`.
    public func query(_ database: String, _ sql: String) async throws -> [[String]] {
        try await Self.offload {
            let process = Process()
            process.executableURL = self.binaries.deletingLastPathComponent().appendingPathComponent("bin/psql")
            process.arguments = ["-h", "127.0.0.1", "-p", "\(self.port)", "-U", self.user, "-d", database, "-At", "-F", "|", "-c", sql]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw FixtureError("psql failed: \(sql)") }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map {
                $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
        }
    }

    /// Starts the server (again, after `stop`) and waits until it accepts connections.
    public func start() async throws { try await Self.offload { try self.startNow() } }

    private func startNow() throws {
        // In the foreground, as the process's own child: pg_ctl's daemon would inherit the descriptor through which
        // Foundation learns that a child exited, and waiting for pg_ctl would never end.
        let process = Process()
        let server = binaries.appendingPathComponent("postgres").path
        let arguments = [
            "-D", dataDirectory, "-p", "\(port)", "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
            "-c", "max_connections=200",
        ]
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", server] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: server)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while (try? Self.run(binaries.appendingPathComponent("pg_isready").path, ["-q", "-h", "127.0.0.1", "-p", "\(port)"])) == nil {
            guard Date() < deadline, process.isRunning else { throw FixtureError("PostgreSQL did not start on port \(port)") }
            usleep(50_000)
        }
    }

    /// Stops the server at once, ending every session (as a crash or a failover of the database would).
    public func stop() async throws { await Self.offload { self.stopNow() } }

    private func stopNow() {
        guard let process, process.isRunning else { return }
        let pidFile = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else { return }
        kill(postmaster, SIGQUIT)
        // Until the server and its sessions are gone (Foundation's own wait also waits for every inherited descriptor).
        let deadline = Date().addingTimeInterval(10)
        while kill(postmaster, 0) == 0 || FreePort.accepts(port), Date() < deadline { usleep(20_000) }
    }

    /// Freezes the server and its sessions (SIGSTOP): connections stay open and nothing answers, as when the network
    /// to the database drops packets or the machine hangs.
    public func pause() async throws { try signalAll(SIGSTOP) }

    /// Lets a paused server go on.
    public func resume() async throws { try signalAll(SIGCONT) }

    private func signalAll(_ signal: Int32) throws {
        let pidFile = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw FixtureError("PostgreSQL is not running (no postmaster.pid)")
        }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter {
            let stat = (try? String(contentsOfFile: "/proc/\($0)/stat", encoding: .utf8)) ?? ""
            // pid (comm) state ppid …: the fields after the closing parenthesis.
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && Int32(fields[1]) == postmaster
        }
        for pid in [postmaster] + children { kill(pid, signal) }
    }

    func destroy() {
        try? signalAll(SIGCONT)
        stopNow()
        try? FileManager.default.removeItem(at: directory)
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// The newest installed PostgreSQL's `bin` directory (Debian keeps them under /usr/lib/postgresql/VERSION).
    static func findBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw FixtureError("no PostgreSQL server under /usr/lib/postgresql; run scripts/bootstrap.sh --test")
        }
        return root.appendingPathComponent("\(newest)/bin")
    }

    /// Runs blocking work (a server program to its end) on a thread of its own, not on the tasks' shared pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    static func offload(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                work()
                continuation.resume()
            }
        }
    }

    /// Runs a server program, as `postgres` when this process is root.
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = true) throws {
        if asPostgres && getuid() == 0 {
            try Subprocess.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try Subprocess.run(executable, arguments)
        }
    }
}
