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

    @Test func fireTimesAsJSONMatchTheTable() async throws {
        let result = try await CLIRunner.run(["preview", "every-45-minutes", "--count", "4", "--from", "2026-03-29T00:30:00Z", "--json"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["format_version"] as? String == "1" && report["kind"] as? String == "fires")
        #expect(report["subject"] as? String == "scheduler every-45-minutes" && report["target"] as? String == "local")
        #expect(report["timezone"] as? String == "Europe/London")
        let fires = try #require(report["fires"] as? [[String: String]])
        #expect(
            fires.map { $0["utc"] } == ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z", "2026-03-29T02:00:00Z"])
        #expect(fires[1]["local"] == "2026-03-29 Sun 02:00 +01:00")
    }

    /// The same simulation as the calendar above, snapshot by snapshot: what is kept, and by which rules.
    @Test func retentionSimulationAsJSONNamesTheRulesThatKeepEachSnapshot() async throws {
        let result = try await CLIRunner.run(
            ["preview", "--retention", "sfg", "--simulate", "400d", "--from", "2025-11-25T14:00:00Z", "--json"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["kind"] as? String == "retention_simulation" && report["schedule_source"] as? String == "scheduler sfg")
        #expect(report["taken"] as? Int == 400 && report["kept"] as? Int == 21)
        let snapshots = try #require(report["snapshots"] as? [[String: Any]])
        #expect(snapshots.count == 400)
        #expect(snapshots.filter { $0["keep"] as? Bool == true }.count == 21)
        #expect(snapshots.allSatisfy { ($0["keep"] as? Bool == true) == !(($0["kept_by"] as? [String]) ?? []).isEmpty })
        let reasons = snapshots.flatMap { ($0["kept_by"] as? [String]) ?? [] }
        #expect(["rule 1", "rule 2", "rule 3"].map { rule in reasons.count { $0 == rule } } == [7, 4, 12])
        let rules = try #require(report["rules"] as? [[String: Any]])
        #expect(rules.map { $0["keeps"] as? Int } == [7, 4, 12])
        let october = snapshots.filter { ($0["local"] as? String)?.hasPrefix("2025-10") == true && $0["keep"] as? Bool == true }
        #expect(october.count == 1)
        #expect((october.first?["local"] as? String)?.hasPrefix("2025-10-23") == true)
        #expect(october.first?["kept_by"] as? [String] == ["rule 3"])
        let times = snapshots.compactMap { $0["taken_at"] as? String }
        #expect(times == times.sorted() && times.last == "2025-11-25T13:00:00Z")
    }
}
