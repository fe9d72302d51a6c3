import Foundation
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkSchedule

/// Computes the actions that make one target match the policies (docs/plan.md). Knows nothing of HTTP.
public struct Planner: Sendable {
    /// This controller instance; live objects carry it in their ownership marker.
    public var instance: String
    public var allowMassDelete: Bool
    /// Requirements whose violations are shown as warnings instead of refusing the plan.
    public var allowedViolations: Set<String>
    public var now: Date

    public init(instance: String, allowMassDelete: Bool = false, allowedViolations: Set<String> = [], now: Date = Date()) {
        self.instance = instance
        self.allowMassDelete = allowMassDelete
        self.allowedViolations = allowedViolations
        self.now = now
    }

    /// The plan for `target`, given its live state; `snapshots` is read only when a retention change needs it.
    public func plan(
        target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState,
        snapshots: () async throws(ProviderError) -> [LiveSnapshot]
    ) async throws(ProviderError) -> TargetPlan {
        var plan = TargetPlan(name: target.name, provider: target.spec.provider, endpoint: target.spec.endpoint, liveVersion: live.version)
        let definition = ProviderRegistry.definition(for: target.spec.provider)
        var mapping = TargetMapping()
        let desired = definition.desired(target: target, policies: policies, live: live, now: now, mapping: &mapping)
        plan.placements = mapping.placements
        plan.problems = mapping.problems
        let managed = managedObjects(target: target, policies: policies, live: live, desired: desired, plan: &plan)
        var objects = objectActions(desired, managed: managed, live: live, target: target.name, format: definition.wireFormat, plan: &plan)
        var deletions = deletions(of: managed, keeping: objects.matched, plan: &plan)
        var bindings =
            definition.bindsDrives
            ? bindingActions(
                target: target, policies: policies, live: live, desired: desired, matched: objects.matched,
                managed: Set(managed.map(\.id)), plan: &plan) : []
        var read: [LiveSnapshot]?
        func existing() async throws(ProviderError) -> [LiveSnapshot] {
            if let read { return read }
            let listed = try await snapshots()
            read = listed
            return listed
        }
        // A drive the plan binds elsewhere or unbinds is explained by its binding action.
        let moving = Set(bindings.compactMap(\.id))
        let drivesByScheduler = Dictionary(grouping: live.drives.filter { $0.schedulerID != nil }) { $0.schedulerID! }
        for change in objects.retentionChanges {
            guard let zone = ZoneRules(identifier: change.zone) else { continue }
            let oldZone = change.live.state.flatMap { ZoneRules(identifier: $0.schedule.timezone) } ?? zone
            let covered: (noun: String, objects: [LiveDrive])
            if definition.bindsDrives {
                covered = ("drive", (drivesByScheduler[change.live.id] ?? []).filter { !moving.contains($0.id) })
            } else {
                guard nativeRetention(of: objects.actions[change.index].name, desired: desired, plan: plan) else { continue }
                covered = try await Self.objects(of: change.live, definition: definition, snapshots: existing())
            }
            guard !covered.objects.isEmpty else { continue }
            let expiring = ExpiringSnapshot.between(
                old: .init(rules: change.old, zone: oldZone), new: .init(rules: change.new, zone: zone), drives: covered.objects,
                snapshots: try await existing(), now: now)
            Self.markRetroactive(&objects.actions[change.index], expiring, noun: covered.noun, why: "the new retention")
        }
        try await explainRebinding(&bindings, live: live, desired: desired, snapshots: existing)
        for index in deletions.indices {
            let bound = drivesByScheduler[deletions[index].id ?? ""] ?? []
            if !bound.isEmpty { deletions[index].impact.append("unbinds \(Self.names(bound)) first") }
        }
        plan.actions = objects.actions + bindings + deletions
        plan.controllerJobs = ControllerJob.jobs(target: target.name, plan: plan, policies: policies, live: live, instance: instance)
        let coverage = Coverage(
            definition: definition, live: live, desired: desired, managed: Set(managed.map(\.id)), matched: objects.matched,
            actions: plan.actions, jobs: plan.controllerJobs, policies: policies
        ).objects()
        plan.unprotectedObjects = coverage.count { !$0.protections.contains(where: \.enabled) }
        if !policies.requirements.isEmpty {
            var evaluator = RequirementEvaluator(
                requirements: policies.requirements, target: target.name, noun: definition.objectNoun, now: now, planned: true)
            report(evaluator.violations(coverage), in: &plan)
        }
        return plan
    }

    /// Requirement violations as plan errors (warnings where allowed), one per requirement and broken rule, naming
    /// every object that breaks it the same way.
    private func report(_ violations: [RequirementViolation], in plan: inout TargetPlan) {
        var groups: [String: [RequirementViolation]] = [:]
        var order: [String] = []
        for violation in violations {
            let key = "\(violation.requirement)\u{0}\(violation.rule.rawValue)\u{0}\(violation.detail)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(violation)
        }
        for key in order {
            let group = groups[key]!
            let first = group[0]
            let names = group.map(\.object.name).sorted()
            let subject =
                names.count == 1
                ? "\(first.noun) \(names[0])"
                : "\(first.noun)s \(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? " and \(names.count - 5) more" : "")"
            let message = "\(subject) \(first.detail)"
            if allowedViolations.contains(first.requirement) {
                plan.warning(
                    "\(message) (allowed for this plan)", subject: .init("requirement", first.requirement), location: first.location)
            } else {
                plan.error(
                    message, subject: .init("requirement", first.requirement), location: first.location,
                    override: .requirementViolation(first.requirement))
            }
        }
    }

    /// The creates, updates and adoptions of a target's objects, the live object each desired one matched, and the
    /// retention changes whose data impact is still to be computed.
    struct ObjectActions {
        var actions: [PlannedAction] = []
        var matched: [String: LiveScheduler] = [:]
        var retentionChanges: [(live: LiveScheduler, old: [RetentionRule], new: [RetentionRule], zone: String, index: Int)] = []
    }

    private func objectActions(
        _ desired: [DesiredScheduler], managed: [LiveScheduler], live: LiveState, target: String, format: any SchedulerWireFormat,
        plan: inout TargetPlan
    ) -> ObjectActions {
        let noun = plan.noun
        var result = ObjectActions()
        let managedByName = Dictionary(managed.compactMap { live in live.marker.map { ($0.name, live) } }) { first, _ in first }
        for want in desired where want.onTarget {
            let marker = marker(want, target: target)
            if let current = managedByName[want.name] {
                result.matched[want.name] = current
                let changes = Self.changes(from: current, to: want, marker: marker)
                guard !changes.isEmpty else {
                    plan.unchanged += 1
                    continue
                }
                if let old = current.state, old.retention.sorted(by: Self.ruleOrder) != want.state.retention.sorted(by: Self.ruleOrder) {
                    result.retentionChanges.append(
                        (current, old.retention, want.state.retention, want.state.schedule.timezone, result.actions.count))
                }
                result.actions.append(update(.update, current, to: want, marker: marker, changes: changes, format: format, noun: noun))
            } else if want.adopt, let existing = live.schedulers.first(where: want.adopts) {
                result.matched[want.name] = existing
                let changes = Self.changes(from: existing, to: want, marker: marker)
                result.actions.append(update(.adopt, existing, to: want, marker: marker, changes: changes, format: format, noun: noun))
            } else {
                let object = format.object(want.state, marker: marker, base: nil)
                result.actions.append(
                    PlannedAction(
                        kind: .create, resource: noun, name: want.name, id: nil, changes: Self.fields(of: want),
                        wire: WireChange.between(nil, object), scheduler: nil, impact: [],
                        operation: .provider(.createScheduler(want.state, marker))))
            }
        }
        return result
    }

    /// Managed objects no document wants (natively) any more, and duplicates of one name; protected ones and mass
    /// deletions are refused.
    private func deletions(of managed: [LiveScheduler], keeping matched: [String: LiveScheduler], plan: inout TargetPlan)
        -> [PlannedAction]
    {
        let noun = plan.noun
        let kept = Set(matched.values.map(\.id))
        var deletions: [PlannedAction] = []
        for current in managed where !kept.contains(current.id) {
            let name = current.marker?.name ?? current.displayName
            if current.marker?.protected == true {
                plan.error(
                    "\(noun) \(name) (\(current.id)) is protected", subject: .init(noun, name),
                    hint: "commit protect: false for it before removing it")
                continue
            }
            deletions.append(
                PlannedAction(
                    kind: .delete, resource: noun, name: name, id: current.id, changes: [], wire: [], scheduler: nil,
                    impact: [], operation: .provider(.deleteScheduler(id: current.id))))
        }
        if !deletions.isEmpty, !allowMassDelete, deletions.count == managed.count || deletions.count * 2 > managed.count {
            plan.error("the plan deletes \(deletions.count) of the \(managed.count) \(noun)s tidemark manages here", override: .massDelete)
        }
        return deletions
    }

    /// An update or adopt: the live object with only the fields whose meaning changes replaced (docs/plan.md).
    private func update(
        _ kind: PlannedAction.Kind, _ live: LiveScheduler, to want: DesiredScheduler, marker: OwnershipMarker,
        changes: [FieldChange], format: any SchedulerWireFormat, noun: String
    ) -> PlannedAction {
        let desired = format.object(want.state, marker: marker, base: live.raw)
        let object = MinimalWrite.object(live: live.raw, desired: desired) { candidate in
            let read = format.live(candidate)
            return read.marker == marker && Self.changes(from: read, to: want, marker: marker).isEmpty
        }
        return PlannedAction(
            kind: kind, resource: noun, name: want.name, id: live.id, changes: changes, wire: WireChange.between(live.raw, object),
            scheduler: nil, impact: [], operation: .provider(.updateScheduler(live, object: object)))
    }

    private func marker(_ want: DesiredScheduler, target: String) -> OwnershipMarker {
        OwnershipMarker(instance: instance, target: target, name: want.name, protected: want.protect)
    }

    /// The live objects this Target manages: those whose marker names this instance and this Target. An object marked
    /// before markers named a Target is this Target's unless another Target on the same API could own it; then only
    /// when this Target wants an object of its name (its marker is upgraded by the plan).
    private func managedObjects(
        target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, desired: [DesiredScheduler],
        plan: inout TargetPlan
    ) -> [LiveScheduler] {
        let sharing = Self.sharingTargets(of: target, in: policies)
        let wanted = Set(desired.filter(\.onTarget).map(\.name))
        var managed: [LiveScheduler] = []
        var foreign: [String: Int] = [:]
        for object in live.schedulers {
            guard let marker = object.marker, marker.instance == instance else { continue }
            switch marker.target {
            case target.name?:
                managed.append(object)
            case nil where sharing.isEmpty || wanted.contains(marker.name):
                managed.append(object)
            case nil:
                plan.warning(
                    "\(plan.noun) \(marker.name) (\(object.id)) carries a marker that names no Target, and targets "
                        + "\(([target.name] + sharing).sorted().joined(separator: ", ")) share this API; "
                        + "none of them changes or deletes it "
                        + "until one of them declares it", subject: .init(plan.noun, marker.name))
            case let other?:
                if !policies.targets.contains(where: { $0.name == other }) { foreign[other, default: 0] += 1 }
            }
        }
        for (other, count) in foreign.sorted(by: { $0.key < $1.key }) {
            plan.warning(
                "\(count) \(plan.noun)\(count == 1 ? "" : "s") here carry the marker of target \(other), which no Target "
                    + "document names; tidemark leaves them alone (restore that Target, or delete them by hand)")
        }
        return managed
    }

    /// The other Targets on the same API as `target`.
    static func sharingTargets(of target: PolicyDocument<TargetSpec>, in policies: PolicySet) -> [String] {
        policies.targets.filter {
            $0.name != target.name && $0.spec.provider == target.spec.provider && sameEndpoint($0.spec.endpoint, target.spec.endpoint)
        }.map(\.name)
    }

    /// Whether two endpoints are the same API: compared without case and trailing slashes.
    static func sameEndpoint(_ a: String, _ b: String) -> Bool {
        func normalized(_ text: String) -> String {
            var text = text.lowercased()
            while text.hasSuffix("/") { text.removeLast() }
            return text
        }
        return normalized(a) == normalized(b)
    }

    /// The scheduler each live drive should be bound to (drive id → scheduler name), from the target's DriveBindings;
    /// a drive two bindings select for different schedulers, or that a Target sharing this API selects too, is an error.
    private func wantedBindings(
        target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, desired: [DesiredScheduler], plan: inout TargetPlan
    ) -> [String: String] {
        var wanted: [String: String] = [:]
        var selectedBy: [String: PolicyDocument<DriveBindingSpec>] = [:]
        let driveIDs = Set(live.drives.map(\.id))
        for binding in policies.driveBindings where binding.spec.target.value == target.name {
            let schedulerName = binding.spec.scheduler.value
            guard desired.contains(where: { $0.name == schedulerName && $0.placement == .native }) else {
                plan.warning(
                    "drive binding \(binding.name): scheduler \(schedulerName) runs in the controller; its drives are not bound natively",
                    subject: .init("drive binding", binding.name))
                continue
            }
            for uuid in binding.spec.drives.uuids where !driveIDs.contains(uuid) {
                plan.warning(
                    "drive binding \(binding.name): no drive \(uuid) on target \(target.name)",
                    subject: .init("drive binding", binding.name))
            }
            for drive in live.drives where binding.spec.drives.selects(drive) {
                if let other = selectedBy[drive.id], other.spec.scheduler.value != schedulerName {
                    plan.error(
                        "drive binding \(binding.name) selects drive \(drive.name) (\(drive.id)) for scheduler \(schedulerName), "
                            + "but drive binding \(other.name) (\(other.location)) selects it for scheduler \(other.spec.scheduler.value)",
                        subject: .init("drive binding", binding.name), location: binding.location,
                        hint: "a drive has one backup scheduler: make the selectors disjoint")
                }
                wanted[drive.id] = schedulerName
                selectedBy[drive.id] = binding
            }
        }
        let sharing = Set(Self.sharingTargets(of: target, in: policies))
        for other in policies.driveBindings where sharing.contains(other.spec.target.value) {
            for drive in live.drives where other.spec.drives.selects(drive) {
                guard let binding = selectedBy[drive.id] else { continue }
                plan.error(
                    "drive binding \(binding.name) of target \(target.name) and drive binding \(other.name) of target "
                        + "\(other.spec.target.value) (\(other.location)) both select drive \(drive.name) (\(drive.id)) on the same API",
                    subject: .init("drive binding", binding.name), location: binding.location,
                    hint: "each would undo the other's binding: select each drive in one Target only")
            }
        }
        return wanted
    }

    private func bindingActions(
        target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, desired: [DesiredScheduler],
        matched: [String: LiveScheduler], managed: Set<String>, plan: inout TargetPlan
    ) -> [PlannedAction] {
        let schedulersByID = Dictionary(live.schedulers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = wantedBindings(target: target, policies: policies, live: live, desired: desired, plan: &plan)
        let matchedNameByID = Dictionary(matched.map { ($0.value.id, $0.key) }) { first, _ in first }
        var actions: [PlannedAction] = []
        for drive in live.drives.sorted(by: { ($0.name, $0.id) < ($1.name, $1.id) }) {
            let current = drive.schedulerID.flatMap { schedulersByID[$0] }
            // Ours: managed by this Target, or adopted by this plan.
            let adoptedName = current.flatMap { matchedNameByID[$0.id] }
            let currentName = current.map { managed.contains($0.id) } == true ? current?.marker?.name : adoptedName
            if let name = wanted[drive.id] {
                if currentName == name { continue }
                if let current, currentName == nil {
                    let owner =
                        current.marker.map { marker in
                            marker.target.map { "target \($0) of tidemark instance \(marker.instance) manages" }
                                ?? "tidemark instance \(marker.instance) manages"
                        } ?? "tidemark does not manage"
                    plan.error(
                        "drive \(drive.name) (\(drive.id)) is bound to scheduler \(current.displayName) (\(current.id)), which \(owner)",
                        subject: .init("drive", drive.name), hint: "unbind it first or adopt that scheduler")
                    continue
                }
                let operation: PlannedAction.Operation =
                    if let existing = matched[name] {
                        .provider(.bindDrive(driveID: drive.id, schedulerID: existing.id))
                    } else {
                        .bindToPlanned(driveID: drive.id, schedulerName: name)
                    }
                let after: JSON = matched[name].map { .string($0.id) } ?? .string("(uuid of scheduler \(name), known after apply)")
                actions.append(
                    PlannedAction(
                        kind: .bind, resource: "drive", name: drive.name, id: drive.id,
                        changes: [FieldChange(field: "backup_scheduler", before: currentName, after: name)],
                        wire: [WireChange(path: "/backup_scheduler/uuid", before: current.map { .string($0.id) }, after: after)],
                        scheduler: name, impact: [], operation: operation))
            } else if let currentName {
                actions.append(
                    PlannedAction(
                        kind: .unbind, resource: "drive", name: drive.name, id: drive.id,
                        changes: [FieldChange(field: "backup_scheduler", before: currentName, after: nil)],
                        wire: [WireChange(path: "/backup_scheduler", before: current.map { ["uuid": .string($0.id)] }, after: .null)],
                        scheduler: currentName, impact: ["drive \(drive.name) is left without a backup scheduler"],
                        operation: .provider(.bindDrive(driveID: drive.id, schedulerID: nil))))
            }
        }
        return actions
    }

    /// A drive moved to another scheduler falls under that one's retention (a scheduler without one kept everything);
    /// a drive unbound falls under none.
    private func explainRebinding(
        _ bindings: inout [PlannedAction], live: LiveState, desired: [DesiredScheduler],
        snapshots: () async throws(ProviderError) -> [LiveSnapshot]
    ) async throws(ProviderError) {
        let schedulers = Dictionary(live.schedulers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let drives = Dictionary(live.drives.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let desiredByName = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for index in bindings.indices {
            // A drive bound for the first time has no snapshots a scheduler took: the new retention deletes none of them.
            guard let driveID = bindings[index].id, let drive = drives[driveID],
                let current = drive.schedulerID.flatMap({ schedulers[$0] })
            else { continue }
            let old = current.state?.retention ?? []
            if bindings[index].kind == .unbind {
                guard !old.isEmpty else { continue }
                let kept = try await snapshots().count { $0.driveID == driveID }
                if kept > 0 {
                    bindings[index].impact.append(
                        "its \(kept) existing snapshot\(kept == 1 ? " is" : "s are") no longer pruned by any retention; "
                            + "they stay until deleted by hand")
                }
                continue
            }
            guard let want = bindings[index].scheduler.flatMap({ desiredByName[$0] }),
                old.sorted(by: Self.ruleOrder) != want.state.retention.sorted(by: Self.ruleOrder),
                let zone = ZoneRules(identifier: want.state.schedule.timezone)
            else { continue }
            let oldZone = current.state.flatMap { ZoneRules(identifier: $0.schedule.timezone) } ?? zone
            let expiring = ExpiringSnapshot.between(
                old: .init(rules: old, zone: oldZone), new: .init(rules: want.state.retention, zone: zone), drives: [drive],
                snapshots: try await snapshots(), now: now)
            Self.markRetroactive(&bindings[index], expiring, why: "the retention of scheduler \(want.name)")
        }
    }

    /// Labels a change retroactive when it deletes existing snapshots: the count in its impact, each one listed.
    static func markRetroactive(_ action: inout PlannedAction, _ expiring: [ExpiringSnapshot], noun: String = "drive", why: String) {
        guard !expiring.isEmpty else { return }
        let drives = Set(expiring.map(\.driveID)).compactMap { id in expiring.first { $0.driveID == id } }
            .map { LiveDrive(id: $0.driveID, name: $0.drive) }
        action.impact.append(
            "retroactive: \(expiring.count) existing snapshot\(expiring.count == 1 ? "" : "s") of \(names(drives, noun: noun)) "
                + "would be deleted under \(why)")
        action.retroactive = expiring
    }

    /// Whether the API itself prunes the desired object's backups, so that the live rules are the ones in force: not
    /// when the controller enforces the retention (the rules it enforced before are not on the API).
    private func nativeRetention(of name: String, desired: [DesiredScheduler], plan: TargetPlan) -> Bool {
        desired.first { $0.name == name }?.placement == .native
            && plan.placements.first { $0.scheduler == name }?.retention != .controller
    }

    /// What a live object of an API without drive bindings keeps backups of, as the snapshots name it: the VM disks a
    /// danube definition names, or the plan or job itself (scheduled-backup checkpoints, freezer backups).
    static func objects(of scheduler: LiveScheduler, definition: any ProviderDefinition, snapshots: [LiveSnapshot])
        -> (noun: String, objects: [LiveDrive])
    {
        let named = scheduler.state.map(definition.protectedObjects(by:)) ?? []
        if snapshots.contains(where: { $0.driveID == scheduler.id }) {
            return (definition.noun, [LiveDrive(id: scheduler.id, name: scheduler.displayName)])
        }
        return (definition.objectNoun, named.filter { id in snapshots.contains { $0.driveID == id } }.map { LiveDrive(id: $0, name: $0) })
    }

    static func names(_ drives: [LiveDrive], noun: String = "drive") -> String {
        let names = drives.map(\.name).sorted()
        let shown = names.prefix(5).joined(separator: ", ")
        return "\(noun)\(names.count == 1 ? "" : "s") \(shown)\(names.count > 5 ? " and \(names.count - 5) more" : "")"
    }

    static func ruleOrder(_ a: RetentionRule, _ b: RetentionRule) -> Bool { a.description < b.description }
}
