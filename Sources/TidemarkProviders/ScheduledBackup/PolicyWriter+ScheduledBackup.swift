import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

extension PolicyWriter {
    /// A scheduled-backup plan as a BackupPlan document with `adopt: true`.
    public static func backupPlan(name: String, target: String, state: SchedulerState) -> String {
        var lines = [
            "# Imported by tidemark from plan \(quote(state.displayName)); applying it adopts the live plan.",
            "apiVersion: tidemark.io/v1", "kind: BackupPlan", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(state.displayName))", "  mode: \(state.options[ScheduledBackupMapping.mode] ?? "full")", "  resources:",
        ]
        lines += state.resources.map { "    - {id: \(quote($0.id)), name: \(quote($0.name ?? $0.id)), type: \(quote($0.type))}" }
        lines += schedule(state.schedule)
        lines += [
            "  retention: {last: \(state.options[ScheduledBackupMapping.maxBackups] ?? "1")}", "  suspended: \(!state.enabled)",
            "  adopt: true",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
