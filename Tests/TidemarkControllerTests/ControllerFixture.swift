import Foundation
import Logging
import TidemarkController
import TidemarkEmulator
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// The seed policies as controller jobs, one emulator drive each, a provider over real HTTP and a fresh SQLite file.
struct ControllerFixture {
    let emulator: RunningEmulator
    let provider: CloudSigmaProvider
    let jobs: [ControllerJob]
    let directory: URL
    var storePath: String { directory.appendingPathComponent("state.sqlite").path }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func start(only names: Set<String>? = nil) async throws -> ControllerFixture {
        let loaded = try PolicyLoader(providers: ProviderRegistry.documentRules).load(
            path: repositoryRoot.appendingPathComponent("policies").path)
        let schedulers = loaded.policies.schedulers.filter { names?.contains($0.name) ?? true }
        let drives = schedulers.map { EmulatorFixture.Drive(uuid: UUID().uuidString.lowercased(), name: "drive-\($0.name)") }
        let emulator = try await RunningEmulator.start(
            EmulatorConfiguration(fixture: EmulatorFixture(drives: drives), backupSchedulersEnabled: false))
        let provider = CloudSigmaProvider(
            target: "local", endpoint: URL(string: emulator.baseURL)!,
            credentials: BasicCredentials(user: EmulatorCredentials.user, password: EmulatorCredentials.password),
            transport: CurlTransport())
        let jobs = zip(schedulers, drives).map { document, drive in
            ControllerJob(
                scheduler: document.name, target: "local", schedule: document.spec.schedule,
                retention: loaded.policies.resolve(document.spec.retention), driveIDs: [drive.uuid!])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-controller-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ControllerFixture(emulator: emulator, provider: provider, jobs: jobs, directory: directory)
    }

    func withJobs(_ jobs: [ControllerJob]) -> ControllerFixture {
        ControllerFixture(emulator: emulator, provider: provider, jobs: jobs, directory: directory)
    }

    func scheduler(store: any StateStore) -> ControllerScheduler {
        ControllerScheduler(store: store, instance: "tidemark", provider: provider, logger: Logger(label: "test"))
    }

    /// Live snapshots of the controller, by drive: their slot instants, sorted.
    func liveSlots() async throws -> [String: [Date]] {
        var slots: [String: [Date]] = [:]
        for snapshot in try await provider.snapshots() {
            guard let slot = snapshot.meta[SnapshotMarker.slotKey].flatMap(SnapshotMarker.slot(from:)) else { continue }
            slots[snapshot.driveID, default: []].append(slot)
        }
        return slots.mapValues { $0.sorted() }
    }

    func stop() async {
        await emulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
