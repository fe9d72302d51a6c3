import Foundation
import HeapModule
import TidemarkSchedule

/// The next fire instant of every job, smallest first: the controller sleeps until the head, never polls.
struct ScheduleQueue {
    struct Entry: Comparable {
        var instant: Date
        var job: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.instant, lhs.job) < (rhs.instant, rhs.job) }
    }

    private var heap = Heap<Entry>()

    mutating func enqueue(_ job: Int, _ schedule: Schedule, after instant: Date) {
        if let next = schedule.nextFires(after: instant, count: 1).first { heap.insert(Entry(instant: next, job: job)) }
    }

    var next: Date? { heap.min?.instant }

    /// Removes and returns the jobs due at `now`.
    mutating func popDue(at now: Date) -> Set<Int> {
        var due: Set<Int> = []
        while let head = heap.min, head.instant <= now {
            due.insert(heap.removeMin().job)
        }
        return due
    }
}
