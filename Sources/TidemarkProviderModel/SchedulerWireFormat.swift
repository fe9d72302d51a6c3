import TidemarkJSON
import TidemarkPolicy

/// How one API spells the objects tidemark manages: reading a live one, and writing a desired one over it.
public protocol SchedulerWireFormat: Sendable {
    /// A live object as the reconciler compares it.
    func live(_ object: JSON) -> LiveScheduler
    /// The object holding `state` and `marker` in the API's spelling: written over `base`, the live object, for an
    /// update; the create request's object without one.
    func object(_ state: SchedulerState, marker: OwnershipMarker, base: JSON?) -> JSON
}
