import Foundation
import TidemarkJSON
import TidemarkPolicy

/// A scheduler as the reconciler compares it: provider-neutral, normalized (docs/plan.md).
public struct SchedulerState: Sendable, Hashable {
    public var displayName: String
    public var type: SchedulerType
    public var enabled: Bool
    public var schedule: ScheduleSpec
    public var retentionName: String
    public var retention: [RetentionRule]
    public var notifications: Notifications
    public var remoteLocation: String
    /// cloudsigma keeps a start/end window even for fixed times (`options.window`); nil means the whole day.
    public var window: TimeWindow?
    /// Provider-specific settings as the API holds them, by wire field name (empty on cloudsigma); compared field by field.
    public var options: [String: String]
    /// What a backup plan backs up (scheduled-backup), sorted by id, each named (by its id when it has no name).
    public var resources: [BackupResource]

    public init(
        displayName: String, type: SchedulerType, enabled: Bool, schedule: ScheduleSpec, retentionName: String,
        retention: [RetentionRule], notifications: Notifications, remoteLocation: String, window: TimeWindow?,
        options: [String: String] = [:], resources: [BackupResource] = []
    ) {
        self.displayName = displayName
        self.type = type
        self.enabled = enabled
        self.schedule = schedule
        self.retentionName = retentionName
        self.retention = retention
        self.notifications = notifications
        self.remoteLocation = remoteLocation
        self.window = window
        self.options = options
        self.resources = resources.sorted { $0.id < $1.id }.map { BackupResource(id: $0.id, name: $0.name ?? $0.id, type: $0.type) }
    }

    /// The resources as the API lists them: `[{"id", "name", "type"}]`.
    public var resourcesJSON: JSON {
        .array(resources.map { ["id": .string($0.id), "name": .string($0.name ?? $0.id), "type": .string($0.type)] })
    }

    /// The fields compared one by one where the options describe the object: the options, and the resources as
    /// compact JSON when there are any.
    public var comparedFields: [String: String] {
        resources.isEmpty ? options : options.merging(["resources": resourcesJSON.description]) { _, resources in resources }
    }
}

/// Which tidemark instance and Target own a live object, under which policy name, and whether it is protected.
public struct OwnershipMarker: Sendable, Hashable {
    public var instance: String
    /// The Target document that manages the object; nil in markers written before targets were recorded.
    public var target: String?
    public var name: String
    public var protected: Bool

    public init(instance: String, target: String?, name: String, protected: Bool) {
        self.instance = instance
        self.target = target
        self.name = name
        self.protected = protected
    }

    /// `tidemark/zrh`, or `tidemark` for a marker without a target: who owns the object, as people read it.
    public var owner: String { target.map { "\(instance)/\($0)" } ?? instance }
}

/// A scheduler read from an API.
public struct LiveScheduler: Sendable, Hashable {
    public var id: String
    public var marker: OwnershipMarker?
    /// Nil when the live object uses settings tidemark cannot express; any desired state then differs.
    public var state: SchedulerState?
    public var displayName: String
    /// The object as the API returned it; updates start from it so unknown fields survive.
    public var raw: JSON {
        get { original.json }
        set { original = LiveObject(newValue) }
    }
    private var original: LiveObject

    /// `text`, the object's own JSON text as listed, is kept instead of `raw`'s tree (about a fifth of its memory)
    /// and read again when a write needs it.
    public init(id: String, marker: OwnershipMarker?, state: SchedulerState?, displayName: String, raw: JSON, text: Data? = nil) {
        self.id = id
        self.marker = marker
        self.state = state
        self.displayName = displayName
        self.original = text.map { LiveObject(raw, text: $0) } ?? LiveObject(raw)
    }

    /// A digest of `raw` for `LiveState.version`, independent of the order of its keys.
    var rawDigest: UInt64 { original.digest }
}

/// A drive and the scheduler bound to it.
public struct LiveDrive: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Tag names and uuids.
    public var tags: [String]
    public var schedulerID: String?
    /// Other names and ids that drive selectors match (a danube VM's hostname and uuid for its first disk).
    public var aliases: [String] = []

    public init(id: String, name: String, tags: [String] = [], schedulerID: String? = nil, aliases: [String] = []) {
        self.id = id
        self.name = name
        self.tags = tags
        self.schedulerID = schedulerID
        self.aliases = aliases
    }
}

/// A snapshot of a drive.
public struct LiveSnapshot: Sendable, Hashable {
    public var id: String
    public var driveID: String
    public var name: String
    public var takenAt: Date
    public var succeeded: Bool
    public var createdByTidemark: Bool
    /// The snapshot's string metadata; the controller's slot marker lives here.
    public var meta: [String: String]

    public init(
        id: String, driveID: String, name: String, takenAt: Date, succeeded: Bool, createdByTidemark: Bool, meta: [String: String] = [:]
    ) {
        self.id = id
        self.driveID = driveID
        self.name = name
        self.takenAt = takenAt
        self.succeeded = succeeded
        self.createdByTidemark = createdByTidemark
        self.meta = meta
    }
}

/// Everything the reconciler needs from one target.
public struct LiveState: Sendable {
    public var schedulers: [LiveScheduler]
    public var drives: [LiveDrive]
    /// Whether the target schedules natively (a cloudsigma location may lack `/backupschedulers/`).
    public var nativeScheduling: Bool
    /// Registered clients that jobs may run on (freezer).
    public var clients: Set<String>

    public init(schedulers: [LiveScheduler], drives: [LiveDrive], nativeScheduling: Bool, clients: Set<String> = []) {
        self.schedulers = schedulers
        self.drives = drives
        self.nativeScheduling = nativeScheduling
        self.clients = clients
    }

    /// A digest of the state that matters to a plan, to refuse a saved plan whose world has changed.
    public var version: String {
        var hasher = StableHasher()
        for scheduler in schedulers.sorted(by: { $0.id < $1.id }) {
            hasher.add(scheduler.id)
            hasher.add(word: scheduler.rawDigest)
        }
        for drive in drives.sorted(by: { $0.id < $1.id }) {
            hasher.add(drive.id)
            hasher.add(drive.name)
            hasher.add(String(drive.tags.count))
            for tag in drive.tags { hasher.add(tag) }
            hasher.add(drive.schedulerID ?? "")
        }
        for client in clients.sorted() { hasher.add(client) }
        return hasher.hex
    }
}

/// FNV-1a 64, stable across runs (Swift's Hasher is seeded per process).
struct StableHasher {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 { addByte(byte) }
        addByte(0xFF)
    }

    /// The value's structure and contents, whatever the order of object keys, without serializing it first.
    mutating func add(_ json: JSON) {
        switch json {
        case .null: addByte(0)
        case .bool(let value): addByte(value ? 1 : 2)
        case .int(let value):
            addByte(3)
            addWord(UInt64(bitPattern: Int64(value)))
        case .double(let value):
            addByte(4)
            addWord(value.bitPattern)
        case .string(let value):
            addByte(5)
            add(value)
        case .array(let items):
            addByte(6)
            for item in items { add(item) }
            addByte(7)
        case .object(let fields):
            // Each field hashed on its own and the results summed: the same for any order of the keys, without
            // sorting them.
            var sum: UInt64 = 0
            for (key, value) in fields {
                var field = StableHasher()
                field.add(key)
                field.add(value)
                sum &+= field.state
            }
            addByte(8)
            addWord(sum)
            addWord(UInt64(fields.count))
        }
    }

    private mutating func addByte(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01B3
    }

    mutating func add(word: UInt64) { addWord(word) }

    private mutating func addWord(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { addByte(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    var hex: String { String(state, radix: 16) }

    /// The digest of one value on its own.
    static func digest(_ json: JSON) -> UInt64 {
        var hasher = StableHasher()
        hasher.add(json)
        return hasher.state
    }
}
