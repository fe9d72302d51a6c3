/// Checks that span documents: unique names, references that resolve, target-specific rules.
struct ReferenceValidator {
    let set: PolicySet
    let log: DiagnosticLog
    let providers: ProviderRulesLookup
    private let targets: [String: PolicyDocument<TargetSpec>]
    private let schedulers: [String: PolicyDocument<SchedulerSpec>]
    private let retentionNames: Set<String>

    /// Indexes the documents by name once, so checking n references costs O(n), not O(n²).
    init(set: PolicySet, log: DiagnosticLog, providers: @escaping ProviderRulesLookup) {
        self.set = set
        self.log = log
        self.providers = providers
        targets = Dictionary(set.targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        schedulers = Dictionary(set.schedulers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        retentionNames = Set(set.retentionPolicies.map(\.name))
    }

    func validate() {
        checkUnique(set.targets, kind: .target)
        checkUnique(set.retentionPolicies, kind: .retentionPolicy)
        checkUnique(set.schedulers, kind: .scheduler)
        checkUnique(set.driveBindings, kind: .driveBinding)
        checkUnique(set.backupPlans, kind: .backupPlan)
        checkUnique(set.requirements, kind: .requirement)
        for requirement in set.requirements {
            for target in requirement.spec.targets { _ = resolveTarget(target, from: "requirement '\(requirement.name)'") }
        }

        for scheduler in set.schedulers {
            let spec = scheduler.spec
            let target = resolveTarget(spec.target, from: "scheduler '\(scheduler.name)'")
            checkRetention(spec.retention, from: "scheduler '\(scheduler.name)'")
            if let target, let rules = providers(target.spec.provider) {
                if rules.objectKind != .scheduler {
                    log.error(
                        spec.target.location,
                        "scheduler '\(scheduler.name)' is on target '\(target.name)', a \(target.spec.provider.rawValue) target",
                        hint: "\(target.spec.provider.rawValue) targets take \(rules.objectKind.rawValue) documents")
                }
                for problem in rules.problems(of: scheduler, on: target) { log.append(problem) }
            }
        }
        for binding in set.driveBindings {
            let spec = binding.spec
            let target = resolveTarget(spec.target, from: "drive binding '\(binding.name)'")
            guard let scheduler = schedulers[spec.scheduler.value] else {
                log.error(
                    spec.scheduler.location, "drive binding '\(binding.name)' references unknown Scheduler '\(spec.scheduler.value)'",
                    hint: Suggestion.didYouMean(spec.scheduler.value, in: set.schedulers.map(\.name))
                        + "define a Scheduler with that name or fix the reference")
                continue
            }
            if let target, scheduler.spec.target.value != target.name {
                log.error(
                    spec.scheduler.location,
                    "drive binding '\(binding.name)' is on target '\(target.name)' "
                        + "but scheduler '\(scheduler.name)' is on target '\(scheduler.spec.target.value)'",
                    hint: "bind drives to a scheduler of the same target")
            }
        }
        for broken in set.referencesOfBrokenDocuments {
            switch broken.kind {
            case .target: _ = resolveTarget(broken.reference, from: "document \(broken.owner)")
            case .retentionPolicy: checkRetention(.named(broken.reference), from: "document \(broken.owner)")
            case .scheduler where schedulers[broken.reference.value] == nil:
                log.error(
                    broken.reference.location, "document \(broken.owner) references unknown Scheduler '\(broken.reference.value)'",
                    hint: Suggestion.didYouMean(broken.reference.value, in: set.schedulers.map(\.name))
                        + "define a Scheduler with that name or fix the reference")
            default: break
            }
        }
        for plan in set.backupPlans {
            let target = resolveTarget(plan.spec.target, from: "backup plan '\(plan.name)'")
            checkRetention(plan.spec.retention, from: "backup plan '\(plan.name)'")
            if let target, let rules = providers(target.spec.provider), rules.objectKind != .backupPlan {
                log.error(
                    plan.spec.target.location,
                    "backup plan '\(plan.name)' is on target '\(target.name)', a \(target.spec.provider.rawValue) target",
                    hint: "BackupPlan documents are for scheduled-backup targets; use a Scheduler here")
            }
        }
    }

    private func checkUnique<Spec>(_ documents: [PolicyDocument<Spec>], kind: PolicyKind) {
        var first: [String: SourceLocation] = [:]
        for document in documents {
            if let earlier = first[document.name] {
                log.error(
                    document.location, "duplicate \(kind.rawValue) name '\(document.name)'",
                    hint: "first defined at \(earlier); names are unique within a kind")
            } else {
                first[document.name] = document.location
            }
        }
    }

    private func resolveTarget(_ reference: Reference, from owner: String) -> PolicyDocument<TargetSpec>? {
        if let target = targets[reference.value] { return target }
        log.error(
            reference.location, "\(owner) references unknown Target '\(reference.value)'",
            hint: Suggestion.didYouMean(reference.value, in: set.targets.map(\.name))
                + "define a Target with that name or fix the reference")
        return nil
    }

    private func checkRetention(_ retention: RetentionReference?, from owner: String) {
        guard case .named(let reference) = retention, !retentionNames.contains(reference.value) else { return }
        log.error(
            reference.location, "\(owner) references unknown RetentionPolicy '\(reference.value)'",
            hint: Suggestion.didYouMean(reference.value, in: set.retentionPolicies.map(\.name))
                + "define a RetentionPolicy with that name or fix the reference")
    }
}
