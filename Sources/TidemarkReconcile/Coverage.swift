import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// What protects each object of a target once a plan is applied: the schedulers the policies want (natively or in the
/// controller), and the live ones tidemark does not manage, which the plan leaves as they are. `Coverage.live` is what
/// protects them now.
struct Coverage {
    var definition: any ProviderDefinition
    var live: LiveState
    var desired: [DesiredScheduler]
    /// Live schedulers this Target manages, by id.
    var managed: Set<String>
    /// The live object each desired scheduler matched (updated or adopted), by desired name.
    var matched: [String: LiveScheduler]
    var actions: [PlannedAction]
    var jobs: [ControllerJob]
    var policies: PolicySet

    /// What protects each object now: every live scheduler as it is, and the controller's jobs.
    static func live(definition: any ProviderDefinition, live: LiveState, jobs: [ControllerJob], policies: PolicySet) -> Coverage {
        Coverage(definition: definition, live: live, desired: [], managed: [], matched: [:], actions: [], jobs: jobs, policies: policies)
    }

    func objects() -> [ProtectedObject] {
        let wanted = Dictionary(desired.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let kept = Set(matched.values.map(\.id))
        let unmanaged = live.schedulers.filter { !managed.contains($0.id) && !kept.contains($0.id) }
        let native = desired.filter { $0.onTarget && $0.placement == .native }
        var protections: [String: [Protection]] = [:]
        if definition.bindsDrives {
            let byID = Dictionary(live.schedulers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let nameOfMatched = Dictionary(matched.map { ($0.value.id, $0.key) }, uniquingKeysWith: { first, _ in first })
            let bindings = Dictionary(
                actions.filter { $0.kind == .bind || $0.kind == .unbind }.compactMap { action in action.id.map { ($0, action) } },
                uniquingKeysWith: { first, _ in first })
            for drive in live.drives {
                if let action = bindings[drive.id] {
                    if action.kind == .bind, let name = action.scheduler, let want = wanted[name] {
                        protections[drive.id, default: []].append(Protection(scheduler: name, state: want.state))
                    }
                } else if let id = drive.schedulerID, let current = byID[id] {
                    if let name = nameOfMatched[id], let want = wanted[name] {
                        protections[drive.id, default: []].append(Protection(scheduler: name, state: want.state))
                    } else if !managed.contains(id) {
                        protections[drive.id, default: []].append(
                            Protection(scheduler: current.marker?.name ?? current.displayName, state: current.state))
                    }
                }
            }
        } else {
            // Where the controller enforces a native object's retention, its rules are the job's, not what the API holds.
            let enforced = jobs.filter(\.retentionOnly)
            for want in native {
                var protection = Protection(scheduler: want.state.displayName, state: want.state)
                if let job = enforced.first(where: { $0.scheduler == want.name }) { protection.retention = job.retention }
                for id in definition.protectedObjects(by: want.state) { protections[id, default: []].append(protection) }
            }
            for scheduler in unmanaged {
                var protection = Protection(scheduler: scheduler.marker?.name ?? scheduler.displayName, state: scheduler.state)
                if let job = enforced.first(where: { $0.driveIDs.contains(scheduler.id) }) { protection.retention = job.retention }
                for id in scheduler.state.map(definition.protectedObjects(by:)) ?? [] { protections[id, default: []].append(protection) }
            }
        }
        for job in jobs where !job.retentionOnly {
            let type = policies.scheduler(named: job.scheduler)?.spec.type ?? .snapshot
            for id in job.driveIDs {
                protections[id, default: []].append(
                    Protection(scheduler: job.scheduler, type: type, enabled: true, schedule: job.schedule, retention: job.retention))
            }
        }
        // Every live object's too: a resource its only plan drops is still there, unprotected.
        let states = native.map(\.state) + live.schedulers.compactMap(\.state)
        return definition.protectableObjects(live: live, schedulers: states).map { object in
            let aliases = [object.id] + object.aliases
            return ProtectedObject(object: object, protections: aliases.flatMap { protections[$0] ?? [] })
        }
    }
}
