import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// A Danube backup definition (seed 003) to and from the neutral scheduler state. One definition serves one
/// scheduler on one VM disk; its policy-side name is `SCHEDULER@HOSTNAME/DISK_ID`.
public enum DanubeMapping {
    /// Option keys: the drive (`HOSTNAME/DISK_ID`) and the definition's wire fields that listings return.
    public static let driveKey = "drive", node = "node", zpool = "zpool", schedule = "schedule", retention = "retention",
        bwlimit = "bwlimit"
    /// Options that are sent on create but not returned by listings, so never compared.
    public static let createOnly = ["type", "compression", "fsfreeze"]

    public static func drive(_ hostname: String, _ disk: Int) -> String { "\(hostname)/\(disk)" }

    static func split(drive: String) -> (String, Int)? {
        guard let slash = drive.lastIndex(of: "/"), let disk = Int(drive[drive.index(after: slash)...]) else { return nil }
        return (String(drive[..<slash]), disk)
    }

    /// The policy-side name of a scheduler's definition on a drive.
    public static func objectName(scheduler: String, drive: String) -> String { "\(scheduler)@\(drive)" }

    /// The scheduler part of a policy-side name.
    public static func definitionName(_ objectName: String) -> String {
        objectName.firstIndex(of: "@").map { String(objectName[..<$0]) } ?? objectName
    }

    static func objectID(_ state: SchedulerState, marker: OwnershipMarker) -> String {
        "\(state.options[driveKey] ?? "")/\(state.displayName)"
    }

    static func live(_ definition: JSON) -> LiveScheduler {
        let host = definition["hostname"]?.stringValue ?? ""
        let name = definition["name"]?.stringValue ?? ""
        let disk = definition["disk_id"]?.intValue ?? 1
        let drive = drive(host, disk)
        var marker = DescriptionMarker.parse(definition["desc"]?.stringValue)
        if let scheduler = marker?.name { marker?.name = objectName(scheduler: scheduler, drive: drive) }
        return LiveScheduler(
            id: "\(drive)/\(name)", marker: marker, state: state(definition, drive: drive), displayName: name, raw: definition)
    }

    static func state(_ definition: JSON, drive: String) -> SchedulerState? {
        guard let pattern = definition["schedule"]?.stringValue, let cron = try? CronExpression(parsing: pattern),
            let retention = definition["retention"]?.intValue
        else { return nil }
        let options = [
            driveKey: drive, node: definition["node"]?.stringValue ?? "", zpool: definition["zpool"]?.stringValue ?? "",
            schedule: pattern, self.retention: String(retention), bwlimit: definition["bwlimit"]?.intValue.map(String.init) ?? "",
        ]
        return SchedulerState(
            displayName: definition["name"]?.stringValue ?? "", type: .backup, enabled: definition["active"]?.boolValue ?? true,
            schedule: ScheduleSpec(timezone: "UTC", rule: .cron(cron)), retentionName: "", retention: [.last(retention)],
            notifications: Notifications(), remoteLocation: "", window: nil, options: options)
    }

    static func wire(_ state: SchedulerState, marker: OwnershipMarker, disk: Int, creating: Bool) -> JSON {
        var body: JSON = [
            "disk_id": .int(disk),
            "schedule": .string(state.options[schedule] ?? ""),
            "retention": .int(Int(state.options[retention] ?? "") ?? 1),
            "active": .bool(state.enabled),
            "bwlimit": Int(state.options[bwlimit] ?? "").map(JSON.int) ?? .null,
            "desc": .string(
                DescriptionMarker.text(
                    OwnershipMarker(
                        instance: marker.instance, target: marker.target,
                        name: definitionName(marker.name), protected: marker.protected))),
        ]
        if creating {
            body["node"] = .string(state.options[node] ?? "")
            body["zpool"] = .string(state.options[zpool].flatMap { $0.isEmpty ? nil : $0 } ?? "zones")
            for key in ["type", "compression"] { if let value = state.options[key].flatMap(Int.init) { body[key] = .int(value) } }
            if let fsfreeze = state.options["fsfreeze"] { body["fsfreeze"] = .bool(fsfreeze == "true") }
        }
        return body
    }

    /// The danube wire format for the reconciler: an update writes the fields PUT takes over the live definition.
    public struct Format: SchedulerWireFormat {
        public init() {}

        public func live(_ object: JSON) -> LiveScheduler { DanubeMapping.live(object) }

        public func object(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
            let disk = state.options[driveKey].flatMap(split(drive:))?.1 ?? 1
            let fields = wire(state, marker: marker, disk: disk, creating: base == nil)
            guard let base = base?.objectValue else { return fields }
            return .object(base.merging(fields.objectValue ?? [:]) { _, new in new })
        }
    }

    static func snapshot(_ backup: JSON, host: String) -> LiveSnapshot? {
        guard let name = backup["name"]?.stringValue, let disk = backup["disk_id"]?.intValue,
            let created = backup["created"]?.stringValue, let taken = Timestamp.parse(created)
        else { return nil }
        let meta = parseNote(backup["note"]?.stringValue ?? "")
        let drive = drive(host, disk)
        return LiveSnapshot(
            id: "\(drive)/\(name)", driveID: drive, name: name, takenAt: taken, succeeded: backup["status"]?.intValue ?? 1 == 1,
            createdByTidemark: meta[SnapshotMetaKey.owner] != nil, meta: meta)
    }

    /// The controller's slot marker as a backup note: `key=value` pairs separated by spaces.
    static func note(_ meta: [String: String]) -> String {
        meta.keys.sorted().map { "\($0)=\(meta[$0]!)" }.joined(separator: " ")
    }

    static func parseNote(_ note: String) -> [String: String] {
        var meta: [String: String] = [:]
        for pair in note.split(separator: " ") {
            guard let equals = pair.firstIndex(of: "="), pair.hasPrefix("tidemark.io/") else { continue }
            meta[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return meta
    }
}
