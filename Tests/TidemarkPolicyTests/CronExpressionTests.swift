import Testing

@testable import TidemarkPolicy

@Suite("Cron expressions")
struct CronExpressionTests {
    func bits(_ values: [Int]) -> UInt64 { values.reduce(0) { $0 | 1 << $1 } }

    @Test func fieldsListsRangesAndSteps() throws {
        let cron = try CronExpression(parsing: "0,30 9-17/2 1,15 */3 mon-fri")
        #expect(cron.minutes == bits([0, 30]))
        #expect(UInt64(cron.hours) == bits([9, 11, 13, 15, 17]))
        #expect(UInt64(cron.daysOfMonth) == bits([1, 15]))
        #expect(UInt64(cron.months) == bits([1, 4, 7, 10]))
        #expect(UInt64(cron.daysOfWeek) == bits([1, 2, 3, 4, 5]))
        #expect(cron.daysMatchEither)
    }

    @Test func namesAreCaseInsensitiveAndSevenIsSunday() throws {
        let cron = try CronExpression(parsing: "0 0 * JAN,Dec Sun,7,SAT")
        #expect(UInt64(cron.months) == bits([1, 12]))
        #expect(UInt64(cron.daysOfWeek) == bits([0, 6]))
        #expect(UInt64(try CronExpression(parsing: "0 0 * * 5-7").daysOfWeek) == bits([0, 5, 6]))
    }

    @Test func startWithStepRunsToTheFieldsEnd() throws {
        #expect(try CronExpression(parsing: "5/20 * * * *").minutes == bits([5, 25, 45]))
        #expect(UInt64(try CronExpression(parsing: "0 0 * * 1/2").daysOfWeek) == bits([1, 3, 5]))
    }

    @Test func restrictedMeansAnythingButExactlyStar() throws {
        #expect(try CronExpression(parsing: "0 0 */2 * mon").daysMatchEither)
        #expect(try CronExpression(parsing: "0 0 1-31 * mon").daysMatchEither)
        #expect(try !CronExpression(parsing: "0 0 * * mon").daysMatchEither)
        #expect(try !CronExpression(parsing: "0 0 1 * *").daysMatchEither)
    }

    @Test func macros() throws {
        #expect(try CronExpression(parsing: "@daily").minutes == 1)
        #expect(UInt64(try CronExpression(parsing: "@weekly").daysOfWeek) == bits([0]))
        #expect(UInt64(try CronExpression(parsing: "@hourly").hours) == (1 << 24) - 1)
        #expect(throws: CronParseError.self) { try CronExpression(parsing: "@reboot") }
    }

    @Test(arguments: [
        ("0 4 * *", "cron expression '0 4 * *' has 4 fields, expected 5", 0),
        ("61 * * * *", "'61' is not a valid value in the minute field", 0),
        ("0 5-2 * * *", "range '5-2' goes backwards in the hour field", 2),
        ("0 0 1 * */0", "step '0' is not a number from 1 to 8 in the day-of-week field", 8),
        ("0 0 1,,2 * *", "empty list item in the day-of-month field", 6),
        ("0 0 * foo *", "'foo' is not a valid value in the month field", 6),
    ])
    func errorsNameTheFieldAndItsOffset(_ input: (String, String, Int)) {
        let (expression, message, offset) = input
        #expect {
            try CronExpression(parsing: expression)
        } throws: { error in
            guard let error = error as? CronParseError else { return false }
            return error.message == message && error.offset == offset
        }
    }
}
