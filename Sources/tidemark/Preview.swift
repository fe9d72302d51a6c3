import ArgumentParser
import Foundation
import TidemarkPolicy
import TidemarkProviders
import TidemarkSchedule

struct Preview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show when a scheduler fires, and which snapshots a retention policy keeps.",
        discussion: """
            Fire times: `tidemark preview SCHEDULER` prints the next --count fire times of a Scheduler or BackupPlan \
            after --from, in its timezone and in UTC.

            Retention: `tidemark preview --retention NAME --simulate 400d` (or `tidemark preview SCHEDULER --simulate 400d`) \
            simulates the snapshots the schedule takes over the period that ends at --from, and prints a calendar, one row \
            per month, of which snapshots the retention keeps and by which rule. With --retention the schedule is that of \
            the first scheduler that uses the policy, or daily at 00:00 UTC if none does.

            Live retention: `tidemark preview SCHEDULER --live` reads the live snapshots of the objects the scheduler \
            protects on its target and prints, for each, the rule that keeps it (or that the next retention pass deletes \
            it) and when retention deletes it if the schedule goes on; then the next deletion.
            """
    )

    @Argument(help: "The Scheduler or BackupPlan to preview.")
    var scheduler: String?

    @Option(help: "The policy directory or file (default: policies; with --repo, the repository's root).")
    var path: String?

    @OptionGroup(title: "Policies from git")
    var source: PolicySourceOptions

    @Option(help: "How many fire times to print.")
    var count: Int = 10

    @Option(help: "Start of the preview, or end of the simulation (ISO 8601, e.g. 2026-11-25T04:00:00Z). Default: now.")
    var from: String?

    @Option(help: "A RetentionPolicy to simulate.")
    var retention: String?

    @Option(help: "Simulate this much history, e.g. 400d, 8w or 36h.")
    var simulate: SimulationLength?

    @Flag(help: "Read the live snapshots of what the scheduler protects, and show which rule keeps each and when each is deleted.")
    var live = false

    @Option(help: "With --live: this controller instance's id (default: $TIDEMARK_INSTANCE or 'tidemark').")
    var instance: String = ProcessInfo.processInfo.environment["TIDEMARK_INSTANCE"] ?? "tidemark"

    @Flag(help: "Print one JSON object (fire times, or every simulated snapshot with the rule that keeps it).")
    var json = false

    func validate() throws {
        guard scheduler != nil || retention != nil else {
            throw ValidationError("Name a scheduler (tidemark preview SCHEDULER) or a retention policy (--retention NAME).")
        }
        guard count > 0 else { throw ValidationError("--count must be at least 1.") }
        if live, scheduler == nil || simulate != nil || from != nil {
            throw ValidationError(
                "--live previews one scheduler's live snapshots as they are now: "
                    + "tidemark preview SCHEDULER --live, without --simulate or --from.")
        }
        if let from, InstantFormatting.parse(from) == nil {
            throw ValidationError("--from '\(from)' is not an ISO 8601 instant such as 2026-11-25T04:00:00Z.")
        }
    }

    func run() async throws {
        let policies = try source.load(path: path, what: "nothing to preview").result.policies
        let start = from.flatMap(InstantFormatting.parse) ?? Date()
        if live, let scheduler, let subject = try subject(named: scheduler, in: policies) {
            try await previewLive(subject, named: scheduler, policies: policies, now: start)
        } else if let retention {
            try previewRetention(named: retention, policies: policies, end: start)
        } else if let scheduler, let subject = try subject(named: scheduler, in: policies) {
            if let simulate {
                guard let policy = policies.resolve(subject.retention) else {
                    Output.error("error: \(subject.title) has no retention to simulate (add retention: to it)")
                    throw ExitCode.failure
                }
                try printSimulation(
                    policy: policy, policyTitle: subject.title, schedule: subject.schedule,
                    scheduleSource: subject.title, length: simulate, end: start)
            } else {
                try printFires(subject, after: start)
            }
        }
    }

    private struct Subject {
        var title: String
        var target: String
        var schedule: ScheduleSpec
        var retention: RetentionReference?
    }

    private func subject(named name: String, in policies: PolicySet) throws -> Subject? {
        if let document = policies.scheduler(named: name) {
            return Subject(
                title: "scheduler \(name)", target: document.spec.target.value, schedule: document.spec.schedule,
                retention: document.spec.retention)
        }
        if let document = policies.backupPlan(named: name) {
            return Subject(
                title: "backup plan \(name)", target: document.spec.target.value, schedule: document.spec.schedule,
                retention: document.spec.retention)
        }
        let names = policies.schedulers.map(\.name) + policies.backupPlans.map(\.name)
        Output.error(
            "error: no Scheduler or BackupPlan named '\(name)' in the policies"
                + (names.isEmpty ? "" : " (known: \(names.joined(separator: ", ")))"))
        throw ExitCode.failure
    }

    private func previewLive(_ subject: Subject, named name: String, policies: PolicySet, now: Date) async throws {
        guard let policy = policies.resolve(subject.retention), let target = policies.target(named: subject.target) else {
            Output.error("error: \(subject.title) has no retention to preview (add retention: to it)")
            throw ExitCode.failure
        }
        let preview = LivePreview(
            scheduler: name, target: target, schedule: subject.schedule, retention: policy, policies: policies, instance: instance, now: now
        )
        let report: LivePreview.Report
        do {
            report = try await preview.report()
        } catch {
            Output.error("error: \(error)")
            throw ExitCode.failure
        }
        if json { return Output.json(report) }
        let noun = ProviderRegistry.definition(for: target.spec.provider).objectNoun
        for line in LivePreview.text(report, noun: noun) { Output.line(line) }
    }

    private func printFires(_ subject: Subject, after start: Date) throws {
        let schedule = try Schedule(subject.schedule)
        let fires = schedule.nextFires(after: start, count: count)
        if json {
            return Output.json(
                PreviewReport.fires(
                    subject: subject.title, target: subject.target, spec: subject.schedule, zone: schedule.zone, after: start, fires: fires)
            )
        }
        Output.line("\(subject.title) on target \(subject.target)")
        Output.line("schedule: \(subject.schedule.summary)")
        Output.line("next \(fires.count) fire times after \(InstantFormatting.utc(start)):")
        let zoneTitle = schedule.zone.identifier
        let localWidth = max(zoneTitle.count, 27)
        Output.line("  #    " + zoneTitle.padding(toLength: localWidth, withPad: " ", startingAt: 0) + "  UTC")
        for (index, fire) in fires.enumerated() {
            let number = String(index + 1).padding(toLength: 4, withPad: " ", startingAt: 0)
            let local = InstantFormatting.local(fire, in: schedule.zone).padding(toLength: localWidth, withPad: " ", startingAt: 0)
            Output.line("  \(number) \(local)  \(InstantFormatting.utc(fire))")
        }
    }

    private func previewRetention(named name: String, policies: PolicySet, end: Date) throws {
        guard let document = policies.retentionPolicy(named: name) else {
            let names = policies.retentionPolicies.map(\.name)
            Output.error(
                "error: no RetentionPolicy named '\(name)' in the policies"
                    + (names.isEmpty ? "" : " (known: \(names.joined(separator: ", ")))"))
            throw ExitCode.failure
        }
        let user = policies.schedulers.first {
            if case .named(let reference) = $0.spec.retention { reference.value == name } else { false }
        }
        let schedule =
            user?.spec.schedule
            ?? ScheduleSpec(timezone: "Etc/UTC", rule: .calendar(CalendarRule(times: .at([.midnight]))))
        try printSimulation(
            policy: document.spec, policyTitle: "retention policy \(name)", schedule: schedule,
            scheduleSource: user.map { "scheduler \($0.name)" } ?? "daily at 00:00 UTC",
            length: simulate ?? SimulationLength(days: 400), end: end)
    }

    private func printSimulation(
        policy: RetentionPolicySpec, policyTitle: String, schedule spec: ScheduleSpec,
        scheduleSource: String, length: SimulationLength, end: Date
    ) throws {
        let schedule = try Schedule(spec)
        let begin = end.addingTimeInterval(-length.seconds)
        let fires = schedule.fires(in: begin..<end.addingTimeInterval(1))
        let snapshots = fires.enumerated().map { Snapshot(id: "s\($0.offset)", takenAt: $0.element) }
        let decisions = RetentionEngine(policy: policy, zone: schedule.zone).evaluate(snapshots, now: end)
        if json {
            return Output.json(
                PreviewReport.simulation(
                    subject: policyTitle, policy: policy, spec: spec, scheduleSource: scheduleSource, zone: schedule.zone, from: begin,
                    to: end, decisions: decisions))
        }
        Output.line("\(policyTitle)\(policy.displayName.map { " \"\($0)\"" } ?? "")")
        Output.line(
            "simulated \(length) to \(InstantFormatting.utc(end)): \(snapshots.count) snapshots taken by the schedule of "
                + "\(scheduleSource) (\(spec.summary)), \(decisions.filter(\.keep).count) kept")
        Output.line()
        for line in RetentionCalendar(policy: policy, decisions: decisions, zone: schedule.zone).render() { Output.line(line) }
    }
}

/// A simulated history length: `400d`, `8w` or `36h`.
struct SimulationLength: ExpressibleByArgument, CustomStringConvertible {
    var seconds: TimeInterval
    var description: String

    init(days: Int) {
        seconds = TimeInterval(days) * 86_400
        description = "\(days)d"
    }

    init?(argument: String) {
        guard let unit = argument.last, let amount = Int(argument.dropLast()), amount > 0 else { return nil }
        let unitSeconds: TimeInterval
        switch unit {
        case "h": unitSeconds = 3_600
        case "d": unitSeconds = 86_400
        case "w": unitSeconds = 604_800
        default: return nil
        }
        guard TimeInterval(amount) * unitSeconds <= 20 * 366 * 86_400 else { return nil }
        seconds = TimeInterval(amount) * unitSeconds
        description = argument
    }
}
