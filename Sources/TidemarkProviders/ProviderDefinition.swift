import Foundation
import Logging
import TidemarkPolicy
import TidemarkProviderModel

/// Everything the reconciler and the commands know about one backup API, in one conformance registered in
/// `ProviderRegistry`: how to reach it, how its objects are spelled, where each document runs, and how live objects
/// are written back as policies.
public protocol ProviderDefinition: ProviderDocumentRules {
    /// What its managed objects are called in plans: scheduler, plan, definition or job.
    var noun: String { get }
    /// Whether its drives are bound to schedulers (cloudsigma's `set_scheduler`); elsewhere bindings select objects.
    var bindsDrives: Bool { get }
    var wireFormat: any SchedulerWireFormat { get }

    /// The provider for a Target, with credentials from `environment`; `observe` sees the HTTP status of every attempt
    /// (nil: no response).
    func connect(
        _ target: PolicyDocument<TargetSpec>, logger: Logger, environment: [String: String], observe: (@Sendable (Int?) -> Void)?,
        connection: ConnectionOptions
    ) throws(ProviderError) -> any Provider

    /// The objects the documents for `target` stand for on this API, where each one runs and why; problems go to
    /// `mapping`.
    func desired(target: PolicyDocument<TargetSpec>, policies: PolicySet, live: LiveState, now: Date, mapping: inout TargetMapping)
        -> [DesiredScheduler]

    /// Policy files for the live objects tidemark does not manage (`tidemark import`); names are unique among `taken`.
    func importFiles(
        _ unmanaged: [(live: LiveScheduler, state: SchedulerState)], live: LiveState, target: String,
        taken: inout Set<String>
    ) -> ImportedPolicies

    /// What requirements select here, in messages: drive, VM disk, resource or client.
    var objectNoun: String { get }

    /// The objects requirements select on this API: its drives, or what `schedulers` (live and planned) name.
    func protectableObjects(live: LiveState, schedulers: [SchedulerState]) -> [LiveDrive]

    /// The objects a scheduler protects by what it names (a VM disk, resources, a client); where drives are bound to
    /// schedulers (`bindsDrives`), none.
    func protectedObjects(by state: SchedulerState) -> [String]

    /// The objects a live snapshot is a copy of; nil when what took it (a plan, a job) no longer exists.
    func objects(of snapshot: LiveSnapshot, live: LiveState) -> [String]?
}

extension ProviderDefinition {
    public var objectNoun: String { "drive" }

    public func protectableObjects(live: LiveState, schedulers: [SchedulerState]) -> [LiveDrive] { live.drives }

    public func protectedObjects(by state: SchedulerState) -> [String] { [] }

    public func objects(of snapshot: LiveSnapshot, live: LiveState) -> [String]? { [snapshot.driveID] }
}

/// The providers tidemark knows: adding one is a folder of its own and one line here.
public enum ProviderRegistry {
    static let definitions: [ProviderKind: any ProviderDefinition] = [
        .cloudsigma: CloudSigmaDefinition(),
        .scheduledBackup: ScheduledBackupDefinition(),
        .danube: DanubeDefinition(),
        .freezer: FreezerDefinition(),
    ]

    /// The load-time rules of each provider, for `PolicyLoader`.
    public static let documentRules: ProviderRulesLookup = { definitions[$0] }

    public static func definition(for kind: ProviderKind) -> any ProviderDefinition {
        guard let definition = definitions[kind] else {
            preconditionFailure("provider \(kind.rawValue) is not registered in ProviderRegistry")
        }
        return definition
    }
}

/// Checks for the pieces every provider-specific mapping shares.
enum MappingChecks {
    /// The single `{last: N}` rule of a retention, if that is all it says.
    static func onlyLast(_ rules: [RetentionRule]) -> Int? {
        if rules.count == 1, case .last(let count) = rules[0] { return count }
        return nil
    }

    /// DriveBindings aimed at a provider without drives.
    static func rejectBindings(target: PolicyDocument<TargetSpec>, policies: PolicySet, why: String, mapping: inout TargetMapping) {
        for binding in policies.driveBindings where binding.spec.target.value == target.name {
            mapping.error(
                "drive binding \(binding.name): \(why)", subject: .init("drive binding", binding.name), location: binding.location)
        }
    }

    /// A `name` not yet in `taken`, taken.
    static func claimName(_ displayName: String, _ taken: inout Set<String>) -> String {
        let name = PolicyWriter.name(for: displayName, taken: taken)
        taken.insert(name)
        return name
    }
}
