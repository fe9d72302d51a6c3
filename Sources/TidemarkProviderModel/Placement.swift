/// Who runs a scheduler (or plan, definition, job) and who enforces its retention, and why.
public struct Placement: Sendable, Codable, Hashable {
    public var scheduler: String
    /// Who runs the schedule.
    public var mode: Runner
    public var reason: String?
    /// Who enforces the retention; nil when the scheduling mode says it (cloudsigma).
    public var retention: Runner?
    public var retentionReason: String?

    public init(scheduler: String, mode: Runner, reason: String?, retention: Runner? = nil, retentionReason: String? = nil) {
        self.scheduler = scheduler
        self.mode = mode
        self.reason = reason
        self.retention = retention
        self.retentionReason = retentionReason
    }

    enum CodingKeys: String, CodingKey {
        case scheduler, mode, reason, retention
        case retentionReason = "retention_reason"
    }
}

/// Who runs a schedule or enforces a retention: the API itself, or tidemark's controller (`tidemark run`).
public enum Runner: String, Sendable, Codable, Hashable {
    case native, controller
}
