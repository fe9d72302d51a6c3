import TidemarkProviderModel
import TidemarkProviders

/// One change of a plan, with field-level detail and its data impact.
public struct PlannedAction: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case create, update, adopt, bind, unbind, delete
    }

    public var kind: Kind
    /// `scheduler` or `drive`.
    public var resource: String
    /// The policy name (schedulers) or drive name (bindings).
    public var name: String
    /// The live object's id, when it exists.
    public var id: String?
    public var changes: [FieldChange]
    /// The wire fields the request changes, each with its JSON Pointer in the API's object, before and after: exactly
    /// what apply sends beyond the live object (empty for a delete).
    public var wire: [WireChange]
    /// The scheduler a drive is bound to or unbound from.
    public var scheduler: String?
    /// What the change does to data already taken, e.g. snapshots that would expire.
    public var impact: [String]
    /// The existing snapshots the change deletes (it is retroactive); nil when it deletes none. Not compared between a
    /// saved plan and the plan made at apply time, where `impact` already counts them.
    public var retroactive: [ExpiringSnapshot]?

    /// What to do, resolved when the plan is made; not part of the saved plan, which is recomputed and compared.
    var operation: Operation?

    enum Operation: Sendable, Hashable {
        case provider(ProviderAction)
        /// Bind to a scheduler that this apply creates; its id is known only after the create.
        case bindToPlanned(driveID: String, schedulerName: String)
    }

    enum CodingKeys: String, CodingKey {
        case kind, resource, name, id, changes, wire, scheduler, impact
        case retroactive = "retroactive_deletions"
    }

    /// The apply phase: creates and updates, then bindings, then unbindings, then deletions (docs/commands.md#tidemark-apply).
    var phase: Int {
        switch kind {
        case .create, .update, .adopt: 0
        case .bind: 1
        case .unbind: 2
        case .delete: 3
        }
    }

    /// `scheduler sfg` or `drive db-1`.
    public var subject: String { "\(resource) \(name)" }

    /// Two actions are the same change when what a saved plan records of them is equal.
    public static func == (lhs: PlannedAction, rhs: PlannedAction) -> Bool {
        (lhs.kind, lhs.resource, lhs.name, lhs.id) == (rhs.kind, rhs.resource, rhs.name, rhs.id)
            && (lhs.changes, lhs.wire, lhs.scheduler, lhs.impact) == (rhs.changes, rhs.wire, rhs.scheduler, rhs.impact)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(resource)
        hasher.combine(name)
        hasher.combine(id)
        hasher.combine(changes)
        hasher.combine(wire)
    }
}

/// One field that changes: before and after, as people read them.
public struct FieldChange: Sendable, Codable, Hashable {
    public var field: String
    public var before: String?
    public var after: String?
}
