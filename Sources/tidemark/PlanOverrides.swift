import ArgumentParser
import TidemarkPolicy

/// The explicit escapes from a plan's safety checks, shared by plan and apply.
struct PlanOverrides: ParsableArguments {
    @Flag(name: .customLong("allow-mass-delete"), help: "Allow deleting more than half (or all) of a target's managed objects.")
    var allowMassDelete = false

    @Option(
        name: .customLong("allow-requirement-violation"),
        help: ArgumentHelp(
            "Plan and apply even though the planned state breaks this Requirement (repeatable); its violations are shown as warnings.",
            valueName: "name"))
    var allowedViolations: [String] = []

    /// Refuses a name that no Requirement document has, so a typo cannot hide a violation.
    func check(against policies: PolicySet) throws(ValidationError) {
        let known = policies.requirements.map(\.name)
        for name in allowedViolations where !known.contains(name) {
            throw ValidationError(
                "--allow-requirement-violation \(name): no Requirement named '\(name)' in the policies"
                    + (known.isEmpty ? "" : " (known: \(known.sorted().joined(separator: ", ")))"))
        }
    }
}
