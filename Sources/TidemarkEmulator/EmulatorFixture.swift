import Foundation
import TidemarkJSON

/// Initial contents of an emulator, read from a JSON file:
/// `{"drives": [{"uuid": "…", "name": "db-1", "tags": ["prod"]}], "backupschedulers": [{…}], "snapshots": [{"drive": "…", "name": "…", "timestamp": "…"}]}`.
public struct EmulatorFixture: Sendable {
    public struct Drive: Sendable {
        public var uuid: String?
        public var name: String
        public var tags: [String]

        public init(uuid: String? = nil, name: String, tags: [String] = []) {
            self.uuid = uuid
            self.name = name
            self.tags = tags
        }
    }

    public var drives: [Drive]
    /// Backup scheduler objects as a client would POST them.
    public var backupSchedulers: [JSON]
    /// Snapshot objects: `drive` (uuid), `name`, optional `timestamp`, `meta`, `status`.
    public var snapshots: [JSON]

    public init(drives: [Drive] = [], backupSchedulers: [JSON] = [], snapshots: [JSON] = []) {
        self.drives = drives
        self.backupSchedulers = backupSchedulers
        self.snapshots = snapshots
    }

    /// Reads a fixture file.
    public init(contentsOf path: String) throws {
        let json = try JSON.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
        drives = (json["drives"]?.arrayValue ?? []).compactMap { drive in
            guard let name = drive["name"]?.stringValue else { return nil }
            return Drive(uuid: drive["uuid"]?.stringValue, name: name, tags: drive["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        backupSchedulers = json["backupschedulers"]?.arrayValue ?? []
        snapshots = json["snapshots"]?.arrayValue ?? []
    }
}
