import Foundation
import TidemarkPolicy

/// What a retention policy guarantees for the snapshots a schedule takes, found the way the controller works: a
/// snapshot at every fire, the retention engine run after each. Pure: schedule, policy and "now" in.
///
/// The engine runs at every fire of the next year (for schedules firing more than 2,000 times a year: of the next 35
/// days, the three days around each daylight saving transition and around each month's start), over the history that
/// can matter to those decisions: snapshots older than the age asked about plus one retention bucket cannot change
/// whether a younger one is kept. Ages count on the wall clock of the schedule's timezone, as retention periods do:
/// 35d is 35 calendar days whatever daylight saving time does.
public struct RetentionSimulation: Sendable {
    /// When snapshots are taken.
    public let schedule: Schedule
    /// Nil keeps every snapshot.
    public let policy: RetentionPolicySpec?

    /// A simulation of `policy` over the snapshots `schedule` takes.
    public init(schedule: Schedule, policy: RetentionPolicySpec?) {
        self.schedule = schedule
        self.policy = policy
    }

    /// A snapshot retention drops before it reaches the age asked for.
    public struct EarlyDeletion: Sendable, Hashable {
        /// The slot that took it.
        public var taken: Date
        /// The slot after which retention first drops it.
        public var deleted: Date
        /// Its age then, in seconds of the wall clock.
        public var age: Int
    }

    /// The fewest snapshots retention leaves of one drive, and after which slot.
    public struct FewestKept: Sendable, Hashable {
        /// How many are kept, and after which slot.
        public var count: Int
        public var at: Date
    }

    /// What the simulation found against the ages and counts asked about.
    public struct Findings: Sendable, Hashable {
        /// The first snapshot dropped too young; nil when none is.
        public var earlyDeletion: EarlyDeletion?
        /// The fewest kept, when below what was asked; nil when never.
        public var fewestKept: FewestKept?
    }

    static let day = 86_400

    /// The first snapshot dropped younger than `minimumAge` seconds, and the fewest kept when that is below
    /// `minimumKept`; nil for what holds.
    public func check(from now: Date, minimumAge: Int?, minimumKept: Int?) -> Findings {
        guard let policy, minimumAge != nil || minimumKept != nil else { return Findings() }
        let samples = sampleInstants(from: now)
        guard let lastSample = samples.last else { return Findings() }
        let engine = RetentionEngine(policy: policy, zone: schedule.zone)
        let bucket = Self.longestBucket(policy.rules)
        let ageHistory = (minimumAge ?? 0) + bucket + Self.day
        let sparsest = FireGap.longest([schedule], in: now..<now.addingTimeInterval(366 * TimeInterval(Self.day)))?.seconds ?? 0
        let fullHistory = max(ageHistory, Self.reach(policy.rules, longestGap: sparsest) + bucket + Self.day)
        let keepsLast = Self.lastCount(policy.rules) + 1
        // Far enough back for the newest `keepsLast` to be there at the first sample.
        var back = TimeInterval(fullHistory)
        while schedule.fires(in: now.addingTimeInterval(-back)..<now).count < keepsLast, back < 20 * 366 * TimeInterval(Self.day) {
            back *= 2
        }
        let fires = schedule.fires(in: now.addingTimeInterval(-back)..<lastSample.addingTimeInterval(1))
        let firstFire = fires.startIndex
        var findings = Findings()
        var lower = firstFire
        var upper = firstFire
        for sample in samples {
            while upper < fires.endIndex, fires[upper] <= sample { upper += 1 }
            while lower < upper, fires[lower] <= sample.addingTimeInterval(-TimeInterval(ageHistory)) { lower += 1 }
            let start = min(lower, max(firstFire, upper - keepsLast))
            let decisions = engine.evaluate(Self.snapshots(fires[start..<upper]), now: sample)
            if let minimumAge, findings.earlyDeletion == nil,
                let young = decisions.first(where: { !$0.keep && wallClockAge(of: $0.snapshot.takenAt, at: sample) < minimumAge })
            {
                findings.earlyDeletion = EarlyDeletion(
                    taken: young.snapshot.takenAt, deleted: sample, age: wallClockAge(of: young.snapshot.takenAt, at: sample))
            }
            if let minimumKept {
                var kept = decisions.count(where: \.keep)
                let reachStart = fires[..<upper].firstIndex { $0 > sample.addingTimeInterval(-TimeInterval(fullHistory)) } ?? upper
                if kept < minimumKept, reachStart < start {
                    kept = engine.evaluate(Self.snapshots(fires[reachStart..<upper]), now: sample).count(where: \.keep)
                }
                if kept < minimumKept, kept < findings.fewestKept?.count ?? .max {
                    findings.fewestKept = FewestKept(count: kept, at: sample)
                }
            }
        }
        return findings
    }

    private func wallClockAge(of taken: Date, at instant: Date) -> Int {
        Int(schedule.zone.localSeconds(at: Schedule.seconds(instant)) - schedule.zone.localSeconds(at: Schedule.seconds(taken)))
    }

    private static func snapshots(_ fires: ArraySlice<Date>) -> [Snapshot] {
        fires.map { Snapshot(id: "", takenAt: $0) }
    }

    /// The fires at which retention is checked, ascending, at most 4,000 (evenly thinned).
    func sampleInstants(from now: Date) -> [Date] {
        let year = now.addingTimeInterval(366 * TimeInterval(Self.day))
        let everyFire = schedule.fires(in: now..<year)
        guard everyFire.count > 2_000 else { return everyFire }
        var windows = [now..<now.addingTimeInterval(35 * TimeInterval(Self.day))]
        let margin = 3 * TimeInterval(Self.day)
        for transition in schedule.zone.transitions(in: now..<year) {
            windows.append(transition.addingTimeInterval(-margin)..<transition.addingTimeInterval(margin))
        }
        let today = CivilDate(dayNumber: Int(floorDiv(schedule.zone.localSeconds(at: Schedule.seconds(now)), Int64(Self.day))))
        let firstOfMonth = CivilDate(year: today.year, month: today.month, day: 1)
        for month in 1...12 {
            let start = Date(timeIntervalSince1970: TimeInterval(firstOfMonth.addingMonths(month).dayNumber * Self.day))
            windows.append(start.addingTimeInterval(-margin)..<start.addingTimeInterval(margin))
        }
        let fires = Set(windows.flatMap { schedule.fires(in: max($0.lowerBound, now)..<$0.upperBound) }).sorted()
        guard fires.count > 4_000 else { return fires }
        return (0..<4_000).map { fires[$0 * fires.count / 4_000] }
    }

    /// The longest calendar bucket of an anchored rule, in seconds: a snapshot's pick depends on the rest of its bucket.
    static func longestBucket(_ rules: [RetentionRule]) -> Int {
        rules.map { rule in
            guard case .anchored(let period, _, _) = rule else { return 0 }
            return longestPeriod(period)
        }.max() ?? 0
    }

    /// How far back any rule can keep a snapshot, in seconds (`last` rules count snapshots, not time): an anchored rule
    /// keeps one per bucket that holds a snapshot, so a schedule sparser than the buckets reaches further back.
    static func reach(_ rules: [RetentionRule], longestGap: Int) -> Int {
        rules.map { rule in
            switch rule {
            case .age(let period, let quantity): quantity * longestPeriod(period)
            case .anchored(let period, let quantity, _): (quantity + 1) * max(longestPeriod(period), longestGap)
            case .last: 0
            }
        }.max() ?? 0
    }

    /// The largest `{last: N}` of the rules.
    static func lastCount(_ rules: [RetentionRule]) -> Int {
        rules.map { rule in
            guard case .last(let count) = rule else { return 0 }
            return count
        }.max() ?? 0
    }

    static func longestPeriod(_ period: RetentionPeriod) -> Int {
        switch period {
        case .days: day + 3_600
        case .weeks: 7 * day + 3_600
        case .months: 31 * day + 3_600
        case .years: 366 * day + 3_600
        }
    }
}
