import Foundation
import TidemarkJSON

/// Initial contents of an emulator, read from a JSON file:
/// `{"drives": [{"uuid": "…", "name": "db-1", "tags": ["prod"]}], "backupschedulers": [{…}],
/// "snapshots": [{"drive": "…", "name": "…", "timestamp": "…"}],
/// "vms": [{"hostname": "web-1.example.com", "disks": 2, "tags": ["prod"], "locked": false}],
/// "freezer_clients": [{"client_id": "node1", "hostname": "node1"}]}`.
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

    /// A Danube VM: hostname, uuid, number of disks and tags.
    public struct VM: Sendable {
        public var hostname: String
        public var uuid: String?
        public var disks: Int
        public var tags: [String]
        /// Not operational: changes to its definitions and backups answer 423.
        public var locked: Bool

        public init(hostname: String, uuid: String? = nil, disks: Int = 1, tags: [String] = [], locked: Bool = false) {
            self.locked = locked
            self.hostname = hostname
            self.uuid = uuid
            self.disks = disks
            self.tags = tags
        }
    }

    /// A Freezer client (an agent's registration) in a project.
    public struct FreezerClient: Sendable {
        public var clientID: String
        public var hostname: String
        public var project: String

        public init(clientID: String, hostname: String, project: String = "testproject") {
            self.clientID = clientID
            self.hostname = hostname
            self.project = project
        }
    }

    public var drives: [Drive]
    public var vms: [VM]
    public var freezerClients: [FreezerClient]
    /// Backup scheduler objects as a client would POST them.
    public var backupSchedulers: [JSON]
    /// Snapshot objects: `drive` (uuid), `name`, optional `timestamp`, `meta`, `status`.
    public var snapshots: [JSON]

    public init(
        drives: [Drive] = [], backupSchedulers: [JSON] = [], snapshots: [JSON] = [], vms: [VM] = [], freezerClients: [FreezerClient] = []
    ) {
        self.drives = drives
        self.vms = vms
        self.freezerClients = freezerClients
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
        vms = (json["vms"]?.arrayValue ?? []).compactMap { vm in
            guard let hostname = vm["hostname"]?.stringValue else { return nil }
            return VM(
                hostname: hostname, uuid: vm["uuid"]?.stringValue, disks: vm["disks"]?.intValue ?? 1,
                tags: vm["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [], locked: vm["locked"]?.boolValue ?? false)
        }
        freezerClients = (json["freezer_clients"]?.arrayValue ?? []).compactMap { client in
            guard let id = client["client_id"]?.stringValue else { return nil }
            return FreezerClient(
                clientID: id, hostname: client["hostname"]?.stringValue ?? id, project: client["project"]?.stringValue ?? "testproject")
        }
        backupSchedulers = json["backupschedulers"]?.arrayValue ?? []
        snapshots = json["snapshots"]?.arrayValue ?? []
    }
}
