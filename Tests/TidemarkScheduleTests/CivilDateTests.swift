import Foundation
import Testing

@testable import TidemarkSchedule

@Suite("Civil date arithmetic")
struct CivilDateTests {
    @Test func dayNumbersRoundTripAndAgreeWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for day in stride(from: -98_000, through: 376_000, by: 97) {  // 1701 … 3000; Foundation is Julian before 1582
            let date = CivilDate(dayNumber: day)
            #expect(date.dayNumber == day)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: TimeInterval(day) * 86_400))
            #expect((date.year, date.month, date.day) == (parts.year!, parts.month!, parts.day!))
            #expect(date.weekday == parts.weekday! - 1)
        }
    }

    @Test func addingMonthsClampsToTheMonthsLength() {
        #expect(CivilDate(year: 2025, month: 3, day: 31).addingMonths(-1) == CivilDate(year: 2025, month: 2, day: 28))
        #expect(CivilDate(year: 2024, month: 3, day: 31).addingMonths(-1) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(year: 2025, month: 1, day: 15).addingMonths(-13) == CivilDate(year: 2023, month: 12, day: 15))
        #expect(CivilDate(year: 2024, month: 2, day: 29).addingMonths(12) == CivilDate(year: 2025, month: 2, day: 28))
    }
}
