import Foundation
import Prometheus

/// The controller's metrics, recorded through swift-metrics into a Prometheus registry that `/metrics` serves.
/// Labels carry names and outcomes only, never credentials.
public struct ControllerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Every metric's `# HELP` text, by name: one place, so a family never gets two (the registry refuses that).
    static let help: [String: String] = [
        "tidemark_cycle_duration_seconds": "How long a reconcile cycle took.",
        "tidemark_last_successful_sync_timestamp_seconds": "When the last cycle without errors started (Unix seconds).",
        "tidemark_actions_total": "Actions applied, by kind and outcome (ok, failed).",
        "tidemark_drift_total": "Drifted objects found, by target and handling (corrected, reported).",
        "tidemark_drift_pending_actions": "Actions a target with driftPolicy report needs to match its policies; 0 when in sync.",
        "tidemark_snapshots_created_total": "Snapshots taken by the controller at their slots.",
        "tidemark_snapshots_deleted_total": "Snapshots deleted by the controller's retention.",
        "tidemark_slots_skipped_total": "Slots not taken: missed while down (missed: skip) or later than startingDeadline.",
        "tidemark_slot_lag_seconds": "How late the last slot was fired after its instant.",
        "tidemark_api_requests_total": "Requests to the backup APIs, every attempt, by provider and HTTP status (none: no answer).",
        "tidemark_newest_snapshot_age_seconds": "Age of the newest snapshot the controller took, per scheduler and drive.",
        "tidemark_schedule_interval_seconds": "The longest interval between two fires of a controller-mode scheduler's schedule.",
        "tidemark_ready": "1 while the controller is ready (a successful cycle, the state store reachable), else 0.",
        "tidemark_targets_held": "Targets this replica holds (all of them with a SQLite store).",
        "tidemark_replicas_live": "Replicas sharing the targets, as this replica last counted them.",
        "tidemark_target_takeovers_total": "Targets this replica claimed from a replica that stopped without giving them up.",
        "tidemark_requirement_violations":
            "Objects that break a Requirement (as tidemark audit finds them after each plan), per requirement, over the targets held.",
        "tidemark_unprotected_objects":
            "Objects (drives, VM disks, resources, clients) no enabled scheduler protects in the planned state, per target.",
    ]

    /// The full name is `name` (no unit is appended), with its help text.
    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: Self.help[name] ?? "")
    }

    private func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(descriptor: descriptor(name), labels: labels)
    }

    private func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: descriptor(name), labels: labels)
    }

    func cycle(duration: TimeInterval, success: Bool, at now: Date) {
        registry.makeDurationHistogram(
            descriptor: descriptor("tidemark_cycle_duration_seconds"),
            buckets: [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
                .seconds(120),
            ]
        ).recordNanoseconds(Int64(duration * 1e9))
        if success { gauge("tidemark_last_successful_sync_timestamp_seconds").set(now.timeIntervalSince1970) }
    }

    func action(kind: String, outcome: String) {
        counter("tidemark_actions_total", [("kind", kind), ("outcome", outcome)]).increment()
    }

    func drift(target: String, corrected: Bool) {
        counter("tidemark_drift_total", [("target", target), ("handling", corrected ? "corrected" : "reported")]).increment()
    }

    func requirementViolations(requirement: String, objects: Int) {
        gauge("tidemark_requirement_violations", [("requirement", requirement)]).set(Double(objects))
    }

    func unprotectedObjects(target: String, count: Int) {
        gauge("tidemark_unprotected_objects", [("target", target)]).set(Double(count))
    }

    func pendingDrift(target: String, actions: Int) {
        gauge("tidemark_drift_pending_actions", [("target", target)]).set(Double(actions))
    }

    func snapshots(_ report: ControllerScheduler.Report, slotLag: TimeInterval?) {
        counter("tidemark_snapshots_created_total").increment(by: Int64(report.created))
        counter("tidemark_snapshots_deleted_total").increment(by: Int64(report.deleted))
        counter("tidemark_slots_skipped_total").increment(by: Int64(report.skipped))
        if let slotLag { gauge("tidemark_slot_lag_seconds").set(slotLag) }
    }

    /// Counts one API request attempt by provider and HTTP status (`none` when no response came).
    public func apiRequest(provider: String, status: Int?) {
        counter("tidemark_api_requests_total", [("provider", provider), ("status", status.map(String.init) ?? "none")]).increment()
    }

    func newestSnapshotAge(scheduler: String, drive: String, seconds: TimeInterval) {
        gauge("tidemark_newest_snapshot_age_seconds", [("scheduler", scheduler), ("drive", drive)]).set(seconds)
    }

    func scheduleInterval(scheduler: String, seconds: TimeInterval) {
        gauge("tidemark_schedule_interval_seconds", [("scheduler", scheduler)]).set(seconds)
    }

    func ready(_ ready: Bool) { gauge("tidemark_ready").set(ready ? 1.0 : 0.0) }

    /// How many targets this replica holds, and how many replicas share them.
    func ownership(held: Int, liveReplicas: Int) {
        gauge("tidemark_targets_held").set(Double(held))
        gauge("tidemark_replicas_live").set(Double(liveReplicas))
    }

    /// A target claimed from a replica that stopped without giving it up.
    func takeover(target: String) {
        counter("tidemark_target_takeovers_total", [("target", target)]).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
