import Foundation
import Testing
import TidemarkPolicy

@testable import TidemarkSchedule

/// The raw-cron engine against Python's croniter 7.0.0, an independent implementation: 20,000 random
/// (expression, start instant, timezone) cases, comparing the next 5 fire instants.
///
/// Where croniter disagrees, the case must fall in a documented class of croniter deviations
/// (docs/testing.md, "Differential testing against croniter") and the engine must agree with `MinuteScanOracle`, the naive
/// model of the spec; any other disagreement fails.
@Suite("Differential: cron engine against croniter")
struct CroniterDifferentialTests {
    static let caseCount = 20_000

    struct Case: Decodable {
        let expr: String
        let tz: String
        let start: String
        let next: [String]
        /// The expression with croniter's equal-bounds and `7/n` readings rewritten, and croniter's answer for it.
        let vixie: String?
        let vixieNext: [String]?

        enum CodingKeys: String, CodingKey {
            case expr, tz, start, next, vixie
            case vixieNext = "vixie_next"
        }
    }

    /// Why croniter's answer may differ from the spec's. Each class is verified: by croniter's own answer for the
    /// Vixie spelling, or by `MinuteScanOracle`.
    enum Deviation: String, CaseIterable {
        /// A daylight-saving transition lies between the start and the last fire compared.
        case daylightSaving = "daylight saving transition"
        /// A day field spelled as its full range (`1-31`, `0-6`, `*/1`) is restricted by the spec but not by croniter.
        case fullRangeDayField = "full-range day field"
        /// croniter 7 reads a range written with equal bounds (`10-10`, `Sun-Sun`) as the whole field, and `7/n` in
        /// the day-of-week field as every day; the engine must then agree with croniter's answer for the Vixie spelling.
        case vixieReading = "equal-bounds range or 7/n"
    }

    static func runOracle(count: Int, seed: Int) throws -> [Case] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Fixtures.repositoryRoot.appendingPathComponent("Tests/Oracles/croniter_oracle.py").path,
            "--count", String(count), "--seed", String(seed),
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OracleFailure(
                message: "croniter_oracle.py failed (\(process.terminationStatus)): \(message) — run `make test`, which installs croniter")
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Case.self, from: Data($0)) }
    }

    struct OracleFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    static func deviation(_ testCase: Case, cron: CronExpression, ours: [Int64], theirs: [Int64]) -> Deviation? {
        let fields = testCase.expr.split(separator: " ")
        let allDays: UInt32 = 0xFFFF_FFFE
        let allWeekdays: UInt8 = 0x7F
        if cron.daysMatchEither, cron.daysOfMonth == allDays || cron.daysOfWeek == allWeekdays, fields.count == 5 {
            return .fullRangeDayField
        }
        let zone = ZoneRules(identifier: testCase.tz)!
        let start = Fixtures.seconds(testCase.start)
        let end = max(ours.last ?? start, theirs.last ?? start) + 86_400
        var instant = start - 86_400
        let first = zone.offset(at: instant)
        while instant <= end {
            if zone.offset(at: instant) != first { return .daylightSaving }
            instant += 900
        }
        return nil
    }

    @Test func twentyThousandRandomCases() throws {
        let cases = try Self.runOracle(count: Self.caseCount, seed: 20_251_125)
        #expect(cases.count == Self.caseCount)
        var agreements = 0
        var deviations: [Deviation: Int] = [:]
        for testCase in cases {
            let cron = try CronExpression(parsing: testCase.expr)
            let schedule = try Schedule(ScheduleSpec(timezone: testCase.tz, rule: .cron(cron)))
            let start = Fixtures.seconds(testCase.start)
            var ours: [Int64] = []
            schedule.forEachFire(after: start) {
                ours.append($0)
                return ours.count < 5
            }
            let theirs = testCase.next.map(Fixtures.seconds)
            if ours == theirs {
                agreements += 1
                continue
            }
            if let vixie = testCase.vixieNext?.map(Fixtures.seconds), ours == vixie {
                deviations[.vixieReading, default: 0] += 1
                continue
            }
            let why = Self.deviation(testCase, cron: cron, ours: ours, theirs: theirs)
            #expect(
                why != nil,
                """
                croniter disagrees without a known reason: \(testCase.expr) in \(testCase.tz) after \(testCase.start): \
                ours \(ours.map(Fixtures.iso)), croniter \(testCase.next)
                """
            )
            guard let why else { continue }
            deviations[why, default: 0] += 1
            let oracle = MinuteScanOracle(ScheduleSpec(timezone: testCase.tz, rule: .cron(cron)))
                .fires(after: start, through: ours.last!).prefix(5)
            #expect(
                Array(oracle) == ours,
                """
                the engine must follow the spec where croniter deviates (\(why.rawValue)): \
                \(testCase.expr) in \(testCase.tz) after \(testCase.start)
                """
            )
        }
        print(
            "croniter differential: \(cases.count) cases, \(agreements) identical, deviations: "
                + Deviation.allCases.map { "\($0.rawValue) \(deviations[$0, default: 0])" }.joined(separator: ", "))
        #expect(agreements > cases.count * 8 / 10, "most cases must agree outright")
    }
}
