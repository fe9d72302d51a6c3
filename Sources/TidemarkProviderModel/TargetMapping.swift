/// Where the documents for one target run on its API and what is wrong with them, as a provider maps them.
public struct TargetMapping: Sendable, ProblemCollecting {
    /// Who runs each scheduler (or plan, definition, job) and enforces its retention, and why.
    public var placements: [Placement] = []
    public var problems: [PlanProblem] = []

    public init() {}
}
