import Foundation
import TidemarkPolicy
import TidemarkReconcile

/// What `validate --format json` prints: one versioned object (docs/commands.md#tidemark-validate).
struct ValidationReport: Encodable {
    static let formatVersion = "1"

    var formatVersion = Self.formatVersion
    var valid: Bool
    /// Where the policies came from; nil when they could not be read at all.
    var source: Plan.Source?
    /// Why the policies could not be read at all.
    var error: String?
    var documents: Int
    var counts: [String: Int]
    var diagnostics: [Entry]

    struct Entry: Encodable {
        var file: String
        var line: Int
        var column: Int
        var severity: String
        var message: String
        var hint: String?
    }

    init(_ loaded: PolicySourceOptions.Loaded) {
        let policies = loaded.result.policies
        valid = !loaded.result.diagnostics.contains { $0.severity == .error }
        source = loaded.source
        documents = policies.documentCount
        counts = [
            "targets": policies.targets.count, "retention_policies": policies.retentionPolicies.count,
            "schedulers": policies.schedulers.count, "drive_bindings": policies.driveBindings.count,
            "backup_plans": policies.backupPlans.count,
        ]
        diagnostics = loaded.result.diagnostics.map {
            Entry(
                file: $0.location.file, line: $0.location.line, column: $0.location.column, severity: $0.severity.rawValue,
                message: $0.message, hint: $0.hint)
        }
    }

    init(unreadable error: String) {
        valid = false
        self.error = error
        documents = 0
        counts = [:]
        diagnostics = []
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case valid, source, error, documents, counts, diagnostics
    }
}
