import Foundation
import Testing

@Suite("tidemark preview")
struct PreviewCommandTests {
    @Test func nextFireTimesInLocalTimeAndUTC() async throws {
        let result = try await CLIRunner.run(["preview", "every-45-minutes", "--count", "4", "--from", "2026-03-29T00:30:00Z"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                scheduler every-45-minutes on target local
                schedule: every 45m from 00:00 to 23:59 every day (Europe/London)
                next 4 fire times after 2026-03-29T00:30:00Z:
                  #    Europe/London                UTC
                  1    2026-03-29 Sun 00:45 +00:00  2026-03-29T00:45:00Z
                  2    2026-03-29 Sun 02:00 +01:00  2026-03-29T01:00:00Z
                  3    2026-03-29 Sun 02:15 +01:00  2026-03-29T01:15:00Z
                  4    2026-03-29 Sun 03:00 +01:00  2026-03-29T02:00:00Z

                """)
    }

    @Test func retentionSimulationShowsTheSonFatherGrandfatherPattern() async throws {
        let result = try await CLIRunner.run(["preview", "--retention", "sfg", "--simulate", "400d", "--from", "2025-11-25T14:00:00Z"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "retention policy sfg \"Son, Father, GrandFather Policy\"")
        #expect(
            lines.contains(
                "simulated 400d to 2025-11-25T14:00:00Z: 400 snapshots taken by the schedule of scheduler sfg "
                    + "(at 01:00 every day (Etc/GMT+12)), 21 kept"
            ))
        #expect(lines.contains("2025-10   ······················3········    1/31"))
        #expect(lines.contains("2025-11   ··2······2······2·1111111          10/25"))
        #expect(lines.contains("rule 1 keeps 7, rule 2 keeps 4, rule 3 keeps 12; 21 of 400 kept in all"))
    }

    @Test func unknownNamesAreClearErrors() async throws {
        let result = try await CLIRunner.run(["preview", "nightly"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: no Scheduler or BackupPlan named 'nightly' in the policies (known: "))
        let retention = try await CLIRunner.run(["preview", "--retention", "weekly"])
        #expect(retention.status == 1)
        #expect(retention.stderr.hasPrefix("error: no RetentionPolicy named 'weekly' in the policies (known: "))
    }

    @Test func badArgumentsAreUsageErrors() async throws {
        let result = try await CLIRunner.run(["preview", "sfg", "--from", "yesterday"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--from 'yesterday' is not an ISO 8601 instant such as 2026-11-25T04:00:00Z."))
        #expect(try await CLIRunner.run(["preview"]).status == 64)
    }
}
