import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

extension PolicyWriter {
    /// A freezer job as a Scheduler with `adopt: true`; nil when its interval and start date have no calendar form.
    public static func freezerJob(name: String, target: String, description: String, state: SchedulerState) -> String? {
        guard
            let spec = FreezerMapping.calendar(
                interval: state.options[FreezerMapping.interval] ?? "", start: state.options[FreezerMapping.startDate] ?? "")
        else { return nil }
        var lines = [
            "# Imported by tidemark from job \(quote(description)); applying it adopts the live job.",
            "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(description))", "  enabled: \(state.enabled)",
        ]
        lines += schedule(spec)
        if let days = state.options[FreezerMapping.removeOlderThan], !days.isEmpty {
            lines.append("  retention: {period: days, quantity: \(days)}")
        }
        lines.append("  options:")
        for (option, field) in [
            ("clientId", FreezerMapping.clientID), ("backupName", "backup_name"), ("container", "container"),
            ("pathToBackup", "path_to_backup"), ("storage", "storage"), ("mode", "mode"),
        ] {
            if let value = state.options[field], !value.isEmpty { lines.append("    \(option): \(quote(value))") }
        }
        lines.append("  adopt: true")
        return lines.joined(separator: "\n") + "\n"
    }
}
