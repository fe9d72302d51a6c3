import TidemarkPolicy

/// Something the planner found wrong with a target: an error forbids applying the plan, a warning is shown with it.
///
/// Printed as `[file:line:col: ]message[; hint]`; a saved plan keeps only that text (plan format 1).
public struct PlanProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    /// An error a person may choose to override; the planner names the override, the caller says how to give it.
    public enum Override: Sendable, Hashable {
        /// The plan deletes more than half (or all) of a target's managed objects.
        case massDelete
        /// The planned state breaks the named Requirement.
        case requirementViolation(String)
    }

    /// The document or live object concerned: `scheduler sfg`, `drive binding db`, `drive db-1`.
    public struct Subject: Sendable, Hashable {
        public var kind: String
        public var name: String

        public init(_ kind: String, _ name: String) {
            self.kind = kind
            self.name = name
        }
    }

    public var severity: Severity
    public var subject: Subject?
    public var location: SourceLocation?
    public var message: String
    public var hint: String?
    public var override: Override?

    public init(
        _ severity: Severity, _ message: String, subject: Subject? = nil, location: SourceLocation? = nil, hint: String? = nil,
        override: Override? = nil
    ) {
        self.severity = severity
        self.message = message
        self.subject = subject
        self.location = location
        self.hint = hint
        self.override = override
    }

    public var description: String {
        (location.map { "\($0): " } ?? "") + message + (hint.map { "; \($0)" } ?? "")
    }
}

/// Something that collects plan problems as it goes: a target's plan, or a provider's mapping of the documents.
public protocol ProblemCollecting {
    var problems: [PlanProblem] { get set }
}

extension ProblemCollecting {
    public var errors: [PlanProblem] { problems.filter { $0.severity == .error } }
    public var warnings: [PlanProblem] { problems.filter { $0.severity == .warning } }

    /// Records an error: the plan cannot be applied.
    public mutating func error(
        _ message: String, subject: PlanProblem.Subject? = nil, location: SourceLocation? = nil, hint: String? = nil,
        override: PlanProblem.Override? = nil
    ) {
        problems.append(PlanProblem(.error, message, subject: subject, location: location, hint: hint, override: override))
    }

    /// Records a warning, shown with the plan.
    public mutating func warning(_ message: String, subject: PlanProblem.Subject? = nil, location: SourceLocation? = nil) {
        problems.append(PlanProblem(.warning, message, subject: subject, location: location))
    }
}
