import Foundation
import Logging
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// The `danube` provider: VM backup definitions per (VM, disk) and VM backups (seed 003). The endpoint is the API
/// root, e.g. `https://my.erigones.com/api/`. Drives are VM disks, `HOSTNAME/DISK_ID`; a VM's hostname, uuid and tags
/// select its first disk, as the API's `disk_id` defaults to 1.
public struct DanubeProvider: Provider {
    public let target: String
    let client: JSONClient

    /// A provider for a Target document; a token goes in `ES-API-KEY`.
    public static func make(
        for target: PolicyDocument<TargetSpec>, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        observe: (@Sendable (Int?) -> Void)? = nil,
        connection options: ConnectionOptions = ConnectionOptions()
    ) throws(ProviderError) -> DanubeProvider {
        DanubeProvider(
            target: target.name,
            client: try TargetConnection.client(
                target, tokenHeader: "ES-API-KEY", errorDetails: Self.errorDetails, logger: logger, environment: environment,
                observe: observe, options: options))
    }

    /// The `result` of Danube's envelope `{"url", "status", "method", "text": {"status", "result", "task_id"}}`.
    func result(_ method: String, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws(ProviderError) -> JSON {
        let answer = try await client.fetch(method, path, query: query, body: body)
        guard let result = answer["text"]?["result"] else {
            throw .unreadable(request: "\(method) \(path)", reason: "no text.result in the response envelope")
        }
        return result
    }

    public func readLiveState() async throws(ProviderError) -> LiveState {
        guard let vms = try await result("GET", "vm", query: [("full", "true")]).arrayValue else {
            throw .unreadable(request: "GET vm", reason: "text.result is not a list of VMs")
        }
        var drives: [LiveDrive] = []
        for vm in vms {
            guard let hostname = vm["hostname"]?.stringValue else { throw .unreadable(request: "GET vm", reason: "a VM has no hostname") }
            let uuid = vm["uuid"]?.stringValue ?? ""
            let tags = vm["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            for disk in 1...max(1, vm["disks"]?.intValue ?? 1) {
                drives.append(
                    LiveDrive(
                        id: DanubeMapping.drive(hostname, disk), name: DanubeMapping.drive(hostname, disk), tags: disk == 1 ? tags : [],
                        schedulerID: nil, aliases: disk == 1 ? [hostname, uuid, "\(uuid)/1"] : ["\(uuid)/\(disk)"]))
            }
        }
        return LiveState(schedulers: try await definitions().map(DanubeMapping.live), drives: drives, nativeScheduling: true)
    }

    func definitions() async throws(ProviderError) -> [JSON] {
        guard let definitions = try await result("GET", "vm/define/backup", query: [("full", "true")]).arrayValue else {
            throw .unreadable(request: "GET vm/define/backup", reason: "text.result is not a list of backup definitions")
        }
        for definition in definitions where definition["hostname"]?.stringValue == nil || definition["name"]?.stringValue == nil {
            throw .unreadable(request: "GET vm/define/backup", reason: "a backup definition lacks a hostname or a name: \(definition)")
        }
        return definitions
    }

    /// Backups of every VM that has a definition tidemark manages (the API lists backups per VM).
    public func snapshots() async throws(ProviderError) -> [LiveSnapshot] {
        let hosts = Set(
            try await definitions().filter { DescriptionMarker.parse($0["desc"]?.stringValue) != nil }
                .compactMap { $0["hostname"]?.stringValue })
        var snapshots: [LiveSnapshot] = []
        for host in hosts.sorted() {
            guard let backups = try await result("GET", "vm/\(host)/backup", query: [("full", "true")]).arrayValue else {
                throw .unreadable(request: "GET vm/\(host)/backup", reason: "text.result is not a list of backups")
            }
            for backup in backups {
                guard let snapshot = DanubeMapping.snapshot(backup, host: host) else {
                    throw .unreadable(
                        request: "GET vm/\(host)/backup", reason: "a backup lacks a name, a disk_id or an ISO 8601 created time")
                }
                snapshots.append(snapshot)
            }
        }
        return snapshots
    }

    /// Runs the scheduler's backup definition on the disk now (`POST /vm/HOST/backup/DEF`); the meta goes in the note.
    public func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot {
        guard let (host, disk) = DanubeMapping.split(drive: driveID), let definition = meta[SnapshotMetaKey.scheduler] else {
            throw .unsupported(target: target, reason: "\(driveID) is not a HOSTNAME/DISK_ID drive, or the snapshot names no scheduler")
        }
        let created = try await result(
            "POST", "vm/\(host)/backup/\(definition)",
            body: ["disk_id": .int(disk), "note": .string(DanubeMapping.note(meta))])
        let detail = created["detail"]?.stringValue ?? ""
        guard let backupName = detail.split(separator: ",").first.flatMap({ $0.hasPrefix("name=") ? $0.dropFirst(5) : nil }) else {
            throw .unreadable(request: "POST vm/\(host)/backup/\(definition)", reason: "no backup name in the result detail '\(detail)'")
        }
        return LiveSnapshot(
            id: "\(driveID)/\(backupName)", driveID: driveID, name: String(backupName), takenAt: Date(), succeeded: true,
            createdByTidemark: true, meta: meta)
    }

    public func deleteSnapshot(id: String) async throws(ProviderError) {
        let parts = id.split(separator: "/").map(String.init)
        guard parts.count == 3 else { throw .unsupported(target: target, reason: "\(id) is not a HOSTNAME/DISK_ID/BACKUP id") }
        _ = try await result("DELETE", "vm/\(parts[0])/backup/\(parts[2])", query: [("disk_id", parts[1])])
    }

    public func apply(_ action: ProviderAction) async throws(ProviderError) -> String? {
        switch action {
        case .createScheduler(let state, let marker):
            let (path, disk) = try definitionPath(state, marker: marker)
            _ = try await result("POST", path, body: DanubeMapping.wire(state, marker: marker, disk: disk, creating: true))
            return DanubeMapping.objectID(state, marker: marker)
        case .updateScheduler(let live, let object):
            guard let host = live.raw["hostname"]?.stringValue, let name = live.raw["name"]?.stringValue else {
                throw .unsupported(target: target, reason: "backup definition \(live.id) has no hostname or name")
            }
            var body = MinimalWrite.changedMembers(of: object, from: live.raw)
            body["disk_id"] = live.raw["disk_id"] ?? 1
            _ = try await result("PUT", "vm/\(host)/define/backup/\(name)", body: body)
            return live.id
        case .deleteScheduler(let id):
            let parts = id.split(separator: "/").map(String.init)
            guard parts.count == 3 else { throw .unsupported(target: target, reason: "\(id) is not a HOSTNAME/DISK_ID/DEFINITION id") }
            _ = try await result("DELETE", "vm/\(parts[0])/define/backup/\(parts[2])", query: [("disk_id", parts[1])])
            return id
        case .bindDrive:
            throw .unsupported(target: target, reason: "danube backup definitions belong to a VM disk; there are no bindings")
        }
    }

    private func definitionPath(_ state: SchedulerState, marker: OwnershipMarker) throws(ProviderError) -> (String, Int) {
        guard let drive = state.options[DanubeMapping.driveKey], let (host, disk) = DanubeMapping.split(drive: drive) else {
            throw .unsupported(target: target, reason: "backup definition \(marker.name) names no HOSTNAME/DISK_ID drive")
        }
        return ("vm/\(host)/define/backup/\(state.displayName)", disk)
    }

    /// Danube's error result: a message, `{"detail": …}`, or field errors `{"field": ["…"]}`.
    @Sendable static func errorDetails(_ body: Data) -> [String] {
        guard let json = try? JSON.parse(body), let result = json["text"]?["result"] ?? json["detail"] else {
            return JSONClient.excerpt(body)
        }
        if let text = result.stringValue { return [text] }
        if let detail = result["detail"]?.stringValue { return [detail] }
        if let fields = result.objectValue {
            return fields.keys.sorted().map { key in
                "\(key): " + (fields[key]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? "\(fields[key]!)")
            }
        }
        return ["\(result)"]
    }
}
