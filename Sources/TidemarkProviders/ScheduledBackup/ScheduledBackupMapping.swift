import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// A backup plan (seed 002) to and from the neutral scheduler state. The options hold the plan's wire fields.
public enum ScheduledBackupMapping {
    /// The option keys, as the API names the fields.
    public static let mode = "backup_mode", scheduleType = "schedule_type", schedulePattern = "schedule_pattern",
        maxBackups = "max_backups"

    static func state(_ plan: JSON) -> SchedulerState? {
        guard let pattern = plan["schedule_pattern"]?.stringValue, plan["schedule_type"]?.stringValue == "crontab",
            let cron = try? CronExpression(parsing: pattern), let count = plan["max_backups"]?.intValue
        else { return nil }
        let resources = (plan["resources"]?.arrayValue ?? []).map { resource in
            BackupResource(
                id: resource["id"]?.stringValue ?? "", name: resource["name"]?.stringValue, type: resource["type"]?.stringValue ?? "")
        }
        let options: [String: String] = [
            mode: plan["backup_mode"]?.stringValue ?? "", scheduleType: "crontab", schedulePattern: pattern, maxBackups: String(count),
        ]
        return SchedulerState(
            displayName: plan["name"]?.stringValue ?? "", type: .backup, enabled: plan["status"]?.stringValue != "suspended",
            schedule: ScheduleSpec(timezone: "UTC", rule: .cron(cron)), retentionName: "", retention: [.last(count)],
            notifications: Notifications(), remoteLocation: "", window: nil, options: options, resources: resources)
    }

    /// The plan as the API holds it, written over `base` when there is one (its other fields survive).
    static func wire(_ state: SchedulerState, marker: OwnershipMarker, base: JSON? = nil) -> JSON {
        let fields: [String: JSON] = [
            "backup_mode": .string(state.options[mode] ?? "full"),
            "description": .string(DescriptionMarker.text(marker)),
            "max_backups": .int(Int(state.options[maxBackups] ?? "") ?? 0),
            "name": .string(state.displayName),
            "resources": state.resourcesJSON,
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
