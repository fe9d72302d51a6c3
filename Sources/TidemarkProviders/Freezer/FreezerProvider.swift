import Foundation
import Logging
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// The `freezer` provider: jobs with a backup action and their backups in one project (seed 004, OpenStack Freezer
/// API v2). The endpoint is the project's root, e.g. `http://freezer.example.net:9090/v2/PROJECT_ID/`.
public struct FreezerProvider: Provider {
    public let target: String
    let client: JSONClient
    /// Freezer caps pages at what `limit` asks for; lists are read until a short page.
    static let pageSize = 100

    /// A provider for a Target document; a token goes in `X-Auth-Token`.
    public static func make(
        for target: PolicyDocument<TargetSpec>, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        observe: (@Sendable (Int?) -> Void)? = nil,
        connection options: ConnectionOptions = ConnectionOptions()
    ) throws(ProviderError) -> FreezerProvider {
        FreezerProvider(
            target: target.name,
            client: try TargetConnection.client(
                target, tokenHeader: "X-Auth-Token", errorDetails: JSONClient.details(keys: ["title", "description"]), logger: logger,
                environment: environment, observe: observe, options: options))
    }

    /// Every object of a listing: `limit`/`offset` pages of a bare list, no total.
    func listAll(_ resource: String) async throws(ProviderError) -> [JSON] {
        var objects: [JSON] = []
        while true {
            let query = [("limit", String(Self.pageSize)), ("offset", String(objects.count))]
            guard let page = try await client.fetch("GET", resource, query: query)[resource]?.arrayValue else {
                throw .unreadable(request: "GET \(resource)", reason: "no \(resource) list in the response")
            }
            objects += page
            if page.count < Self.pageSize { return objects }
        }
    }

    public func readLiveState() async throws(ProviderError) -> LiveState {
        let clients = try await listAll("clients").map { entry throws(ProviderError) -> String in
            guard let id = (entry["client"] ?? entry)["client_id"]?.stringValue else {
                throw .unreadable(request: "GET clients", reason: "a client has no client_id")
            }
            return id
        }
        let jobs = try await listAll("jobs").map { job throws(ProviderError) -> LiveScheduler in
            guard job["job_id"]?.stringValue?.isEmpty == false else {
                throw .unreadable(request: "GET jobs", reason: "a job has no job_id")
            }
            return FreezerMapping.live(job)
        }
        return LiveState(schedulers: jobs, drives: [], nativeScheduling: true, clients: Set(clients))
    }

    public func snapshots() async throws(ProviderError) -> [LiveSnapshot] {
        try await listAll("backups").map { backup throws(ProviderError) -> LiveSnapshot in
            let metadata = backup["backup_metadata"] ?? backup
            guard let id = backup["backup_id"]?.stringValue, let stamp = metadata["time_stamp"]?.intValue else {
                throw .unreadable(request: "GET backups", reason: "a backup lacks a backup_id or a time_stamp")
            }
            return LiveSnapshot(
                id: id, driveID: metadata["job_id"]?.stringValue ?? "", name: metadata["backup_name"]?.stringValue ?? id,
                takenAt: Date(timeIntervalSince1970: TimeInterval(stamp)),
                succeeded: backup["status"]?.stringValue != "error", createdByTidemark: false)
        }
    }

    public func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        throw .unsupported(target: target, reason: "freezer backups are made by the agent on the client; the API cannot take one")
    }

    public func deleteSnapshot(id: String) async throws(ProviderError) {
        _ = try await client.send("DELETE", "backups/\(id)")
    }

    public func apply(_ action: ProviderAction) async throws(ProviderError) -> String? {
        switch action {
        case .createScheduler(let state, let marker):
            let created = try await client.fetch("POST", "jobs", body: FreezerMapping.wire(state, marker: marker, base: nil))
            guard let id = created["job_id"]?.stringValue else {
                throw .unreadable(request: "POST jobs", reason: "the response holds no job_id")
            }
            return id
        case .updateScheduler(let live, let object):
            // freezer-api empties job_schedule when a patch leaves it out, so it always goes along (unchanged unless the plan says).
            var body = MinimalWrite.changedMembers(of: object, from: live.raw)
            body["job_schedule"] = object["job_schedule"] ?? [:]
            _ = try await client.send("PATCH", "jobs/\(live.id)", body: body)
            return live.id
        case .deleteScheduler(let id):
            _ = try await client.send("DELETE", "jobs/\(id)")
            return id
        case .bindDrive:
            throw .unsupported(target: target, reason: "freezer jobs run on their client; there are no drive bindings")
        }
    }
}
