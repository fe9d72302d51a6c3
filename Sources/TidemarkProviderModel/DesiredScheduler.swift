import TidemarkPolicy

/// Who runs a scheduler: the API's native scheduler, or tidemark's controller (docs/providers.md#native-or-controller).
public enum SchedulingPlacement: Sendable, Hashable {
    case native
    case controller(reason: String)
}

/// A Scheduler document as the reconciler wants it on its target.
public struct DesiredScheduler: Sendable, Hashable {
    /// What says an object on the API: the neutral scheduler fields (schedule, retention, window: cloudsigma), or the
    /// provider's options, which carry the whole object in the API's own terms (cron, node, job settings).
    public enum Comparison: Sendable, Hashable {
        case schedulerFields, options
    }

    public var name: String
    public var state: SchedulerState
    public var adopt: Bool
    public var protect: Bool
    public var placement: SchedulingPlacement
    /// Whether the object lives on the target: always, except a cloudsigma scheduler run by the controller.
    public var onTarget: Bool
    /// The live name `adopt: true` looks for.
    public var adoptName: String
    /// Options an adopted object must share besides its name (danube: the drive, as one name serves many disks).
    public var adoptMatching: [String]
    public var comparison: Comparison

    public init(
        name: String, state: SchedulerState, adopt: Bool, protect: Bool, placement: SchedulingPlacement, onTarget: Bool,
        comparison: Comparison, adoptName: String? = nil, adoptMatching: [String] = []
    ) {
        self.comparison = comparison
        self.adoptName = adoptName ?? state.displayName
        self.adoptMatching = adoptMatching
        self.name = name
        self.state = state
        self.adopt = adopt
        self.protect = protect
        self.placement = placement
        self.onTarget = onTarget
    }

    /// Whether an unmanaged live object is the one `adopt: true` takes over: same name, same `adoptMatching` options.
    public func adopts(_ live: LiveScheduler) -> Bool {
        live.marker == nil && live.displayName == adoptName && adoptMatching.allSatisfy { live.state?.options[$0] == state.options[$0] }
    }

    /// The neutral state a Scheduler document stands for, resolving its retention reference.
    public static func state(of document: PolicyDocument<SchedulerSpec>, in policies: PolicySet) -> SchedulerState {
        let spec = document.spec
        let retentionName: String
        switch spec.retention {
        case .named(let reference)?:
            retentionName = policies.retentionPolicy(named: reference.value)?.spec.displayName ?? reference.value
        case .inline(let inline)?:
            retentionName = inline.displayName ?? document.name
        case nil:
            retentionName = ""
        }
        return SchedulerState(
            displayName: spec.displayName ?? document.name, type: spec.type, enabled: spec.enabled,
            schedule: spec.schedule, retentionName: retentionName,
            retention: policies.resolve(spec.retention)?.rules ?? [], notifications: spec.notifications,
            remoteLocation: spec.remoteLocation, window: spec.options["window"].flatMap(TimeWindow.init(parsing:)))
    }
}
