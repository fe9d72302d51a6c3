import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

extension PolicyWriter {
    /// One file's text: the scheduler's RetentionPolicy, the Scheduler (with `adopt: true`) and a DriveBinding
    /// for the drives bound to it.
    public static func document(name: String, target: String, state: SchedulerState, drives: [LiveDrive]) -> String {
        var lines = [
            "# Imported by tidemark from \(quote(state.displayName)); applying it adopts the live object.",
            "apiVersion: tidemark.io/v1", "kind: RetentionPolicy", "metadata: {name: \(name)}", "spec:",
            "  displayName: \(quote(state.retentionName))", "  rules:",
        ]
        lines += state.retention.map { "    - \($0)" }
        if state.retention.isEmpty { lines[lines.count - 1] = "  rules: []" }
        lines += [
            "---", "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:",
            "  target: \(target)", "  type: \(state.type.rawValue)", "  displayName: \(quote(state.displayName))",
            "  enabled: \(state.enabled)",
        ]
        lines += schedule(state.schedule)
        lines += [
            "  retention: \(name)",
            "  notifications: {backup: \(state.notifications.backup), retention: \(state.notifications.retention)}",
        ]
        if !state.remoteLocation.isEmpty { lines.append("  remoteLocation: \(quote(state.remoteLocation))") }
        if let window = state.window { lines += ["  options:", "    window: \(quote(window.description))"] }
        lines.append("  adopt: true")
        if !drives.isEmpty {
            lines += [
                "---", "apiVersion: tidemark.io/v1", "kind: DriveBinding", "metadata: {name: \(name)}", "spec:",
                "  target: \(target)", "  scheduler: \(name)", "  drives:",
                "    uuids: [" + drives.map(\.id).sorted().joined(separator: ", ") + "]",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
