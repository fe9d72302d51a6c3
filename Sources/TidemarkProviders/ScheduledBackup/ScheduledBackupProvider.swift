import Foundation
import Logging
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// The `scheduled-backup` provider: backup plans and their checkpoints in one project (seed 002). The endpoint is the
/// project's API root, e.g. `https://backup.example.net/v2/PROJECT_ID/`.
public struct ScheduledBackupProvider: Provider {
    public let target: String
    let client: JSONClient
    static let pageSize = 1000

    /// A provider for a Target document; a token goes in `X-Auth-Token`.
    public static func make(
        for target: PolicyDocument<TargetSpec>, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        observe: (@Sendable (Int?) -> Void)? = nil,
        connection options: ConnectionOptions = ConnectionOptions()
    ) throws(ProviderError) -> ScheduledBackupProvider {
        ScheduledBackupProvider(
            target: target.name,
            client: try TargetConnection.client(
                target, tokenHeader: "X-Auth-Token", errorDetails: JSONClient.details(keys: ["title", "message"]), logger: logger,
                environment: environment, observe: observe, options: options))
    }

    public func readLiveState() async throws(ProviderError) -> LiveState {
        let plans = try await listAll("plans")
        return LiveState(schedulers: try plans.map(Self.livePlan), drives: [], nativeScheduling: true)
    }

    /// Every object of a listing, following `marker` until a short page.
    func listAll(_ resource: String) async throws(ProviderError) -> [JSON] {
        var objects: [JSON] = []
        var marker: String?
        while true {
            var query = [("limit", String(Self.pageSize))]
            if let marker { query.append(("marker", marker)) }
            guard let page = try await client.fetch("GET", resource, query: query)[resource]?.arrayValue else {
                throw .unreadable(request: "GET \(resource)", reason: "no \(resource) list in the response")
            }
            objects += page
            guard page.count == Self.pageSize, let last = page.last?["id"]?.stringValue else { return objects }
            marker = last
        }
    }

    static func livePlan(_ plan: JSON) throws(ProviderError) -> LiveScheduler {
        guard plan["id"]?.stringValue?.isEmpty == false else {
            throw .unreadable(request: "GET plans", reason: "a plan of the listing has no id")
        }
        return ScheduledBackupMapping.live(plan)
    }

    public func snapshots() async throws(ProviderError) -> [LiveSnapshot] {
        try await listAll("checkpoints").map { checkpoint throws(ProviderError) -> LiveSnapshot in
            guard let id = checkpoint["id"]?.stringValue, let plan = checkpoint["plan_id"]?.stringValue,
                let created = checkpoint["created_at"]?.stringValue, let taken = Timestamp.parse(created)
            else {
                throw .unreadable(request: "GET checkpoints", reason: "a checkpoint lacks an id, a plan_id or an ISO 8601 created_at")
            }
            return LiveSnapshot(
                id: id, driveID: plan, name: id, takenAt: taken, succeeded: checkpoint["status"]?.stringValue != "error",
                createdByTidemark: false)
        }
    }

    public func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        throw .unsupported(target: target, reason: "the scheduled-backup API cannot create checkpoints on demand")
    }

    public func deleteSnapshot(id: String) async throws(ProviderError) {
        _ = try await client.send("DELETE", "checkpoints/\(id)")
    }

    public func apply(_ action: ProviderAction) async throws(ProviderError) -> String? {
        switch action {
        case .createScheduler(let state, let marker):
            var body = ScheduledBackupMapping.wire(state, marker: marker)
            body["status"] = nil
            let created = try await client.fetch("POST", "plans", body: body)
            guard let id = created["id"]?.stringValue else {
                throw .unreadable(request: "POST plans", reason: "the response holds no plan id")
            }
            if !state.enabled { _ = try await client.send("PUT", "plans/\(id)", body: ["status": "suspended"]) }
            return id
        case .updateScheduler(let live, let object):
            _ = try await client.send("PUT", "plans/\(live.id)", body: MinimalWrite.changedMembers(of: object, from: live.raw))
            return live.id
        case .deleteScheduler(let id):
            _ = try await client.send("DELETE", "plans/\(id)")
            return id
        case .bindDrive:
            throw .unsupported(target: target, reason: "backup plans list their resources; there are no drive bindings")
        }
    }
}
