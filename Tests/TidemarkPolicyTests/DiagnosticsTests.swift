import Foundation
import Testing

@testable import TidemarkPolicy

@Suite("Diagnostics: one per error class, with file:line:col")
struct DiagnosticsTests {
    @Test func validDocumentsProduceNoDiagnostics() throws {
        let fixture = try PolicyFixture([
            "a.yaml": [Documents.target, Documents.retention, Documents.scheduler()].joined(separator: "\n---\n")
        ])
        let result = try fixture.load()
        #expect(result.diagnostics.isEmpty)
        #expect(result.policies.schedulers.map(\.name) == ["nightly"])
    }

    @Test func unknownKeySuggestsTheClosestKey() throws {
        let fixture = try PolicyFixture([
            "s.yaml": """
            apiVersion: tidemark.io/v1
            kind: Scheduler
            metadata: {name: nightly}
            spec:
              target: zrh
              schedual: {timezone: UTC, at: ["03:00"]}
            """
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(
            diagnostics.contains(
                "dir/s.yaml:6:3: error: unknown key 'schedual' in Scheduler spec (did you mean 'schedule'? "
                    + "allowed keys: target, type, displayName, enabled, schedule, retention, notifications, "
                    + "remoteLocation, options, adopt, protect, missed, startingDeadline)"
            ))
    }

    @Test func missingRequiredKeyPointsAtTheMapping() throws {
        let fixture = try PolicyFixture([
            "t.yaml": """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: zrh}
            spec:
              endpoint: https://zrh.example.net/api/2.0/
            """
        ])
        #expect(try fixture.diagnostics() == ["dir/t.yaml:5:3: error: missing required key 'provider' in Target spec (add provider: …)"])
    }

    @Test func wrongTypesAreNamed() throws {
        let fixture = try PolicyFixture([
            "s.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n" + """
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: nightly}
                spec:
                  target: {name: zrh}
                  enabled: yes
                  schedule: {timezone: UTC, at: ["03:00"]}
                """
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(
            diagnostics == [
                "dir/s.yaml:20:11: error: 'target' in Scheduler spec must be a string, found a mapping",
                "dir/s.yaml:21:12: error: 'enabled' in Scheduler spec must be true or false, found 'yes'",
            ])
    }

    @Test func duplicateNamesWithinAKind() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention,
            "b.yaml": Documents.retention,
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/b.yaml:3:18: error: duplicate RetentionPolicy name 'week' "
                    + "(first defined at dir/a.yaml:11:18; names are unique within a kind)"
            ])
    }

    @Test func sameNameInDifferentKindsIsFine() throws {
        let fixture = try PolicyFixture([
            "a.yaml": [Documents.target, Documents.retention, Documents.scheduler(name: "week")].joined(separator: "\n---\n")
        ])
        #expect(try fixture.diagnostics().isEmpty)
    }

    @Test func danglingReferences() throws {
        let binding = """
            apiVersion: tidemark.io/v1
            kind: DriveBinding
            metadata: {name: dbs}
            spec:
              target: zrj
              scheduler: nightli
              drives: {names: ["db-*"]}
            """
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.scheduler(target: "geneva", retention: "weekly"),
            "b.yaml": binding,
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:13:11: error: scheduler 'nightly' references unknown Target 'geneva' "
                    + "(define a Target with that name or fix the reference)",
                "dir/a.yaml:17:14: error: scheduler 'nightly' references unknown RetentionPolicy 'weekly' "
                    + "(define a RetentionPolicy with that name or fix the reference)",
                "dir/b.yaml:5:11: error: drive binding 'dbs' references unknown Target 'zrj' "
                    + "(did you mean 'zrh'? define a Target with that name or fix the reference)",
                "dir/b.yaml:6:14: error: drive binding 'dbs' references unknown Scheduler 'nightli' "
                    + "(did you mean 'nightly'? define a Scheduler with that name or fix the reference)",
            ])
    }

    @Test func invalidTimezone() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Europe/Zurch\n    at: [\"03:00\"]")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:22:15: error: invalid timezone 'Europe/Zurch' "
                    + "(did you mean 'Europe/Zurich'? use an IANA name such as Europe/Zurich or Etc/UTC)"
            ])
    }

    @Test func offsetSpellingsAreNotIANANames() {
        #expect(!Timezones.isIANA("GMT+5"))
        #expect(!Timezones.isIANA("europe/zurich"))
        #expect(Timezones.isIANA("Etc/GMT+12"))
        #expect(Timezones.isIANA("UTC"))
        #expect(Timezones.isIANA("Australia/Lord_Howe"))
    }

    @Test func cloudsigmaTargetsAcceptOnlyTheirTimezoneList() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Asia/Kathmandu\n    at: [\"03:00\"]")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:22:15: error: timezone 'Asia/Kathmandu' is not accepted by cloudsigma target 'zrh' "
                    + "(did you mean 'Asia/Katmandu'? "
                    + "use a name from the cloudsigma list of allowed timezones, e.g. Europe/Zurich or Etc/UTC)"
            ])
        #expect(CloudSigmaTimezones.allowed.count == 430)
        #expect(CloudSigmaTimezones.allowed.contains("Etc/UTC"))
    }

    @Test func invalidTimes() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    at: [\"03:00\", \"25:00\"]")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:23:19: error: invalid time '25:00' in 'at' (use HH:MM from 00:00 to 23:59, quoted: \"03:00\")"
            ])
    }

    @Test func invalidIntervalsAndWindows() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    every: 45s"),
            "b.yaml": Documents.scheduler(name: "b", schedule: "    timezone: Etc/UTC\n    every: 30h"),
            "c.yaml": Documents.scheduler(name: "c", schedule: "    timezone: Etc/UTC\n    every: 1h\n    window: \"7:00 to 19:00\""),
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:23:12: error: invalid interval '45s' (use a number followed by m or h, e.g. 45m or 12h)",
                "dir/b.yaml:8:12: error: interval '30h' must be between 1m and 24h "
                    + "(for less often than daily, use 'at' with days, daysOfMonth or months)",
                "dir/c.yaml:9:13: error: invalid window '7:00 to 19:00' "
                    + "(use HH:MM-HH:MM, e.g. \"07:00-19:00\"; an end before the start wraps past midnight)",
            ])
    }

    @Test func invalidDayNames() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    at: [\"03:00\"]\n    days: [mon, tuesday]")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:24:17: error: invalid day name 'tuesday' (use mon, tue, wed, thu, fri, sat, sun, weekdays or weekends)"
            ])
    }

    @Test func windowWithoutEvery() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    at: [\"03:00\"]\n    window: \"01:00-05:00\"")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:24:13: error: 'window' applies only to a schedule with 'every' "
                    + "(remove 'window', or use 'every' to repeat within it)"
            ])
    }

    @Test func literalSecretsAreRefusedWherever() throws {
        let fixture = try PolicyFixture([
            "t.yaml": """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: zrh}
            spec:
              provider: cloudsigma
              endpoint: https://zrh.example.net/api/2.0/
              credentials:
                usernameEnv: CS_USER
                password: hunter2
              apiToken: "abc"
            """
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/t.yaml:9:5: error: literal secret in 'password' "
                    + "(secrets never belong in policy files; name an environment variable with passwordEnv or a file with passwordFile)",
                "dir/t.yaml:10:3: error: literal secret in 'apiToken' "
                    + "(secrets never belong in policy files; name an environment variable with apiTokenEnv or a file with apiTokenFile)",
            ])
        #expect(try !fixture.diagnostics().joined().contains("hunter2"))
    }

    @Test func yamlSyntaxErrors() throws {
        let fixture = try PolicyFixture(["a.yaml": "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: zrh\n"])
        let diagnostic = try #require(try fixture.diagnostics().first)
        #expect(diagnostic.hasPrefix("dir/a.yaml:4:1: error: invalid YAML: "))
        #expect(diagnostic.hasSuffix("(fix the YAML syntax)"))
    }

    @Test func duplicateYAMLKeys() throws {
        let fixture = try PolicyFixture(["a.yaml": "apiVersion: tidemark.io/v1\nkind: Target\nkind: Scheduler\n"])
        #expect(try fixture.diagnostics() == ["dir/a.yaml:2:1: error: duplicate key 'kind' in a mapping (each key may appear once)"])
    }

    @Test func cronErrorsPointAtTheField() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    cron: \"0 4 * * mun\"")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:23:20: error: 'mun' is not a valid value in the day-of-week field "
                    + "(use *, 0–7 or names sun–sat, ranges a-b, lists a,b and steps */n)"
            ])
    }

    @Test func cronCannotBeCombinedWithCalendarFields() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    cron: \"0 4 * * *\"\n    days: [mon]")
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:24:5: error: 'days' cannot be combined with 'cron' "
                    + "(express the whole schedule in the cron expression, or drop 'cron')"
            ])
    }

    @Test func schedulesThatNeverFire() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(schedule: "    timezone: Etc/UTC\n    at: [\"03:00\"]\n    daysOfMonth: [30, 31]\n    months: [2]"),
            "b.yaml": Documents.scheduler(name: "b", schedule: "    timezone: Etc/UTC\n    cron: \"0 0 30 2 *\""),
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:24:5: error: schedule never fires: none of its months has those days of the month "
                    + "(check daysOfMonth and months)",
                "dir/b.yaml:8:16: error: cron expression '0 0 30 2 *' never fires: no month it allows has those days "
                    + "(check the day-of-month and month fields)",
            ])
    }

    @Test func retentionRuleErrors() throws {
        let fixture = try PolicyFixture([
            "r.yaml": """
            apiVersion: tidemark.io/v1
            kind: RetentionPolicy
            metadata: {name: bad}
            spec:
              rules:
                - {period: days, quantity: 7, timeOption: 1}
                - {period: fortnights, quantity: 2}
                - {last: 5, period: days}
                - {period: weeks, quantity: 4, timeOption: 9}
            """
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/r.yaml:6:35: error: timeOption applies to weeks and months, not days "
                    + "(remove timeOption, or use period weeks (0 = Sunday … 6 = Saturday) or months (1–31))",
                "dir/r.yaml:7:16: error: invalid period 'fortnights' in retention rule (use one of days, weeks, months, years)",
                "dir/r.yaml:8:7: error: a retention rule has either 'last' or 'period' and 'quantity', not both (split it into two rules)",
                "dir/r.yaml:9:48: error: timeOption (day of week, 0 = Sunday) is 9, outside 0…6",
            ])
    }

    @Test func invalidNamesAndApiVersions() throws {
        let fixture = try PolicyFixture([
            "a.yaml": """
            apiVersion: tidemark.io/v2
            kind: Target
            metadata: {name: zrh}
            spec: {}
            ---
            apiVersion: tidemark.io/v1
            kind: Targett
            metadata: {name: zrh}
            spec: {}
            ---
            apiVersion: tidemark.io/v1
            kind: RetentionPolicy
            metadata: {name: Keep_Week}
            spec: {rules: [{last: 3}]}
            """
        ])
        #expect(
            try fixture.diagnostics() == [
                "dir/a.yaml:1:13: error: unsupported apiVersion 'tidemark.io/v2' (use apiVersion: tidemark.io/v1)",
                "dir/a.yaml:7:7: error: invalid kind 'Targett' in document "
                    + "(did you mean 'Target'? use one of Target, RetentionPolicy, Scheduler, DriveBinding, BackupPlan, Requirement)",
                "dir/a.yaml:13:18: error: invalid name 'Keep_Week' "
                    + "(use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
            ])
    }

    @Test func documentsOfOtherAPIsAreIgnored() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n",
            "workflow.yml": "on: push\njobs: {}\n",
        ])
        let result = try fixture.load()
        #expect(result.diagnostics.isEmpty)
        #expect(result.policies.targets.count == 1)
        #expect(result.policies.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.yaml"])
        #expect(result.policies.ignoredFiles.map { URL(fileURLWithPath: $0).lastPathComponent } == ["workflow.yml"])
    }

    @Test func everyProblemOfEveryFileIsReportedSorted() throws {
        let fixture = try PolicyFixture([
            "z/last.yaml": Documents.scheduler(name: "z", schedule: "    timezone: Mars/Olympus\n    at: [\"03:00\"]"),
            "a.yaml": Documents.target + "\n---\n" + Documents.retention,
            "m.yml":
                "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: m}\n"
                + "spec: {provider: aws, endpoint: https://x/, colour: blue}\n",
            "broken.yaml": "a: [\n",
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(diagnostics.count == 4)
        #expect(
            diagnostics.map { String($0.prefix(while: { $0 != " " })) } == [
                "dir/broken.yaml:2:1:", "dir/m.yml:4:18:", "dir/m.yml:4:45:", "dir/z/last.yaml:7:15:",
            ])
    }

    @Test func filesLoadInPathOrderAndHiddenDirectoriesAreSkipped() throws {
        let fixture = try PolicyFixture([
            "b/2.yaml": Documents.retention.replacingOccurrences(of: "week", with: "b2"),
            "a.yml": Documents.retention.replacingOccurrences(of: "week", with: "a"),
            "b/1.yaml": Documents.retention.replacingOccurrences(of: "week", with: "b1"),
            ".git/config.yaml": "broken: [",
            "notes.txt": "not yaml: [",
        ])
        let result = try fixture.load()
        #expect(result.diagnostics.isEmpty)
        #expect(result.policies.retentionPolicies.map(\.name) == ["a", "b1", "b2"])
    }
}

@Suite("Diagnostics of the controller's fields")
struct ControllerFieldDiagnosticsTests {
    @Test func startingDeadlineAndMissedAndDriftPolicyAreChecked() throws {
        let fixture = try PolicyFixture([
            "a.yaml": Documents.target.replacingOccurrences(of: "provider: cloudsigma", with: "provider: cloudsigma\n  driftPolicy: ignore")
                + "\n---\n" + Documents.retention + "\n---\n"
                + Documents.scheduler(name: "s", schedule: "    timezone: Europe/Zurich\n    at: [\"03:00\"]")
                .replacingOccurrences(of: "  target: zrh", with: "  target: zrh\n  missed: twice\n  startingDeadline: 2w")
        ])
        let diagnostics = try fixture.diagnostics()
        #expect(diagnostics.contains { $0.contains("error: invalid driftPolicy 'ignore'") })
        #expect(diagnostics.contains { $0.contains("error: invalid missed 'twice'") })
        #expect(
            diagnostics.contains { $0.contains("error: invalid startingDeadline '2w' (use a duration from 1m to 7d, e.g. 30m, 2h or 1d)") })
    }
}
