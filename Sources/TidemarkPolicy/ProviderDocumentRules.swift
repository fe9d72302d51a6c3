/// What the targets of one provider accept in the documents aimed at them, checked when the policies load, so
/// `validate` finds in CI what `plan` would otherwise find only against the live API. Each provider supplies its own
/// (its `ProviderDefinition`); the loader looks them up by provider kind.
public protocol ProviderDocumentRules: Sendable {
    /// The kind of document that describes this provider's objects: Scheduler, or BackupPlan on scheduled-backup.
    var objectKind: PolicyKind { get }
    /// Problems with a Scheduler aimed at a target of this provider (its options, its timezone), located.
    func problems(of scheduler: PolicyDocument<SchedulerSpec>, on target: PolicyDocument<TargetSpec>) -> [Diagnostic]
}

/// The rules of each provider kind; nil for a kind without provider-specific rules.
public typealias ProviderRulesLookup = @Sendable (ProviderKind) -> (any ProviderDocumentRules)?
