import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// Audits the live state of a target against the Requirement documents: what protects each object now, whether it
/// meets each requirement, how old its newest snapshot is, and what no policy owns (docs/requirements.md#tidemark-audit).
public struct Auditor: Sendable {
    /// This controller instance: what its ownership markers name.
    public var instance: String
    /// When the audit is made: ages and rpo are measured from it.
    public var now: Date

    /// An auditor for `instance`'s objects at `now`.
    public init(instance: String, now: Date = Date()) {
        self.instance = instance
        self.now = now
    }

    /// Reads the target's live schedulers, objects and snapshots through `provider` and audits them.
    public func audit(_ target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider) async throws(ReconcileError)
        -> TargetAudit
    {
        let reading = try await read(target, policies: policies, provider: provider)
        return audit(target, policies: policies, live: reading.live, snapshots: reading.snapshots, plan: reading.plan)
    }

    /// Audits a live state already read and planned (its plan made from these policies): only the snapshots are read.
    public func audit(
        _ target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, plan: TargetPlan, provider: any Provider
    ) async throws(ReconcileError) -> TargetAudit {
        do {
            return audit(target, policies: policies, live: live, snapshots: try await provider.snapshots(), plan: plan)
        } catch {
            throw .read(target: target.name, error)
        }
    }

    /// The live state, the snapshots and the plan of the policies (without their requirements, which the auditor
    /// evaluates itself): what every audit starts from.
    private func read(_ target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider) async throws(ReconcileError)
        -> (live: LiveState, snapshots: [LiveSnapshot], plan: TargetPlan)
    {
        do {
            let live = try await provider.readLiveState()
            let snapshots = try await provider.snapshots()
            let plan = try await Planner(instance: instance, now: now).plan(
                target: target, policies: policies.withoutRequirements, live: live
            ) { snapshots }
            return (live, snapshots, plan)
        } catch {
            throw .read(target: target.name, error)
        }
    }

    func audit(
        _ target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, snapshots: [LiveSnapshot], plan: TargetPlan
    ) -> TargetAudit {
        let definition = ProviderRegistry.definition(for: target.spec.provider)
        let objects = Coverage.live(definition: definition, live: live, jobs: plan.controllerJobs, policies: policies).objects()
        var newest: [String: Date] = [:]
        var orphanSnapshots: [OrphanSnapshot] = []
        let declared = Set(policies.schedulers.filter { $0.spec.target.value == target.name }.map(\.name))
        for snapshot in snapshots {
            if let owner = snapshot.meta[SnapshotMetaKey.owner], owner == instance, let name = snapshot.meta[SnapshotMetaKey.scheduler],
                !declared.contains(name)
            {
                orphanSnapshots.append(
                    OrphanSnapshot(
                        id: snapshot.id, of: snapshot.driveID, takenAt: snapshot.takenAt,
                        reason: "taken by scheduler \(name), which no policy declares any more: no retention deletes it"))
                continue
            }
            guard let ids = definition.objects(of: snapshot, live: live) else {
                orphanSnapshots.append(
                    OrphanSnapshot(
                        id: snapshot.id, of: snapshot.driveID, takenAt: snapshot.takenAt,
                        reason: "its \(definition.noun) \(snapshot.driveID) no longer exists: no retention deletes it"))
                continue
            }
            guard snapshot.succeeded else { continue }
            for id in ids where newest[id].map({ $0 < snapshot.takenAt }) ?? true { newest[id] = snapshot.takenAt }
        }
        var evaluator = RequirementEvaluator(
            requirements: policies.requirements, target: target.name, noun: definition.objectNoun, now: now, planned: false)
        let violations = evaluator.violations(objects)
        var requirements: [RequirementAudit] = []
        for requirement in policies.requirements where requirement.spec.applies(to: target.name) {
            let selected = objects.filter { requirement.spec.drives?.selects($0.object) ?? true }
            requirements.append(
                RequirementAudit(
                    requirement: requirement.name,
                    objects: selected.map { object in
                        let taken = ([object.object.id] + object.object.aliases).compactMap { newest[$0] }.max()
                        var found = violations.filter { $0.requirement == requirement.name && $0.object == object.object }
                            .map { ObjectCompliance.Violation(rule: $0.rule, detail: $0.detail) }
                        if let rpo = requirement.spec.rpo, !object.protections.isEmpty {
                            found += staleness(newest: taken, rpo: rpo.value, requirement: requirement.name)
                        }
                        return ObjectCompliance(
                            object: ObjectReference(id: object.object.id, name: object.object.name),
                            protectedBy: object.protections.filter(\.enabled).map(\.scheduler), newestSnapshot: taken, violations: found)
                    }))
        }
        return TargetAudit(
            name: target.name, provider: target.spec.provider, noun: definition.objectNoun, requirements: requirements,
            unprotected: objects.filter { !$0.protections.contains(where: \.enabled) }.map {
                ObjectReference(id: $0.object.id, name: $0.object.name)
            }.sorted { ($0.name, $0.id) < ($1.name, $1.id) },
            orphanSchedulers: orphanSchedulers(live: live, plan: plan), orphanSnapshots: orphanSnapshots)
    }

    /// The newest snapshot against the rpo: a backup that should have happened and did not.
    private func staleness(newest: Date?, rpo: Int, requirement: String) -> [ObjectCompliance.Violation] {
        guard let newest else {
            return [.init(rule: .stale, detail: "has no snapshot; requirement \(requirement) wants one every \(DurationText.of(rpo))")]
        }
        let age = Int(now.timeIntervalSince(newest))
        guard age > rpo else { return [] }
        return [
            .init(
                rule: .stale,
                detail: "has its newest snapshot from \(RequirementEvaluator.local(newest, nil)), \(DurationText.of(age / 60 * 60)) "
                    + "ago; requirement \(requirement) wants one every \(DurationText.of(rpo))")
        ]
    }

    /// Live schedulers that no tidemark document declares: not tidemark's, another instance's, or declared no more.
    private func orphanSchedulers(live: LiveState, plan: TargetPlan) -> [OrphanScheduler] {
        let deleted = Set(plan.actions.filter { $0.kind == .delete }.compactMap(\.id))
        let adopted = Set(plan.actions.filter { $0.kind == .adopt }.compactMap(\.id))
        return live.schedulers.compactMap { scheduler -> OrphanScheduler? in
            let reason: String
            if let marker = scheduler.marker, marker.instance == instance {
                guard deleted.contains(scheduler.id) else { return nil }
                reason = "tidemark manages it, but no policy declares \(marker.name) any more (the next apply deletes it)"
            } else if let marker = scheduler.marker {
                reason = "tidemark instance \(marker.owner) manages it, not this one"
            } else {
                guard !adopted.contains(scheduler.id) else { return nil }
                reason = "tidemark does not manage it (import or adopt it to put it under policy)"
            }
            return OrphanScheduler(id: scheduler.id, name: scheduler.marker?.name ?? scheduler.displayName, reason: reason)
        }
    }
}

extension PolicySet {
    /// The policies without their Requirement documents: what the auditor plans with, as it evaluates them itself.
    var withoutRequirements: PolicySet {
        var policies = self
        policies.requirements = []
        return policies
    }
}

extension Auditor {
    /// The live snapshots of one object a scheduler protects now.
    public struct ProtectedSnapshots: Sendable {
        public var object: LiveDrive
        /// Those the scheduler's retention applies to: the controller's of that scheduler, or every one a native
        /// scheduler's object took (marked as tidemark's, since the API prunes them).
        public var snapshots: [LiveSnapshot]
    }

    /// The objects the scheduler (or backup plan) named `scheduler` protects on the target now, each with its snapshots.
    public func snapshots(protectedBy scheduler: String, on target: PolicyDocument<TargetSpec>, policies: PolicySet, provider: any Provider)
        async throws(ReconcileError) -> [ProtectedSnapshots]
    {
        let (live, snapshots, plan) = try await read(target, policies: policies, provider: provider)
        let definition = ProviderRegistry.definition(for: target.spec.provider)
        let native = plan.placements.first { $0.scheduler == scheduler }?.mode == .native
        let objects = Coverage.live(definition: definition, live: live, jobs: plan.controllerJobs, policies: policies).objects()
            .filter { $0.protections.contains { $0.scheduler == scheduler } }
        return objects.map { object in
            let ids = Set([object.object.id] + object.object.aliases)
            let mine = snapshots.filter { snapshot in
                guard let covered = definition.objects(of: snapshot, live: live), !ids.isDisjoint(with: covered) else { return false }
                return snapshot.meta[SnapshotMetaKey.scheduler].map { $0 == scheduler } ?? native
            }.map { snapshot in
                var marked = snapshot
                marked.createdByTidemark = snapshot.createdByTidemark || native
                return marked
            }
            return ProtectedSnapshots(object: object.object, snapshots: mine.sorted { ($0.takenAt, $0.id) < ($1.takenAt, $1.id) })
        }
    }
}
