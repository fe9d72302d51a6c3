import Foundation
import TidemarkProviderModel
import TidemarkProviders

/// How the controller names and marks the snapshot of a slot, so a retry or a restart finds it instead of taking
/// a second one.
public enum SnapshotMarker {
    public static let ownerKey = SnapshotMetaKey.owner
    public static let schedulerKey = SnapshotMetaKey.scheduler
    public static let slotKey = SnapshotMetaKey.slot

    /// `2026-01-31T03:00:00Z`.
    public static func slotText(_ slot: Date) -> String {
        slot.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    public static func slot(from text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    public static func name(scheduler: String, slot: Date) -> String {
        "tidemark \(scheduler) \(slotText(slot))"
    }

    public static func meta(instance: String, scheduler: String, slot: Date) -> [String: String] {
        [ownerKey: instance, schedulerKey: scheduler, slotKey: slotText(slot)]
    }
}
