import Foundation
import Synchronization
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// A target held in memory, for the tier of tests without sockets: planner and diff rules run against it as against an
/// API. Objects are kept in the provider kind's wire spelling, so creates and updates are read back exactly as the
/// HTTP provider would read them.
public final class InMemoryProvider: Provider {
    struct Contents {
        var schedulers: [LiveScheduler] = []
        var drives: [LiveDrive]
        var snapshots: [LiveSnapshot] = []
        var applied: [ProviderAction] = []
        var nextID = 1
    }

    let format: any SchedulerWireFormat
    let listed: @Sendable (_ created: JSON, _ state: SchedulerState) -> JSON
    let nativeScheduling: Bool
    let clients: Set<String>
    private let contents: Mutex<Contents>

    /// `listed` turns a create request's object into the object as the API then lists it, for APIs that add fields
    /// from elsewhere (danube takes the VM's hostname from the request path).
    public init(
        kind: ProviderKind, drives: [LiveDrive] = [], clients: Set<String> = [], nativeScheduling: Bool = true,
        listed: @escaping @Sendable (_ created: JSON, _ state: SchedulerState) -> JSON = { object, _ in object }
    ) {
        format = ProviderRegistry.definition(for: kind).wireFormat
        self.listed = listed
        self.nativeScheduling = nativeScheduling
        self.clients = clients
        contents = Mutex(Contents(drives: drives))
    }

    /// Every action applied so far, in order.
    public var applied: [ProviderAction] { contents.withLock { $0.applied } }

    /// Adds a live object as someone else made it (in the API's spelling); returns its id.
    @discardableResult
    public func insert(_ object: JSON) -> String { insert(format.live(object)) }

    /// Adds a managed live object holding `state`, as the API would store it; returns its id.
    @discardableResult
    public func insert(_ state: SchedulerState, marker: OwnershipMarker) -> String {
        insert(format.live(listed(format.object(state, marker: marker, base: nil), state)))
    }

    public func readLiveState() async throws(ProviderError) -> LiveState {
        let contents = contents.withLock { $0 }
        return LiveState(schedulers: contents.schedulers, drives: contents.drives, nativeScheduling: nativeScheduling, clients: clients)
    }

    public func snapshots() async throws(ProviderError) -> [LiveSnapshot] { contents.withLock { $0.snapshots } }

    public func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        contents.withLock { contents in
            let snapshot = LiveSnapshot(
                id: "snap-\(contents.nextID)", driveID: driveID, name: name, takenAt: Date(), succeeded: true, createdByTidemark: true,
                meta: meta)
            contents.nextID += 1
            contents.snapshots.append(snapshot)
            return snapshot
        }
    }

    public func deleteSnapshot(id: String) async throws(ProviderError) {
        contents.withLock { $0.snapshots.removeAll { $0.id == id } }
    }

    public func apply(_ action: ProviderAction) async throws(ProviderError) -> String? {
        try contents.withLock { contents throws(ProviderError) -> String? in
            contents.applied.append(action)
            switch action {
            case .createScheduler(let state, let marker):
                return Self.add(format.live(listed(format.object(state, marker: marker, base: nil), state)), to: &contents)
            case .updateScheduler(let current, let object):
                guard let index = contents.schedulers.firstIndex(where: { $0.id == current.id }) else {
                    throw .http(status: 404, request: "update \(current.id)", details: [])
                }
                var live = format.live(object)
                live.id = current.id
                contents.schedulers[index] = live
                return nil
            case .deleteScheduler(let id):
                guard contents.schedulers.contains(where: { $0.id == id }) else {
                    throw .http(status: 404, request: "delete \(id)", details: [])
                }
                contents.schedulers.removeAll { $0.id == id }
                for index in contents.drives.indices where contents.drives[index].schedulerID == id {
                    contents.drives[index].schedulerID = nil
                }
                return nil
            case .bindDrive(let driveID, let schedulerID):
                guard let index = contents.drives.firstIndex(where: { $0.id == driveID }) else {
                    throw .http(status: 404, request: "bind \(driveID)", details: [])
                }
                contents.drives[index].schedulerID = schedulerID
                return nil
            }
        }
    }

    private func insert(_ live: LiveScheduler) -> String { contents.withLock { Self.add(live, to: &$0) } }

    /// Stores `live` under a new id, as the API assigns one on create.
    private static func add(_ live: LiveScheduler, to contents: inout Contents) -> String {
        var live = live
        live.id = "obj-\(contents.nextID)"
        contents.nextID += 1
        contents.schedulers.append(live)
        return live.id
    }
}
