import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

/// A Freezer job with one backup action (seed 004) to and from the neutral scheduler state. The options hold the
/// job's wire fields: the client, the backup action's fields and the job schedule's.
public enum FreezerMapping {
    public static let clientID = "client_id", interval = "schedule_interval", startDate = "schedule_start_date",
        removeOlderThan = "remove_older_than"
    /// The backup action's fields tidemark sets, as option keys.
    public static let actionFields = ["backup_name", "container", "path_to_backup", "storage", "mode"]
    /// What a new job's backup action takes when the policy does not say.
    static let createDefaults = ["storage": "swift", "mode": "fs"]

    /// The number of seconds a `schedule_interval` stands for (`continuous` and malformed text: nil).
    public static func seconds(ofInterval text: String) -> Int? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        let units = ["weeks": 604_800, "days": 86_400, "hours": 3600, "minutes": 60, "seconds": 1]
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let unit = units[String(parts[1])] else { return nil }
        return count * unit
    }

    /// The interval in the largest unit that divides it, e.g. `12 hours`; freezer takes plural units only.
    public static func intervalText(seconds: Int) -> String {
        for (unit, size) in [("weeks", 604_800), ("days", 86_400), ("hours", 3600), ("minutes", 60)] where seconds % size == 0 {
            return "\(seconds / size) \(unit)"
        }
        return "\(seconds) seconds"
    }

    /// `2026-12-01T02:00:00`, in UTC.
    public static func dateText(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().dateTimeSeparator(.standard).time(includingFractionalSeconds: false)
                .timeZone(separator: .omitted)
        ).replacingOccurrences(of: "Z", with: "")
    }

    static func backupAction(_ job: JSON) -> JSON? {
        guard let actions = job["job_actions"]?.arrayValue, actions.count == 1, let action = actions[0]["freezer_action"],
            action["action"]?.stringValue == "backup"
        else { return nil }
        return action
    }

    static func state(_ job: JSON) -> SchedulerState? {
        guard let action = backupAction(job), let schedule = job["job_schedule"] else { return nil }
        var options = [clientID: job["client_id"]?.stringValue ?? ""]
        for field in actionFields { options[field] = action[field]?.stringValue ?? "" }
        options[removeOlderThan] = action[removeOlderThan]?.intValue.map(String.init) ?? ""
        options[interval] = schedule[interval]?.stringValue ?? ""
        options[startDate] = schedule[startDate]?.stringValue ?? ""
        let days = action[removeOlderThan]?.intValue
        return SchedulerState(
            displayName: DescriptionMarker.parse(job["description"]?.stringValue)?.name ?? job["description"]?.stringValue ?? "",
            type: .backup, enabled: schedule["event"]?.stringValue != "stop",
            schedule: calendar(interval: options[interval]!, start: options[startDate]!)
                ?? ScheduleSpec(
                    timezone: "UTC", rule: .calendar(CalendarRule(times: .at([.midnight])))),
            retentionName: "", retention: days.map { [.age(period: .days, quantity: $0)] } ?? [],
            notifications: Notifications(), remoteLocation: "", window: nil, options: options)
    }

    /// The calendar schedule an interval and start date stand for, in UTC, when one exists: a whole number of days at
    /// the start's time, or an interval that divides a day starting at its multiple after midnight.
    public static func calendar(interval text: String, start: String) -> ScheduleSpec? {
        guard let seconds = seconds(ofInterval: text), seconds % 60 == 0,
            let date = Timestamp.parse(start.hasSuffix("Z") ? start : start + "Z")
        else { return nil }
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        guard let hour = components.hour, let minute = components.minute, let time = TimeOfDay(hour: hour, minute: minute) else {
            return nil
        }
        if seconds == 86_400 { return ScheduleSpec(timezone: "UTC", rule: .calendar(CalendarRule(times: .at([time])))) }
        let minutes = seconds / 60
        guard 1440 % minutes == 0, time.minutesSinceMidnight % minutes == 0 else { return nil }
        return ScheduleSpec(timezone: "UTC", rule: .calendar(CalendarRule(times: .every(minutes: minutes, window: .wholeDay))))
    }

    /// A job from a listing; the id is checked by the listing's reader.
    static func live(_ job: JSON) -> LiveScheduler {
        let marker = DescriptionMarker.parse(job["description"]?.stringValue)
        return LiveScheduler(
            id: job["job_id"]?.stringValue ?? "", marker: marker, state: state(job),
            displayName: marker?.name ?? job["description"]?.stringValue ?? job["job_id"]?.stringValue ?? "", raw: job)
    }

    /// The freezer wire format for the reconciler: an update writes over the live job, whose other fields survive.
    public struct Format: SchedulerWireFormat {
        public init() {}

        public func live(_ object: JSON) -> LiveScheduler { FreezerMapping.live(object) }

        public func object(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
            let fields = wire(state, marker: marker, base: base)
            guard let base = base?.objectValue else { return fields }
            return .object(base.merging(fields.objectValue ?? [:]) { _, new in new })
        }
    }

    /// The job holding `state`, over `base`'s schedule and action so the fields tidemark does not set (the agent's
    /// runtime fields, `log_file`, `max_retries`, …) stay as they are.
    static func wire(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON {
        var schedule = base?["job_schedule"]?.objectValue ?? [:]
        schedule[interval] = .string(state.options[interval] ?? "")
        schedule[startDate] = state.options[startDate].flatMap { $0.isEmpty ? nil : JSON.string($0) }
        schedule["event"] = state.enabled ? (schedule["event"] == "stop" ? nil : schedule["event"]) : "stop"
        var baseAction = base.flatMap(backupAction)?.objectValue ?? [:]
        baseAction["action"] = "backup"
        for field in actionFields where state.options[field] != nil || base == nil {
            baseAction[field] = (state.options[field] ?? createDefaults[field]).flatMap { $0.isEmpty ? nil : JSON.string($0) }
        }
        baseAction[removeOlderThan] = state.options[removeOlderThan].flatMap(Int.init).map(JSON.int)
        var jobAction = base?["job_actions"]?.arrayValue?.first?.objectValue ?? ["max_retries": 3, "max_retries_interval": 60]
        jobAction["freezer_action"] = .object(baseAction)
        return [
            "client_id": .string(state.options[clientID] ?? ""),
            "description": .string(DescriptionMarker.text(marker)),
            "job_schedule": .object(schedule),
            "job_actions": [.object(jobAction)],
        ]
    }
}
