import Foundation
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkSchedule

/// Checks the Requirement documents against what protects each object of one target (docs/requirements.md).
///
/// The rpo is checked on the fires of the next year (daylight saving nights included), retention by running the
/// retention engine after every slot (`RetentionSimulation`); both at `now`.
struct RequirementEvaluator {
    /// The requirements that apply to the target.
    var requirements: [PolicyDocument<RequirementSpec>]
    /// What the target's objects are called: drive, VM disk, resource, client.
    var noun: String
    var now: Date
    /// Whether the objects are as a plan would leave them (`would be protected`) or as they are (`is protected`).
    var planned: Bool
    private var simulations: [SimulationKey: RetentionSimulation.Findings] = [:]

    init(requirements: [PolicyDocument<RequirementSpec>], target: String, noun: String, now: Date, planned: Bool) {
        self.requirements = requirements.filter { $0.spec.applies(to: target) }
        self.noun = noun
        self.now = now
        self.planned = planned
    }

    /// `would be` in a plan, `is` of live objects.
    private func verb(_ planned: String, _ live: String) -> String { self.planned ? planned : live }

    private struct SimulationKey: Hashable {
        var schedule: ScheduleSpec
        var retention: RetentionPolicySpec?
        var minimumAge: Int?
        var minimumKept: Int?
    }

    /// Every violation, one per requirement, object and broken rule.
    mutating func violations(_ objects: [ProtectedObject]) -> [RequirementViolation] {
        var found: [RequirementViolation] = []
        for requirement in requirements {
            for object in objects where requirement.spec.drives?.selects(object.object) ?? true {
                found += check(object, against: requirement)
            }
        }
        return found
    }

    private mutating func check(_ object: ProtectedObject, against requirement: PolicyDocument<RequirementSpec>) -> [RequirementViolation] {
        let spec = requirement.spec
        let noun = self.noun
        func violation(_ rule: RequirementViolation.Rule, _ location: SourceLocation?, _ detail: String) -> RequirementViolation {
            RequirementViolation(
                requirement: requirement.name, location: location ?? requirement.location, noun: noun,
                object: object.object, rule: rule, detail: detail)
        }
        let enabled = object.protections.filter(\.enabled)
        let active = enabled.filter { spec.type == nil || $0.type == spec.type?.value }
        let needsProtection = spec.protected?.value == true || spec.rpo != nil || spec.type != nil || spec.minimumKept != nil
        guard !active.isEmpty else {
            guard needsProtection else { return [] }
            if let type = spec.type, !enabled.isEmpty {
                let others = enabled.map { "\($0.scheduler) (\($0.type))" }.joined(separator: ", ")
                return [
                    violation(
                        .type, type.location,
                        "\(verb("would be", "is")) protected only by \(others); requirement \(requirement.name) wants type \(type.value)")
                ]
            }
            let disabled = object.protections.map(\.scheduler)
            let why = disabled.isEmpty ? "" : " (\(disabled.joined(separator: ", ")) \(disabled.count == 1 ? "is" : "are") disabled)"
            return [
                violation(
                    .protected, spec.protected?.location,
                    "\(verb("would not be", "is not")) protected by any scheduler\(why); requirement \(requirement.name) wants it protected"
                )
            ]
        }
        var found: [RequirementViolation] = []
        let unreadable = active.filter { $0.schedule == nil }.map(\.scheduler)
        if !unreadable.isEmpty, spec.rpo != nil || spec.minimumAge != nil || spec.minimumKept != nil {
            found.append(
                violation(
                    .unreadable, nil,
                    "\(verb("would be", "is")) protected by \(unreadable.joined(separator: ", ")), whose settings tidemark "
                        + "cannot read; requirement \(requirement.name) cannot be checked"))
        }
        let schedules = active.compactMap { protection in protection.schedule.flatMap { try? Schedule($0) } }
        if let rpo = spec.rpo, !schedules.isEmpty {
            let year = now..<now.addingTimeInterval(366 * 86_400)
            if let gap = FireGap.longest(schedules, in: year) {
                if gap.seconds > rpo.value {
                    let opening = schedules.first { $0.nextFire(after: gap.start.addingTimeInterval(-1)) == gap.start }
                    let zone = (opening ?? schedules[0]).zone
                    found.append(
                        violation(
                            .rpo, rpo.location,
                            "\(verb("would be", "is")) protected every \(DurationText.of(gap.seconds)) "
                                + "(longest gap from \(Self.local(gap.start, zone))); "
                                + "requirement \(requirement.name) wants ≤ \(DurationText.of(rpo.value))"))
                }
            } else {
                found.append(
                    violation(
                        .rpo, rpo.location,
                        "\(verb("would be", "is")) backed up less than twice within a year; requirement \(requirement.name) wants every "
                            + DurationText.of(rpo.value)))
            }
        }
        if spec.minimumAge != nil || spec.minimumKept != nil {
            found += checkRetention(active, spec: spec, requirement: requirement.name, violation: violation)
        }
        return found
    }

    private mutating func checkRetention(
        _ active: [Protection], spec: RequirementSpec, requirement: String,
        violation: (RequirementViolation.Rule, SourceLocation?, String) -> RequirementViolation
    ) -> [RequirementViolation] {
        var found: [RequirementViolation] = []
        var fewest: [(protection: Protection, kept: RetentionSimulation.FewestKept, zone: ZoneRules)] = []
        for protection in active {
            guard let scheduleSpec = protection.schedule, let schedule = try? Schedule(scheduleSpec) else { continue }
            let findings = simulate(
                schedule, protection.retention, minimumAge: spec.minimumAge?.value, minimumKept: spec.minimumKept?.value)
            if let minimumAge = spec.minimumAge, let early = findings.earlyDeletion {
                found.append(
                    violation(
                        .minimumAge, minimumAge.location,
                        "\(verb("would lose", "loses")) its snapshot of \(Self.local(early.taken, schedule.zone)) "
                            + "after \(DurationText.of(early.age)) under the retention of \(protection.scheduler); "
                            + "requirement \(requirement) wants every snapshot kept \(DurationText.of(minimumAge.value))"))
            }
            if let kept = findings.fewestKept { fewest.append((protection, kept, schedule.zone)) }
        }
        // One protecting scheduler that keeps enough is enough.
        if let minimumKept = spec.minimumKept, !fewest.isEmpty, fewest.count == active.count,
            let best = fewest.max(by: { $0.kept.count < $1.kept.count })
        {
            found.append(
                violation(
                    .minimumKept, minimumKept.location,
                    "\(verb("would keep", "keeps")) only \(best.kept.count) snapshot\(best.kept.count == 1 ? "" : "s") "
                        + "under the retention of \(best.protection.scheduler) "
                        + "(after the slot at \(Self.local(best.kept.at, best.zone))); "
                        + "requirement \(requirement) wants at least \(minimumKept.value)"))
        }
        return found
    }

    private mutating func simulate(_ schedule: Schedule, _ retention: RetentionPolicySpec?, minimumAge: Int?, minimumKept: Int?)
        -> RetentionSimulation.Findings
    {
        let key = SimulationKey(schedule: schedule.spec, retention: retention, minimumAge: minimumAge, minimumKept: minimumKept)
        if let known = simulations[key] { return known }
        let findings = RetentionSimulation(schedule: schedule, policy: retention).check(
            from: now, minimumAge: minimumAge, minimumKept: minimumKept)
        simulations[key] = findings
        return findings
    }

    /// `2027-03-28 02:00 Europe/Zurich`, or UTC.
    static func local(_ instant: Date, _ zone: ZoneRules?) -> String {
        let seconds = Int64(instant.timeIntervalSince1970)
        let local = zone?.localSeconds(at: seconds) ?? seconds
        let (dayNumber, second) = CivilDate.split(localSeconds: local)
        let date = CivilDate(dayNumber: dayNumber)
        let text = String(format: "%04d-%02d-%02d %02d:%02d", date.year, date.month, date.day, second / 3600, second % 3600 / 60)
        return "\(text) \(zone?.identifier ?? "UTC")"
    }
}

/// `48h`, `35d`, `1d 1h`, `90m`: a duration as requirements write it, the largest units first.
enum DurationText {
    static func of(_ seconds: Int) -> String {
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3_600
        let minutes = seconds % 3_600 / 60
        if minutes == 0, days < 4 { return "\(days * 24 + hours)h" }
        if hours == 0, minutes == 0 { return "\(days)d" }
        let parts = [(days, "d"), (hours, "h"), (minutes, "m")].filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }
        return parts.isEmpty ? "\(seconds)s" : parts.joined(separator: " ")
    }
}
