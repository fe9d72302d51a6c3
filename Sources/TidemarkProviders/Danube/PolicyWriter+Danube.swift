import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel

extension PolicyWriter {
    /// Danube backup definitions of one name and settings as a Scheduler with `adopt: true` and a DriveBinding for
    /// their VM disks.
    public static func danubeDefinition(name: String, target: String, state: SchedulerState, drives: [String]) -> String {
        var lines = [
            "# Imported by tidemark from backup definition \(quote(state.displayName)); applying it adopts the live definitions.",
            "apiVersion: tidemark.io/v1", "kind: Scheduler", "metadata: {name: \(name)}", "spec:", "  target: \(target)",
            "  displayName: \(quote(state.displayName))", "  enabled: \(state.enabled)",
        ]
        lines += schedule(state.schedule)
        lines += [
            "  retention: {last: \(state.options[DanubeMapping.retention] ?? "1")}", "  options:",
            "    node: \(quote(state.options[DanubeMapping.node] ?? ""))",
            "    zpool: \(quote(state.options[DanubeMapping.zpool] ?? "zones"))",
        ]
        if let limit = state.options[DanubeMapping.bwlimit], !limit.isEmpty { lines.append("    bwlimit: \(quote(limit))") }
        lines += [
            "  adopt: true", "---", "apiVersion: tidemark.io/v1", "kind: DriveBinding", "metadata: {name: \(name)}", "spec:",
            "  target: \(target)", "  scheduler: \(name)", "  drives:",
            "    names: [" + drives.sorted().map(quote).joined(separator: ", ") + "]",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
