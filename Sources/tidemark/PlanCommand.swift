import ArgumentParser
import Foundation
import TidemarkReconcile

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change on the targets.",
        discussion: """
            Reads the live state of every target (list endpoints, never one request per object), compares it with the \
            policies in normalized form, and prints the actions: + create/bind, ~ update/adopt, - delete/unbind, with \
            field-level changes and data impact. Exit status: 0 no changes (or changes without --detailed-exitcode), \
            1 error, 2 changes present with --detailed-exitcode.
            """
    )

    @OptionGroup var options: ReconcileOptions

    @Option(help: "Save the plan as JSON, for `tidemark apply PLAN`.")
    var out: String?

    @Flag(help: "Print the plan as versioned JSON.")
    var json = false

    @Flag(help: "Print the plan as Markdown, for a pull-request comment.")
    var markdown = false

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 2 when the plan has changes.")
    var detailedExitCode = false

    @OptionGroup(title: "Overrides")
    var overrides: PlanOverrides

    func validate() throws {
        if json && markdown { throw ValidationError("Choose one of --json and --markdown.") }
    }

    func run() async throws {
        let plan = try await options.makePlan(with: options.reconciler(), overrides: overrides).plan
        if json {
            Output.line(String(decoding: try plan.jsonData(), as: UTF8.self))
        } else if markdown {
            Output.line(PlanRenderer(colour: false).markdown(plan))
        } else {
            Output.line(PlanRenderer(colour: Output.colourAllowed, wire: options.verbose).text(plan))
        }
        if let out {
            try plan.jsonData().write(to: URL(fileURLWithPath: out))
            if !json { Output.error("saved the plan to \(out); apply it with: tidemark apply \(out)") }
        }
        if !plan.errors.isEmpty { throw ExitCode.failure }
        if detailedExitCode, plan.hasChanges { throw ExitCode(2) }
    }
}
