import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// A backup plan (seed 002) to and from the neutral scheduler state. The options hold the plan's wire fields.
public enum ScheduledBackupMapping {
    /// The option keys, as the API names the fields.
    public static let mode = "backup_mode", resources = "resources", scheduleType = "schedule_type",
        schedulePattern = "schedule_pattern", maxBackups = "max_backups"

    /// Compact, key-sorted JSON of the resources sorted by id: the comparable form of a resource list. A resource
    /// without a name is sent with its id as the name (the API requires one).
    public static func resourcesText(_ resources: [(id: String, type: String, name: String?)]) -> String {
        JSON.array(
            resources.sorted { $0.id < $1.id }.map {
                ["id": .string($0.id), "name": .string($0.name ?? $0.id), "type": .string($0.type)]
            }
        ).description
    }

    static func state(_ plan: JSON) -> SchedulerState? {
        guard let pattern = plan["schedule_pattern"]?.stringValue, plan["schedule_type"]?.stringValue == "crontab",
            let cron = try? CronExpression(parsing: pattern), let count = plan["max_backups"]?.intValue
        else { return nil }
        let resources = (plan["resources"]?.arrayValue ?? []).map { resource in
            (id: resource["id"]?.stringValue ?? "", type: resource["type"]?.stringValue ?? "", name: resource["name"]?.stringValue)
        }
        let options: [String: String] = [
            mode: plan["backup_mode"]?.stringValue ?? "", self.resources: resourcesText(resources), scheduleType: "crontab",
            schedulePattern: pattern, maxBackups: String(count),
        ]
        return SchedulerState(
            displayName: plan["name"]?.stringValue ?? "", type: .backup, enabled: plan["status"]?.stringValue != "suspended",
            schedule: ScheduleSpec(timezone: "UTC", rule: .cron(cron)), retentionName: "", retention: [.last(count)],
            notifications: Notifications(), remoteLocation: "", window: nil, options: options)
    }

    /// The plan as the API holds it, written over `base` when there is one (its other fields survive).
    static func wire(_ state: SchedulerState, marker: OwnershipMarker, base: JSON? = nil) -> JSON {
        let resources = (try? JSON.parse(Data((state.options[resources] ?? "[]").utf8)))?.arrayValue ?? []
        let fields: [String: JSON] = [
            "backup_mode": .string(state.options[mode] ?? "full"),
            "description": .string(DescriptionMarker.text(marker)),
            "max_backups": .int(Int(state.options[maxBackups] ?? "") ?? 0),
            "name": .string(state.displayName),
            "resources": .array(resources),
            "schedule_pattern": .string(state.options[schedulePattern] ?? ""),
            "schedule_type": "crontab",
            "status": .string(state.enabled ? "started" : "suspended"),
        ]
        return .object((base?.objectValue ?? [:]).merging(fields) { _, new in new })
    }

    /// A plan from a listing; the id is checked by the listing's reader.
    static func live(_ plan: JSON) -> LiveScheduler {
        LiveScheduler(
            id: plan["id"]?.stringValue ?? "", marker: DescriptionMarker.parse(plan["description"]?.stringValue), state: state(plan),
            displayName: plan["name"]?.stringValue ?? "", raw: plan)
    }

    /// The scheduled-backup wire format for the reconciler.
    public struct Format: SchedulerWireFormat {
        public init() {}

        public func live(_ object: JSON) -> LiveScheduler { ScheduledBackupMapping.live(object) }

        public func object(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
            wire(state, marker: marker, base: base)
        }
    }
}
