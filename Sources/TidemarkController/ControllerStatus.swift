import Foundation
import TidemarkProviderModel
import TidemarkReconcile

/// What `/status` reports: the commit in force, every object's state, the next fire instants and the last errors.
public struct ControllerStatus: Sendable, Codable {
    public var ready = false
    /// The commit whose policies are in force (the last one that validated).
    public var commit: String?
    public var lastSync: Date?
    public var lastErrors: [String] = []
    public var targets: [TargetStatus] = []
    public var schedulers: [SchedulerStatus] = []
    /// This replica and the targets it holds, when replicas share a PostgreSQL store.
    public var replica: ReplicaStatus?

    public struct TargetStatus: Sendable, Codable {
        public var name: String
        public var driftPolicy: String
        public var pendingActions: Int
        public var lastActions: [String]
        public var errors: [String]
        /// Objects that break a Requirement in the live state once the plan is applied, as `tidemark audit` words them.
        public var requirementViolations: [String] = []
        /// Objects no enabled scheduler protects in the planned state.
        public var unprotectedObjects = 0
    }

    public struct SchedulerStatus: Sendable, Codable {
        public var name: String
        public var target: String
        /// `native` or `controller`.
        public var mode: Runner
        public var drives: [DriveStatus]
        /// Next fire instants, for controller-mode schedulers.
        public var nextFires: [Date]
    }

    public struct ReplicaStatus: Sendable, Codable {
        public var id: String
        /// False while the store's session is lost: the replica then acts on no target.
        public var storeConnected: Bool
        public var liveReplicas: Int
        public var heldTargets: [String]
        public var lastError: String?
    }

    public struct DriveStatus: Sendable, Codable {
        public var drive: String
        public var newestSnapshot: Date?
        /// True when the newest snapshot is older than twice the schedule's interval: backups are not happening.
        public var stale: Bool
    }

    enum CodingKeys: String, CodingKey {
        case ready, commit
        case lastSync = "last_sync"
        case lastErrors = "last_errors"
        case targets, schedulers, replica
    }
}

extension ControllerStatus.TargetStatus {
    enum CodingKeys: String, CodingKey {
        case name
        case driftPolicy = "drift_policy"
        case pendingActions = "pending_actions"
        case lastActions = "last_actions"
        case errors
    }
}

extension ControllerStatus.SchedulerStatus {
    enum CodingKeys: String, CodingKey {
        case name, target, mode, drives
        case nextFires = "next_fires"
    }
}

extension ControllerStatus.DriveStatus {
    enum CodingKeys: String, CodingKey {
        case drive
        case newestSnapshot = "newest_snapshot"
        case stale
    }
}

extension ControllerStatus.ReplicaStatus {
    enum CodingKeys: String, CodingKey {
        case id
        case storeConnected = "store_connected"
        case liveReplicas = "live_replicas"
        case heldTargets = "held_targets"
        case lastError = "last_error"
    }
}
