import TidemarkJSON
import TidemarkPolicy

/// One change to apply to a target.
public enum ProviderAction: Sendable, Hashable {
    case createScheduler(SchedulerState, OwnershipMarker)
    /// Makes the live object into `object`: the live object as the API returned it with only the fields that change
    /// replaced (see `MinimalWrite`). Each provider sends it whole or as the members that change, as its API updates.
    case updateScheduler(LiveScheduler, object: JSON)
    case deleteScheduler(id: String)
    /// Binds a drive to a scheduler, or unbinds it (nil).
    case bindDrive(driveID: String, schedulerID: String?)
}

/// A backup API behind one protocol: read live state, apply one action.
public protocol Provider: Sendable {
    func readLiveState() async throws(ProviderError) -> LiveState
    func snapshots() async throws(ProviderError) -> [LiveSnapshot]
    /// Takes a snapshot of a drive now, named and marked by the caller.
    func createSnapshot(driveID: String, name: String, meta: [String: String]) async throws(ProviderError) -> LiveSnapshot
    func deleteSnapshot(id: String) async throws(ProviderError)
    /// Applies an action; for a create, returns the new object's id.
    func apply(_ action: ProviderAction) async throws(ProviderError) -> String?
}
