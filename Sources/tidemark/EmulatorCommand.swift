import ArgumentParser
import Foundation
import TidemarkEmulator

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Serve a local, faithful emulator of the four seed backup APIs on loopback.",
        discussion: """
            cloudsigma under /api/2.0/ (backupschedulers, drives with the set_scheduler action, snapshots, tags), \
            scheduled-backup under /scheduled-backup/v2/PROJECT_UUID/ (plans, checkpoints, restores), danube under \
            /danube/api/ (vm, backup definitions, backups) and freezer under /freezer/v2/PROJECT/ (clients, jobs, backups), \
            with the seeds' envelopes, pagination, filters, validation errors and quirks. Basic auth everywhere; the token \
            APIs also take the password as X-Auth-Token or ES-API-KEY. Runs until interrupted.
            """
    )

    @Option(help: "Port to listen on (0 picks a free one, printed on start).")
    var port: Int = 8789

    @Option(help: "Address to bind; keep it on loopback.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("seed-drives"), help: "Start with this many generated drives (drive-00001 …).")
    var seedDrives: Int = 0

    @Option(
        name: .customLong("seed-vms"),
        help: """
            Start with this many generated danube VMs (vm-0001.example.com …, two disks each) \
            and freezer clients (node-0001 … in project testproject).
            """
    )
    var seedVMs: Int = 0

    @Option(help: "A JSON fixture with drives, tags, backup schedulers, snapshots, danube vms and freezer_clients to start with.")
    var fixture: String?

    @Option(help: "Basic-auth user the emulator accepts.")
    var user: String = EmulatorCredentials.user

    @Option(help: "Basic-auth password the emulator accepts.")
    var password: String = EmulatorCredentials.password

    @Flag(name: .customLong("no-backup-schedulers"), help: "Model a location without native scheduling: /backupschedulers/ answers 404.")
    var noBackupSchedulers = false

    @Option(
        name: .customLong("fault-rate"),
        help: """
            Fraction (0-1) of API requests answered with an injected fault: \
            500/502/503 before or 500/502 after acting, 429 with Retry-After. \
            Change it at run time with PUT /_admin/faults.
            """
    )
    var faultRate: Double = 0

    @Option(name: .customLong("fault-seed"), help: "Seed of the fault sequence.")
    var faultSeed: UInt64 = 1

    @Flag(
        name: .customLong("connection-faults"),
        help: "Also answer some faulted requests never, or close the connection halfway through the body.")
    var connectionFaults = false

    @Option(name: .customLong("latency"), help: "Milliseconds added to every API answer.")
    var latency: Int = 0

    @Option(help: "API requests allowed per second; beyond it every request gets 429 with Retry-After (0: no quota).")
    var quota: Int = 0

    @Option(
        name: .customLong("fault-route"),
        help: "A route's own fault rate, e.g. 'POST /api/2.0/backupschedulers/=0.5' (repeatable; the longest matching route wins).")
    var faultRoutes: [String] = []

    func validate() throws {
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1.") }
        _ = try routes()
    }

    /// `--fault-route` values as route → rate.
    func routes() throws -> [String: Double] {
        var routes: [String: Double] = [:]
        for text in faultRoutes {
            guard let equals = text.lastIndex(of: "="), let rate = Double(text[text.index(after: equals)...]), (0...1).contains(rate) else {
                throw ValidationError(
                    "--fault-route '\(text)' is not ROUTE=RATE with a rate between 0 and 1, e.g. 'POST /api/2.0/backupschedulers/=0.5'.")
            }
            routes[String(text[..<equals])] = rate
        }
        return routes
    }

    func run() async throws {
        let fixtureContents = try fixture.map { try EmulatorFixture(contentsOf: $0) }
        let emulator = try Emulator(
            EmulatorConfiguration(
                host: host, port: port, user: user, password: password, seedDrives: seedDrives,
                seedVMs: seedVMs, fixture: fixtureContents, backupSchedulersEnabled: !noBackupSchedulers,
                faults: FaultPlan(
                    rate: faultRate, seed: faultSeed, latencyMilliseconds: latency,
                    connectionFaults: connectionFaults, quota: quota, routes: try routes())))
        try await emulator.run { port in
            Output.line(
                "tidemark emulator listening on http://\(host):\(port)/api/2.0/ (cloudsigma), "
                    + "/scheduled-backup/v2/PROJECT_UUID/, /danube/api/ and /freezer/v2/PROJECT/")
        }
    }
}
