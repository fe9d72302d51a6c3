/// Every document loaded from a policy path, by kind, in file order.
public struct PolicySet: Sendable, Hashable {
    public var targets: [PolicyDocument<TargetSpec>] = []
    public var retentionPolicies: [PolicyDocument<RetentionPolicySpec>] = []
    public var schedulers: [PolicyDocument<SchedulerSpec>] = []
    public var driveBindings: [PolicyDocument<DriveBindingSpec>] = []
    public var backupPlans: [PolicyDocument<BackupPlanSpec>] = []
    public var requirements: [PolicyDocument<RequirementSpec>] = []
    /// The files that hold policy documents (or problems), in load order.
    public var files: [String] = []
    /// YAML files without any tidemark document (other tools' YAML), skipped.
    public var ignoredFiles: [String] = []
    /// References written in documents that failed to load, still checked so one broken field hides no other problem.
    var referencesOfBrokenDocuments: [BrokenDocumentReference] = []

    public init() {}

    public var documentCount: Int {
        targets.count + retentionPolicies.count + schedulers.count + driveBindings.count + backupPlans.count + requirements.count
    }

    public func target(named name: String) -> PolicyDocument<TargetSpec>? { targets.first { $0.name == name } }
    public func scheduler(named name: String) -> PolicyDocument<SchedulerSpec>? { schedulers.first { $0.name == name } }
    public func backupPlan(named name: String) -> PolicyDocument<BackupPlanSpec>? { backupPlans.first { $0.name == name } }
    public func retentionPolicy(named name: String) -> PolicyDocument<RetentionPolicySpec>? {
        retentionPolicies.first { $0.name == name }
    }

    /// The rules a scheduler or plan's retention stands for, resolving a reference by name.
    public func resolve(_ retention: RetentionReference?) -> RetentionPolicySpec? {
        switch retention {
        case .named(let reference): retentionPolicy(named: reference.value)?.spec
        case .inline(let spec): spec
        case nil: nil
        }
    }
}

/// A reference in a document that failed to load: what it points to, and from which document.
struct BrokenDocumentReference: Sendable, Hashable {
    var owner: String
    var kind: PolicyKind
    var reference: Reference
}
