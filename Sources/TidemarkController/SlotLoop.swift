import Foundation
import TidemarkReconcile
import TidemarkSchedule

/// The controller's scheduling loop over a fixed set of jobs: wakes at the head of the queue of next fire
/// instants, runs the jobs due then, and queues their next fire.
public struct SlotLoop: Sendable {
    public let jobs: [ControllerJob]
    let scheduler: ControllerScheduler
    let startedAt: Date
    private let schedules: [Schedule?]
    private var queue: ScheduleQueue

    /// The loop for `jobs` as of `now`; `startedAt` is when this controller process started.
    public init(jobs: [ControllerJob], scheduler: ControllerScheduler, startedAt: Date, now: Date) {
        self.jobs = jobs
        self.scheduler = scheduler
        self.startedAt = startedAt
        schedules = jobs.map { try? Schedule($0.schedule) }
        queue = ScheduleQueue()
        for (index, schedule) in schedules.enumerated() {
            if let schedule { queue.enqueue(index, schedule, after: now) }
        }
    }

    /// The next instant a job is due, if any job has a next slot.
    public var nextWake: Date? { queue.next }

    /// Catches up every job at `now`: finishes slots a crash interrupted, takes missed slots per policy, and sets
    /// the cursor of new jobs. Run once when the loop (or the set of jobs) starts.
    public func catchUp(at now: Date) async -> ControllerScheduler.Report {
        await scheduler.run(jobs, now: now, startedAt: startedAt)
    }

    /// Runs the jobs due at `now` and queues their next slots.
    public mutating func fireDue(at now: Date) async -> ControllerScheduler.Report {
        let due = queue.popDue(at: now).sorted()
        guard !due.isEmpty else { return ControllerScheduler.Report() }
        let report = await scheduler.run(due.map { jobs[$0] }, now: now, startedAt: startedAt)
        for index in due {
            if let schedule = schedules[index] { queue.enqueue(index, schedule, after: now) }
        }
        return report
    }

    /// Runs the loop on `clock` until `end`: catch-up first, then every slot as it comes due.
    public mutating func run(on clock: any ControllerClock, until end: Date) async throws -> ControllerScheduler.Report {
        var total = await catchUp(at: clock.now())
        while let next = nextWake, next <= end {
            try await clock.sleep(until: next)
            total.add(await fireDue(at: clock.now()))
        }
        try await clock.sleep(until: end)
        return total
    }
}

extension ControllerScheduler.Report {
    mutating func add(_ other: ControllerScheduler.Report) {
        created += other.created
        recovered += other.recovered
        skipped += other.skipped
        deleted += other.deleted
        errors += other.errors
    }
}
