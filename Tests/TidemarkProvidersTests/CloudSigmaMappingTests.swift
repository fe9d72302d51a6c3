import Foundation
import Testing
import TidemarkJSON
import TidemarkPolicy
import TidemarkSchedule

@testable import TidemarkProviderModel
@testable import TidemarkProviders

@Suite("cloudsigma mapping")
struct CloudSigmaMappingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let policies = try! PolicyLoader(providers: ProviderRegistry.documentRules).load(
        path: root.appendingPathComponent("policies").path
    ).policies

    static func state(_ name: String) -> SchedulerState {
        let document = policies.scheduler(named: name)!
        let spec = document.spec
        return SchedulerState(
            displayName: spec.displayName ?? name, type: spec.type, enabled: spec.enabled, schedule: spec.schedule,
            retentionName: "r", retention: policies.resolve(spec.retention)?.rules ?? [], notifications: spec.notifications,
            remoteLocation: spec.remoteLocation, window: spec.options["window"].flatMap(TimeWindow.init(parsing:)))
    }

    @Test(arguments: policies.schedulers.map(\.name))
    func everySeedExampleRoundTripsThroughTheWireFormat(_ name: String) {
        let state = Self.state(name)
        let wire = CloudSigmaSchedulerMapping.wire(
            state, marker: OwnershipMarker(instance: "i", target: "t", name: name, protected: false), base: nil)
        let back = CloudSigmaSchedulerMapping.state(wire.merging(["user_timezone": .string(state.schedule.timezone)]))
        #expect(back?.schedule.fingerprint == state.schedule.fingerprint)
        #expect(back?.retention == state.retention)
        #expect(back?.window == state.window)
        #expect(CloudSigmaSchedulerMapping.marker(wire) == OwnershipMarker(instance: "i", target: "t", name: name, protected: false))
    }

    @Test func seedFieldsAreWrittenAsTheSeedObjectsShowThem() {
        let sfg = CloudSigmaSchedulerMapping.wire(
            Self.state("sfg"), marker: OwnershipMarker(instance: "i", target: "t", name: "sfg", protected: true), base: nil)
        #expect(sfg["incremental_backup"]?["hour"] == "1")
        #expect(sfg["incremental_backup"]?["minute"] == "0")
        #expect(sfg["incremental_backup"]?["start_time"] == ["hour": 12, "minute": 0])
        #expect(sfg["incremental_backup"]?["end_time"] == ["hour": 11, "minute": 45])
        #expect(
            sfg["retention_policy"]?["rules"] == [
                ["period": "days", "quantity": 7], ["period": "weeks", "quantity": 4, "time_option": 1],
                ["period": "months", "quantity": 12, "time_option": 23],
            ])
        #expect(sfg["meta"]?["tidemark.io/protect"] == "true")
        let defined = CloudSigmaSchedulerMapping.wire(
            Self.state("defined-hours"), marker: OwnershipMarker(instance: "i", target: "t", name: "d", protected: false), base: nil)
        #expect(defined["manual_incremental_backup"] == "02:00,06:00,20:00,22:15")
        #expect(defined["incremental_backup"]?["day_of_week"] == ["sat", "sun"])
        let twelve = CloudSigmaSchedulerMapping.wire(
            Self.state("every-12-hours"), marker: OwnershipMarker(instance: "i", target: "t", name: "t", protected: false), base: nil)
        #expect(twelve["incremental_backup"]?["repeat"] == ["hour": "*/12", "minute": ""])
        let fortyFive = CloudSigmaSchedulerMapping.wire(
            Self.state("every-45-minutes"), marker: OwnershipMarker(instance: "i", target: "t", name: "f", protected: false), base: nil)
        #expect(fortyFive["incremental_backup"]?["repeat"] == ["hour": "", "minute": "*/45"])
    }

    @Test func unknownLiveFieldsSurviveAnUpdate() {
        let base: JSON = [
            "name": "old", "grantees": ["someone"], "meta": ["team": "db"], "incremental_backup": ["future_field": "kept"], "uuid": "u",
        ]
        let wire = CloudSigmaSchedulerMapping.wire(
            Self.state("weekday-3am"), marker: OwnershipMarker(instance: "i", target: "t", name: "w", protected: false), base: base)
        #expect(wire["grantees"] == ["someone"])
        #expect(wire["meta"]?["team"] == "db")
        #expect(wire["incremental_backup"]?["future_field"] == "kept")
        #expect(wire["uuid"] == "u", "read-only fields go back as the API returned them")
    }

    @Test func splitTimeOptionsAndBlankFieldsReadAsTheSamePolicy() {
        let live: JSON = [
            "type": "snapshot", "name": "x", "user_timezone": "Etc/UTC", "manual_incremental_backup": "",
            "incremental_backup": [
                "hour": "1", "minute": "0", "day_of_week": [""], "day_of_month": "", "month": ["2", "4"],
                "repeat": ["hour": "", "minute": ""],
            ],
            "retention_policy": ["name": "r", "rules": [["period": "weeks", "quantity": 4], ["time_option": 1]]],
        ]
        let state = CloudSigmaSchedulerMapping.state(live)
        #expect(state?.retention == [.anchored(period: .weeks, quantity: 4, timeOption: 1)])
        #expect(state?.schedule.rule == .calendar(CalendarRule(times: .at([TimeOfDay(hour: 1, minute: 0)!]), months: [2, 4])))
    }

    @Test func nativeLimitations() {
        var state = Self.state("sfg")
        #expect(CloudSigmaSchedulerMapping.nativeLimitation(state) == nil)
        state.retention = [.last(5)]
        #expect(CloudSigmaSchedulerMapping.nativeLimitation(state) == "{last: N} retention is not a cloudsigma rule")
        state = Self.state("sfg")
        state.schedule = ScheduleSpec(timezone: "Etc/UTC", rule: .calendar(CalendarRule(times: .every(minutes: 90, window: .wholeDay))))
        #expect(
            CloudSigmaSchedulerMapping.nativeLimitation(state)
                == "every 90m is not a cloudsigma repeat (*/1–*/59 minutes or */1–*/23 hours)")
        state.schedule = ScheduleSpec(timezone: "Etc/UTC", rule: .cron(try! CronExpression(parsing: "0 4 1 * mon")))
        #expect(
            CloudSigmaSchedulerMapping.nativeLimitation(state)
                == "cron with both day fields restricted (either matches) has no cloudsigma equivalent")
    }
}

extension JSON {
    func merging(_ other: [String: JSON]) -> JSON {
        .object((objectValue ?? [:]).merging(other) { $1 })
    }
}
