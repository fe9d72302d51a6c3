import CoreMetrics
import Foundation
import Prometheus

/// The controller's metrics, recorded through swift-metrics into a Prometheus registry that `/metrics` serves.
/// Labels carry names and outcomes only, never credentials.
public struct ControllerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["tidemark_cycle_duration_seconds"] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120),
        ]
        self.factory = factory
    }

    func cycle(duration: TimeInterval, success: Bool, at now: Date) {
        Timer(label: "tidemark_cycle_duration_seconds", factory: factory).recordNanoseconds(Int64(duration * 1e9))
        if success {
            Gauge(label: "tidemark_last_successful_sync_timestamp_seconds", factory: factory).record(now.timeIntervalSince1970)
        }
    }

    func action(kind: String, outcome: String) {
        Counter(label: "tidemark_actions_total", dimensions: [("kind", kind), ("outcome", outcome)], factory: factory).increment()
    }

    func drift(target: String, corrected: Bool) {
        Counter(
            label: "tidemark_drift_total", dimensions: [("target", target), ("handling", corrected ? "corrected" : "reported")],
            factory: factory
        ).increment()
    }

    func snapshots(_ report: ControllerScheduler.Report, slotLag: TimeInterval?) {
        Counter(label: "tidemark_snapshots_created_total", factory: factory).increment(by: report.created)
        Counter(label: "tidemark_snapshots_deleted_total", factory: factory).increment(by: report.deleted)
        Counter(label: "tidemark_slots_skipped_total", factory: factory).increment(by: report.skipped)
        if let slotLag { Gauge(label: "tidemark_slot_lag_seconds", factory: factory).record(slotLag) }
    }

    /// Counts one API request attempt by provider and HTTP status (`none` when no response came).
    public func apiRequest(provider: String, status: Int?) {
        Counter(
            label: "tidemark_api_requests_total", dimensions: [("provider", provider), ("status", status.map(String.init) ?? "none")],
            factory: factory
        ).increment()
    }

    func newestSnapshotAge(scheduler: String, drive: String, seconds: TimeInterval) {
        Gauge(label: "tidemark_newest_snapshot_age_seconds", dimensions: [("scheduler", scheduler), ("drive", drive)], factory: factory)
            .record(seconds)
    }

    /// How many targets this replica holds, and how many replicas share them.
    func ownership(held: Int, liveReplicas: Int) {
        Gauge(label: "tidemark_targets_held", factory: factory).record(held)
        Gauge(label: "tidemark_replicas_live", factory: factory).record(liveReplicas)
    }

    /// A target claimed from a replica that stopped without giving it up.
    func takeover(target: String) {
        Counter(label: "tidemark_target_takeovers_total", dimensions: [("target", target)], factory: factory).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
