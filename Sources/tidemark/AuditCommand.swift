import ArgumentParser
import Foundation
import TidemarkReconcile

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the live state of every target against the Requirement documents.",
        discussion: """
            Reads each target's live schedulers, objects and snapshots and reports: per Requirement, every object it \
            selects, compliant or not and why (the rules evaluated on what protects the object now, and its newest \
            snapshot against the rpo); objects no scheduler protects; live schedulers and snapshots no policy owns. \
            Changes nothing. Exit status: 0 compliant, 3 a requirement is violated, 1 error.
            """
    )

    @OptionGroup var options: ReconcileOptions

    @Flag(help: "Print the report as versioned JSON.")
    var json = false

    @Flag(help: "Print the report as Markdown, for a pull-request comment or a ticket.")
    var markdown = false

    func validate() throws {
        if json && markdown { throw ValidationError("Choose one of --json and --markdown.") }
    }

    func run() async throws {
        let (policies, source) = try options.loadPolicies()
        let reconciler = try options.reconciler()
        let auditor = Auditor(instance: options.instance)
        var targets: [TargetAudit] = []
        do {
            for target in try Reconciler.targets(policies, named: options.target) {
                targets.append(try await auditor.audit(target, policies: policies, provider: reconciler.connection(for: target)))
            }
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        let report = AuditReport(tidemarkVersion: Tidemark.version, createdAt: auditor.now, source: source, targets: targets)
        if json {
            Output.line(String(decoding: try report.jsonData(), as: UTF8.self))
        } else if markdown {
            Output.line(AuditRenderer.markdown(report))
        } else {
            Output.line(AuditRenderer.text(report))
        }
        if !report.compliant { throw ExitCode(3) }
    }
}
