import TidemarkJSON

/// A collection the cloudsigma API lists (`/`, `/detail/`) and serves by uuid.
enum CloudSigmaCollection: Sendable {
    case backupSchedulers, drives, snapshots, tags

    /// The fields of the summary list (`/` without `fields`).
    var summary: [String] {
        switch self {
        case .backupSchedulers:
            [
                "is_default", "is_enabled", "meta", "name", "orchestrator_timezone", "owner", "remote_location",
                "resource_uri", "type", "user_timezone", "uuid",
            ]
        case .drives: ["name", "owner", "resource_uri", "status", "uuid"]
        case .snapshots: ["drive", "name", "owner", "resource_uri", "status", "timestamp", "uuid"]
        case .tags: ["name", "owner", "resource_uri", "uuid"]
        }
    }

    /// The query parameters that filter lists by exact value.
    var filters: [String] {
        switch self {
        case .backupSchedulers: ["type", "name", "uuid"]
        case .drives: ["name", "uuid", "status"]
        case .snapshots: ["name", "uuid", "drive"]
        case .tags: ["name", "uuid"]
        }
    }

    /// How an error names one of its objects.
    var noun: String {
        switch self {
        case .backupSchedulers: "Backup scheduler"
        case .drives: "Drive"
        case .snapshots: "Snapshot"
        case .tags: "Tag"
        }
    }

    /// A stored object as the API shows it: backup schedulers with their quirks.
    func shown(_ object: JSON) -> JSON {
        self == .backupSchedulers ? CloudSigmaQuirks.rendered(object) : object
    }
}
