/// How a reconcile cycle ended, as the state store records it.
public enum CycleOutcome: String, Sendable, Hashable {
    /// Actions were carried out, all of them successfully.
    case applied
    /// Nothing to do.
    case unchanged
    /// The newest commit does not validate; the one in force stays.
    case invalid
    /// The source could not be read, a target could not be planned, or an action failed.
    case failed
}
