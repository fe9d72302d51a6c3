import Foundation
import TidemarkJSON

/// The emulated account: backup schedulers, drives, tags and snapshots, and the seed API's semantics over them.
struct CloudSigmaAccount {
    static let apiRoot = "/api/2.0/"
    static let owner: JSON = [
        "resource_uri": "/api/2.0/user/6a02f732-4dae-47d6-ac18-f4ddb6fc4b31/",
        "uuid": "6a02f732-4dae-47d6-ac18-f4ddb6fc4b31",
    ]

    let backupSchedulersEnabled: Bool
    var schedulers: [String: JSON] = [:]
    var drives: [String: JSON] = [:]
    var tags: [String: JSON] = [:]
    var snapshots: [String: JSON] = [:]

    init(configuration: EmulatorConfiguration) throws(APIError) {
        backupSchedulersEnabled = configuration.backupSchedulersEnabled
        for index in 0..<configuration.seedDrives {
            addDrive(uuid: Self.deterministicUUID(index), name: String(format: "drive-%05d", index + 1), tagNames: [])
        }
        if let fixture = configuration.fixture {
            for drive in fixture.drives { addDrive(uuid: drive.uuid ?? Self.newUUID(), name: drive.name, tagNames: drive.tags) }
            for scheduler in fixture.backupSchedulers { _ = try createScheduler(scheduler, keepingIdentity: true) }
            for snapshot in fixture.snapshots { _ = try createSnapshot(snapshot) }
        }
    }

    static func newUUID() -> String { UUID().uuidString.lowercased() }

    /// Stable uuids for generated drives, so repeated runs see the same account.
    static func deterministicUUID(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    static func reference(_ resource: String, _ uuid: String) -> JSON {
        ["resource_uri": .string("\(apiRoot)\(resource)/\(uuid)/"), "uuid": .string(uuid)]
    }

    // MARK: Backup schedulers

    /// Creates a scheduler; with `keepingIdentity` (fixtures), the input's `uuid` and `owner` are kept, so a seed's
    /// objects are served as the seed shows them.
    mutating func createScheduler(_ input: JSON, keepingIdentity: Bool = false) throws(APIError) -> JSON {
        let errors = BackupSchedulerValidation.errors(input)
        guard errors.isEmpty else { throw APIError(validation: errors) }
        var object = input
        for key in ["uuid", "resource_uri", "owner"] { object[key] = nil }
        let defaults: [String: JSON] = [
            "enable_backup_policy_notifications": true, "enable_retention_policy_notifications": true,
            "grantees": [], "permissions": [], "tags": [], "meta": [:], "orchestrator_timezone": "",
            "initial_backup": [:], "remote_location": "", "retention_policy": ["name": "", "rules": []], "user_timezone": "Etc/UTC",
        ]
        for (key, value) in defaults where object[key] == nil || object[key] == .null { object[key] = value }
        let uuid = keepingIdentity ? input["uuid"]?.stringValue ?? Self.newUUID() : Self.newUUID()
        object["uuid"] = .string(uuid)
        object["resource_uri"] = .string("\(Self.apiRoot)backupschedulers/\(uuid)/")
        object["owner"] = keepingIdentity ? input["owner"] ?? Self.owner : Self.owner
        let stored = CloudSigmaQuirks.stored(object)
        schedulers[uuid] = stored
        return stored
    }

    mutating func updateScheduler(_ uuid: String, _ input: JSON) throws(APIError) -> JSON {
        guard let existing = schedulers[uuid] else { throw .notFound("Backup scheduler \(uuid)") }
        guard let changes = input.objectValue else { throw APIError(validation: [APIError.validation("Expected an object", at: nil)]) }
        var merged = existing
        for (key, value) in changes where !["uuid", "resource_uri", "owner"].contains(key) { merged[key] = value }
        let errors = BackupSchedulerValidation.errors(merged)
        guard errors.isEmpty else { throw APIError(validation: errors) }
        let stored = CloudSigmaQuirks.stored(merged)
        schedulers[uuid] = stored
        return CloudSigmaQuirks.rendered(stored)
    }

    mutating func deleteSchedulers(_ uuids: [String]) throws(APIError) {
        for uuid in uuids {
            guard schedulers[uuid] != nil else { throw .notFound("Backup scheduler \(uuid)") }
            let users = drives.values.filter { $0["backup_scheduler"]?["uuid"]?.stringValue == uuid }.compactMap { $0["uuid"]?.stringValue }
            if !users.isEmpty {
                throw APIError(
                    status: 409, type: "permission",
                    message: "Backup scheduler \(uuid) is used by drives \(users.sorted().joined(separator: ", "))", point: "uuid")
            }
        }
        for uuid in uuids { schedulers[uuid] = nil }
    }

    // MARK: Drives and tags

    mutating func addDrive(uuid: String, name: String, tagNames: [String]) {
        let tagReferences: [JSON] = tagNames.map { tagName in
            let tagUUID =
                tags.first { $0.value["name"]?.stringValue == tagName }?.key
                ?? {
                    let created = Self.newUUID()
                    tags[created] = [
                        "name": .string(tagName), "uuid": .string(created), "resource_uri": .string("\(Self.apiRoot)tags/\(created)/"),
                        "owner": Self.owner, "meta": [:], "resources": [],
                    ]
                    return created
                }()
            if var tag = tags[tagUUID], case .array(var resources) = tag["resources"] {
                resources.append(Self.reference("drives", uuid))
                tag["resources"] = .array(resources)
                tags[tagUUID] = tag
            }
            return Self.reference("tags", tagUUID)
        }
        drives[uuid] = [
            "affinities": [], "allow_multimount": false, "backup_scheduler": .null, "grantees": [], "iops": .null, "jobs": [],
            "licenses": [], "media": "disk", "meta": [:], "mounted_on": [], "name": .string(name), "owner": Self.owner,
            "permissions": [], "remote_snapshots": [], "resource_uri": .string("\(Self.apiRoot)drives/\(uuid)/"),
            "runtime": ["is_snapshotable": true, "snapshots_allocated_size": 0, "storage_type": "dssd"],
            "size": 1_073_741_824, "snapshots": [], "status": "unmounted", "storage_type": "dssd", "tags": .array(tagReferences),
            "uuid": .string(uuid),
        ]
    }

    mutating func setScheduler(drive uuid: String, _ input: JSON) throws(APIError) -> JSON {
        guard var drive = drives[uuid] else { throw .notFound("Drive \(uuid)") }
        switch input["backup_policy_uuid"] {
        case .string(let scheduler)?:
            guard schedulers[scheduler] != nil else {
                throw APIError(validation: [APIError.validation("Backup scheduler \(scheduler) does not exist", at: "backup_policy_uuid")])
            }
            drive["backup_scheduler"] = Self.reference("backupschedulers", scheduler)
        case .null?:
            drive["backup_scheduler"] = .null
        default:
            throw APIError(validation: [APIError.validation("This field is required.", at: "backup_policy_uuid")])
        }
        drives[uuid] = drive
        return drive
    }

    // MARK: Snapshots

    mutating func createSnapshot(_ input: JSON) throws(APIError) -> JSON {
        guard let driveUUID = input["drive"]?.stringValue ?? input["drive"]?["uuid"]?.stringValue else {
            throw APIError(validation: [APIError.validation("This field is required.", at: "drive")])
        }
        guard var drive = drives[driveUUID] else {
            throw APIError(validation: [APIError.validation("Drive \(driveUUID) does not exist", at: "drive")])
        }
        let uuid = Self.newUUID()
        let timestamp = input["timestamp"]?.stringValue ?? Date().formatted(.iso8601).replacingOccurrences(of: "Z", with: "+00:00")
        let snapshot: JSON = [
            "allocated_size": 0, "drive": Self.reference("drives", driveUUID), "grantees": [], "meta": input["meta"] ?? [:],
            "name": input["name"] ?? .string("snapshot \(timestamp)"), "owner": Self.owner, "permissions": [],
            "resource_uri": .string("\(Self.apiRoot)snapshots/\(uuid)/"), "status": input["status"] ?? "available", "tags": [],
            "timestamp": .string(timestamp), "uuid": .string(uuid),
        ]
        snapshots[uuid] = snapshot
        if case .array(var list) = drive["snapshots"] {
            list.append(Self.reference("snapshots", uuid))
            drive["snapshots"] = .array(list)
            drives[driveUUID] = drive
        }
        return snapshot
    }

    mutating func deleteSnapshot(_ uuid: String) throws(APIError) {
        guard let snapshot = snapshots.removeValue(forKey: uuid) else { throw .notFound("Snapshot \(uuid)") }
        if let driveUUID = snapshot["drive"]?["uuid"]?.stringValue, var drive = drives[driveUUID],
            case .array(let list) = drive["snapshots"]
        {
            drive["snapshots"] = .array(list.filter { $0["uuid"]?.stringValue != uuid })
            drives[driveUUID] = drive
        }
    }
}
