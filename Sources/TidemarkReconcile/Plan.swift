import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders

/// Everything a plan shows and a saved plan records (docs/plan.md); encoded as versioned JSON.
public struct Plan: Sendable, Codable {
    public static let formatVersion = "1"

    public var formatVersion: String
    public var tidemarkVersion: String
    public var createdAt: Date
    public var source: Source
    public var targets: [TargetPlan]

    /// Where the policies came from.
    public struct Source: Sendable, Codable, Hashable {
        /// The directory (or file); inside the repository when the policies came from git.
        public var path: String
        /// The repository (credentials redacted), when the policies came from git.
        public var repository: String?
        /// The ref as given (`main`, `v1.2`, a commit id), when the policies came from git.
        public var ref: String?
        /// The commit id, when the policies came from git.
        public var commit: String?
        /// A digest of every policy file read.
        public var digest: String
        /// The files that hold policy documents.
        public var files: [String]
        /// YAML files read and skipped because they hold no tidemark document.
        public var ignoredFiles: [String]?

        public init(
            path: String, repository: String? = nil, ref: String? = nil, commit: String?, digest: String,
            files: [String], ignoredFiles: [String]? = nil
        ) {
            self.path = path
            self.repository = repository
            self.ref = ref
            self.commit = commit
            self.digest = digest
            self.files = files
            self.ignoredFiles = ignoredFiles
        }

        enum CodingKeys: String, CodingKey {
            case path, repository, ref, commit, digest, files
            case ignoredFiles = "ignored_files"
        }

        /// `policies`, or `https://example.com/org/policies.git policies @ main (commit 1a2b3c4d5e)`.
        public var headline: String {
            guard let repository else { return path }
            return "\(repository) \(path.isEmpty ? "/" : path) @ \(ref ?? "HEAD")\(commit.map { " (commit \($0.prefix(10)))" } ?? "")"
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case tidemarkVersion = "tidemark_version"
        case createdAt = "created_at"
        case source, targets, summary
    }

    public init(tidemarkVersion: String, createdAt: Date, source: Source, targets: [TargetPlan]) {
        self.formatVersion = Self.formatVersion
        self.tidemarkVersion = tidemarkVersion
        self.createdAt = createdAt
        self.source = source
        self.targets = targets
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(String.self, forKey: .formatVersion)
        tidemarkVersion = try container.decode(String.self, forKey: .tidemarkVersion)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        source = try container.decode(Source.self, forKey: .source)
        targets = try container.decode([TargetPlan].self, forKey: .targets)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(tidemarkVersion, forKey: .tidemarkVersion)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(source, forKey: .source)
        try container.encode(targets, forKey: .targets)
        try container.encode(summary, forKey: .summary)
    }

    public var actions: [PlannedAction] { targets.flatMap(\.actions) }

    /// Actions by kind, every kind present, and the existing snapshots the plan deletes (`retroactive_deletions`).
    public var summary: [String: Int] {
        var summary = Dictionary(
            uniqueKeysWithValues: PlannedAction.Kind.allCases.map { kind in (kind.rawValue, actions.count { $0.kind == kind }) })
        summary["retroactive_deletions"] = retroactiveDeletions
        return summary
    }

    /// How many existing snapshots the plan's retention changes delete.
    public var retroactiveDeletions: Int { actions.map { $0.retroactive?.count ?? 0 }.reduce(0, +) }

    public var hasChanges: Bool { !actions.isEmpty }

    /// Problems that forbid applying this plan.
    public var errors: [PlanProblem] { targets.flatMap(\.errors) }

    /// Says, in each problem a person may override, how to override it (only the caller knows: a flag, a setting).
    public mutating func explainOverrides(_ how: (PlanProblem.Override) -> String) {
        for target in targets.indices {
            for index in targets[target].problems.indices {
                guard let override = targets[target].problems[index].override, targets[target].problems[index].hint == nil else { continue }
                targets[target].problems[index].hint = how(override)
            }
        }
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> Plan {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Plan.self, from: data)
    }
}

/// The plan for one target.
public struct TargetPlan: Sendable, Codable, ProblemCollecting {
    public var name: String
    public var provider: ProviderKind
    public var endpoint: String
    /// The live state's digest when the plan was made; a saved plan is stale when it changes.
    public var liveVersion: String
    public var placements: [Placement]
    public var actions: [PlannedAction]
    /// Errors (which forbid applying) and warnings, in the order found.
    public var problems: [PlanProblem]
    /// Objects already in the desired state.
    public var unchanged: Int
    /// What the controller runs for this target (slots, or retention over native objects); not part of a saved plan.
    public internal(set) var controllerJobs: [ControllerJob] = []
    /// Objects no enabled scheduler protects in the planned state; not part of a saved plan.
    public internal(set) var unprotectedObjects = 0

    public init(
        name: String, provider: ProviderKind, endpoint: String, liveVersion: String, placements: [Placement] = [],
        actions: [PlannedAction] = [], problems: [PlanProblem] = [], unchanged: Int = 0
    ) {
        self.name = name
        self.provider = provider
        self.endpoint = endpoint
        self.liveVersion = liveVersion
        self.placements = placements
        self.actions = actions
        self.problems = problems
        self.unchanged = unchanged
    }

    /// What this provider's managed objects are called: scheduler, plan, definition or job.
    public var noun: String { ProviderRegistry.definition(for: provider).noun }

    enum CodingKeys: String, CodingKey {
        case name, provider, endpoint
        case liveVersion = "live_version"
        case placements, actions, warnings, errors, unchanged
    }

    /// Problems are saved as their text, errors and warnings apart.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let errors = try container.decode([String].self, forKey: .errors).map { PlanProblem(.error, $0) }
        let warnings = try container.decode([String].self, forKey: .warnings).map { PlanProblem(.warning, $0) }
        self.init(
            name: try container.decode(String.self, forKey: .name), provider: try container.decode(ProviderKind.self, forKey: .provider),
            endpoint: try container.decode(String.self, forKey: .endpoint),
            liveVersion: try container.decode(String.self, forKey: .liveVersion),
            placements: try container.decode([Placement].self, forKey: .placements),
            actions: try container.decode([PlannedAction].self, forKey: .actions), problems: errors + warnings,
            unchanged: try container.decode(Int.self, forKey: .unchanged))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(provider, forKey: .provider)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(liveVersion, forKey: .liveVersion)
        try container.encode(placements, forKey: .placements)
        try container.encode(actions, forKey: .actions)
        try container.encode(warnings.map(\.description), forKey: .warnings)
        try container.encode(errors.map(\.description), forKey: .errors)
        try container.encode(unchanged, forKey: .unchanged)
    }
}
