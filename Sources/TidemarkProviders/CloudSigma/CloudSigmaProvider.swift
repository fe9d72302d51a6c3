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

    /// The three listings are requested at once: the API prepares one while tidemark reads another. Each object
    /// becomes its live value as the response is parsed: no listing's whole tree is kept.
    public func readLiveState() async throws(ProviderError) -> LiveState {
        async let schedulerListing = listing("backupschedulers") { object, text in Self.liveScheduler(object, text: text) }
        async let tagListing = listing("tags", fields: ["uuid", "name"], requireUUIDs: false) { object, _ in object }
        async let driveListing = listing("drives", fields: ["uuid", "name", "tags", "backup_scheduler"]) { object, _ in
            Self.liveDrive(object)
        }
        var schedulers: [LiveScheduler] = []
        var nativeScheduling = true
        switch await schedulerListing {
        case .success(let listed): schedulers = listed
        case .failure(.http(status: 404, _, _)): nativeScheduling = false
        case .failure(let error): throw error
        }
        let tagNames = Dictionary(
            try await tagListing.get().compactMap { tag -> (String, String)? in
                guard let uuid = tag["uuid"]?.stringValue, let name = tag["name"]?.stringValue else { return nil }
                return (uuid, name)
            }, uniquingKeysWith: { first, _ in first })
        let drives = try await driveListing.get().map { drive in
            var named = drive
            named.tags += drive.tags.compactMap { tagNames[$0] }
            return named
        }
        return LiveState(schedulers: schedulers, drives: drives, nativeScheduling: nativeScheduling)
    }

    /// A listing's objects as `convert` reads them; with `requireUUIDs`, each must carry a string `uuid`: decisions
    /// are never made on partial data.
    private func listing<Value>(
        _ resource: String, fields: [String]? = nil, requireUUIDs: Bool = true,
        _ convert: @escaping @Sendable (JSON, Data) -> Value
    ) async -> Result<[Value], ProviderError> {
        var values: [Value] = []
        var withoutUUID: Int?
        do {
            try await client.forEachListed(resource, fields: fields) { object, text in
                if requireUUIDs, withoutUUID == nil, object["uuid"]?.stringValue?.isEmpty ?? true { withoutUUID = values.count + 1 }
                values.append(convert(object, text))
            }
        } catch {
            return .failure(error)
        }
        if let withoutUUID {
            return .failure(.unreadable(request: "GET /\(resource)/detail/", reason: "object \(withoutUUID) of the listing has no uuid"))
        }
        return .success(values)
    }

    /// A drive with its tags' uuids; their names are added once the tag listing is in.
    static func liveDrive(_ drive: JSON) -> LiveDrive {
        LiveDrive(
            id: drive["uuid"]?.stringValue ?? "", name: drive["name"]?.stringValue ?? "",
            tags: drive["tags"]?.arrayValue?.compactMap { $0["uuid"]?.stringValue ?? $0.stringValue } ?? [],
            schedulerID: drive["backup_scheduler"]?["uuid"]?.stringValue)
    }

    /// A listed scheduler; with `text`, the object's own JSON text from the listing, kept instead of its tree.
    static func liveScheduler(_ object: JSON, text: Data? = nil) -> LiveScheduler {
        LiveScheduler(
            id: object["uuid"]?.stringValue ?? "", marker: CloudSigmaSchedulerMapping.marker(object),
            state: CloudSigmaSchedulerMapping.state(object), displayName: object["name"]?.stringValue ?? "", raw: object, text: text)
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
