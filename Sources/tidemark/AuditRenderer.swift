import Foundation
import TidemarkReconcile

/// An audit report as people read it: plain text for a terminal or CI log, Markdown for a pull request or ticket.
enum AuditRenderer {
    static func text(_ report: AuditReport) -> String {
        var lines = ["Audit of \(report.source.headline) at \(InstantFormatting.utc(report.createdAt))", ""]
        for target in report.targets {
            lines.append("target \(target.name) (\(target.provider.rawValue)):")
            for requirement in target.requirements {
                let broken = requirement.objects.filter { !$0.compliant }
                lines.append(
                    "  requirement \(requirement.requirement): \(requirement.objects.count - broken.count) of "
                        + "\(requirement.objects.count) \(target.noun)s compliant")
                for object in broken {
                    for violation in object.violations {
                        lines.append("    ✗ \(target.noun) \(object.object.name) \(violation.detail)")
                    }
                }
            }
            if !target.unprotected.isEmpty {
                lines.append("  unprotected \(target.noun)s (\(target.unprotected.count)): \(names(target.unprotected.map(\.name)))")
            }
            for orphan in target.orphanSchedulers {
                lines.append("  orphan scheduler \(orphan.name) (\(orphan.id)): \(orphan.reason)")
            }
            if !target.orphanSnapshots.isEmpty {
                lines.append("  orphan snapshots (\(target.orphanSnapshots.count)):")
                for orphan in target.orphanSnapshots.prefix(10) {
                    lines.append("    \(orphan.id) of \(orphan.of), \(InstantFormatting.utc(orphan.takenAt)): \(orphan.reason)")
                }
                if target.orphanSnapshots.count > 10 { lines.append("    … and \(target.orphanSnapshots.count - 10) more (see --json)") }
            }
            lines.append("")
        }
        lines.append(report.compliant ? "Compliant: every requirement holds." : "Not compliant: \(violationCount(report)) violations.")
        return lines.joined(separator: "\n")
    }

    static func markdown(_ report: AuditReport) -> String {
        var lines = [
            "### Tidemark audit: \(report.compliant ? "compliant" : "\(violationCount(report)) violations")", "",
            "Policies: `\(report.source.headline)`, live state read \(InstantFormatting.utc(report.createdAt)).", "",
        ]
        for target in report.targets {
            lines += ["#### Target `\(target.name)` (\(target.provider.rawValue))", ""]
            if !target.requirements.isEmpty {
                lines += ["| requirement | \(target.noun) | compliant | why |", "|---|---|---|---|"]
                for requirement in target.requirements {
                    for object in requirement.objects {
                        let why = object.violations.map { cell($0.detail) }.joined(separator: "<br>")
                        lines.append(
                            "| \(requirement.requirement) | \(cell(object.object.name)) | \(object.compliant ? "yes" : "**no**") | \(why) |"
                        )
                    }
                }
                lines.append("")
            }
            if !target.unprotected.isEmpty {
                lines += ["Unprotected \(target.noun)s: \(target.unprotected.map { "`\($0.name)`" }.joined(separator: ", "))", ""]
            }
            if !target.orphanSchedulers.isEmpty || !target.orphanSnapshots.isEmpty {
                lines += ["| orphan | id | why |", "|---|---|---|"]
                for orphan in target.orphanSchedulers {
                    lines.append("| scheduler \(cell(orphan.name)) | `\(orphan.id)` | \(cell(orphan.reason)) |")
                }
                for orphan in target.orphanSnapshots {
                    lines.append("| snapshot of \(cell(orphan.of)) | `\(orphan.id)` | \(cell(orphan.reason)) |")
                }
                lines.append("")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func violationCount(_ report: AuditReport) -> Int {
        report.targets.flatMap(\.requirements).flatMap(\.objects).map(\.violations.count).reduce(0, +)
    }

    private static func names(_ names: [String]) -> String {
        names.prefix(10).joined(separator: ", ") + (names.count > 10 ? " and \(names.count - 10) more" : "")
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
