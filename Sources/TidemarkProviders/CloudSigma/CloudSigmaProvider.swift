import Foundation
import Logging
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// The `cloudsigma` provider: backup schedulers, drive bindings and snapshots of one location (seeds 000, 001).
public struct CloudSigmaProvider: Provider {
    public let target: String
    let client: CloudSigmaClient

    public init(target: String, endpoint: URL, credentials: BasicCredentials, transport: any HTTPTransport) {
        self.target = target
        self.client = CloudSigmaClient(baseURL: endpoint, transport: transport, authorization: credentials.authorization)
    }

    /// A provider for a Target document, with credentials from its environment variables or files. `observe` sees
    /// the HTTP status of every attempt (nil: no response).
    public static func make(
        for target: PolicyDocument<TargetSpec>, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        observe: (@Sendable (Int?) -> Void)? = nil,
        connection options: ConnectionOptions = ConnectionOptions()
    ) throws(ProviderError) -> CloudSigmaProvider {
        let connection = try TargetConnection(target, logger: logger, observe: observe, options: options)
        let credentials = try BasicCredentials.resolve(target.spec.credentials, target: target.name, environment: environment)
        return CloudSigmaProvider(
            target: target.name, endpoint: connection.endpoint, credentials: credentials, transport: connection.transport)
    }

    /// The three listings are requested at once: the API prepares one while tidemark reads another.
    public func readLiveState() async throws(ProviderError) -> LiveState {
        async let schedulerListing = listing("backupschedulers")
        async let tagListing = listing("tags", fields: ["uuid", "name"])
        async let driveListing = listing("drives", fields: ["uuid", "name", "tags", "backup_scheduler"])
        var schedulers: [LiveScheduler] = []
        var nativeScheduling = true
        switch await schedulerListing {
        case .success(let objects): schedulers = try Self.requireUUIDs(objects, "backupschedulers").map(Self.liveScheduler)
        case .failure(.http(status: 404, _, _)): nativeScheduling = false
        case .failure(let error): throw error
        }
        let tagNames = Dictionary(
            try await tagListing.get().compactMap { tag -> (String, String)? in
                guard let uuid = tag["uuid"]?.stringValue, let name = tag["name"]?.stringValue else { return nil }
                return (uuid, name)
            }, uniquingKeysWith: { first, _ in first })
        let driveObjects = try Self.requireUUIDs(try await driveListing.get(), "drives")
        let drives = driveObjects.compactMap { drive -> LiveDrive? in
            guard let uuid = drive["uuid"]?.stringValue else { return nil }
            let tagUUIDs = drive["tags"]?.arrayValue?.compactMap { $0["uuid"]?.stringValue ?? $0.stringValue } ?? []
            return LiveDrive(
                id: uuid, name: drive["name"]?.stringValue ?? "", tags: tagUUIDs + tagUUIDs.compactMap { tagNames[$0] },
                schedulerID: drive["backup_scheduler"]?["uuid"]?.stringValue)
        }
        return LiveState(schedulers: schedulers, drives: drives, nativeScheduling: nativeScheduling)
    }

    private func listing(_ resource: String, fields: [String]? = nil) async -> Result<[JSON], ProviderError> {
        do {
            return .success(try await client.listAll(resource, fields: fields))
        } catch {
            return .failure(error)
        }
    }

    static func liveScheduler(_ object: JSON) -> LiveScheduler {
        LiveScheduler(
            id: object["uuid"]?.stringValue ?? "", marker: CloudSigmaSchedulerMapping.marker(object),
            state: CloudSigmaSchedulerMapping.state(object), displayName: object["name"]?.stringValue ?? "", raw: object)
    }

    public func snapshots() async throws(ProviderError) -> [LiveSnapshot] {
        var snapshots: [LiveSnapshot] = []
        for (index, object) in try await client.listAll("snapshots").enumerated() {
            guard let snapshot = Self.liveSnapshot(object) else {
                throw .unreadable(
                    request: "GET /snapshots/detail/",
                    reason: "snapshot \(index + 1) of the listing lacks a uuid, a drive or an ISO 8601 timestamp")
            }
            snapshots.append(snapshot)
        }
        return snapshots
    }

    /// The listing's objects, each of which must carry a string `uuid`: decisions are never made on partial data.
    static func requireUUIDs(_ objects: [JSON], _ resource: String) throws(ProviderError) -> [JSON] {
        if let index = objects.firstIndex(where: { $0["uuid"]?.stringValue?.isEmpty ?? true }) {
            throw .unreadable(request: "GET /\(resource)/detail/", reason: "object \(index + 1) of the listing has no uuid")
        }
        return objects
    }

    public func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        let body: JSON = ["objects": [["drive": .string(driveID), "name": .string(name), "meta": .object(meta.mapValues(JSON.string))]]]
        let created = try await client.send("POST", "snapshots/", body: body)
        guard let object = created?["objects"]?.arrayValue?.first, let snapshot = Self.liveSnapshot(object) else {
            throw .unreadable(request: "POST snapshots/", reason: "the response holds no snapshot")
        }
        return snapshot
    }

    public func deleteSnapshot(id: String) async throws(ProviderError) {
        _ = try await client.send("DELETE", "snapshots/\(id)/")
    }

    static func liveSnapshot(_ snapshot: JSON) -> LiveSnapshot? {
        guard let uuid = snapshot["uuid"]?.stringValue,
            let drive = snapshot["drive"]?["uuid"]?.stringValue ?? snapshot["drive"]?.stringValue,
            let timestamp = snapshot["timestamp"]?.stringValue, let taken = try? Date(timestamp, strategy: .iso8601)
        else { return nil }
        let meta = snapshot["meta"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        return LiveSnapshot(
            id: uuid, driveID: drive, name: snapshot["name"]?.stringValue ?? "", takenAt: taken,
            succeeded: snapshot["status"]?.stringValue != "error",
            createdByTidemark: meta[CloudSigmaSchedulerMapping.ownerKey] != nil, meta: meta)
    }

    public func apply(_ action: ProviderAction) async throws(ProviderError) -> String? {
        switch action {
        case .createScheduler(let state, let marker):
            let body: JSON = ["objects": [CloudSigmaSchedulerMapping.wire(state, marker: marker, base: nil)]]
            let created = try await client.send("POST", "backupschedulers/", body: body)
            return created?["objects"]?.arrayValue?.first?["uuid"]?.stringValue
        case .updateScheduler(let live, let object):
            _ = try await client.send("PUT", "backupschedulers/\(live.id)/", body: object)
            return live.id
        case .deleteScheduler(let id):
            _ = try await client.send("DELETE", "backupschedulers/\(id)/")
            return id
        case .bindDrive(let driveID, let schedulerID):
            _ = try await client.send(
                "POST", "drives/\(driveID)/action/", query: [("do", "set_scheduler")],
                body: ["backup_policy_uuid": schedulerID.map(JSON.string) ?? .null])
            return driveID
        }
    }
}

extension CloudSigmaProvider {
    /// Why a scheduler cannot run natively on cloudsigma exactly as written, or nil when it can.
    public static func nativeLimitation(_ state: SchedulerState) -> String? {
        CloudSigmaSchedulerMapping.nativeLimitation(state)
    }
}
