import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkSchedule

extension Planner {
    /// Field-level differences between a live scheduler and the desired one, compared in normalized, semantic
    /// form: schedules by what they fire, retention rules as a set, blank and `*` alike; and the ownership marker.
    static func changes(from live: LiveScheduler, to want: DesiredScheduler, marker: OwnershipMarker) -> [FieldChange] {
        var changes: [FieldChange] = []
        func compare(_ field: String, _ before: String?, _ after: String?) {
            if before != after { changes.append(FieldChange(field: field, before: before, after: after)) }
        }
        let desired = want.state
        guard let current = live.state else {
            return [FieldChange(field: "schedule", before: "settings tidemark cannot express", after: desired.schedule.summary)]
                + fields(of: want).filter { $0.field != "schedule" }
        }
        compare("name", quoted(current.displayName), quoted(desired.displayName))
        if want.comparison == .options {
            compare("enabled", String(current.enabled), String(desired.enabled))
            // Only what the API reports back is compared; settings sent on create alone (danube's compression) are not.
            let (before, after) = (current.comparedFields, desired.comparedFields)
            for key in after.keys.sorted() where before[key] != nil {
                compare(key, before[key].map(quoted), after[key].map(quoted))
            }
            compareMarker(live.marker, marker, compare)
            return changes
        }
        compare("type", current.type.rawValue, desired.type.rawValue)
        compare("enabled", String(current.enabled), String(desired.enabled))
        if current.schedule.fingerprint != desired.schedule.fingerprint {
            compare("schedule", current.schedule.summary, desired.schedule.summary)
        }
        if case .calendar(let rule) = desired.schedule.rule, case .at = rule.times {
            compare("window", (current.window ?? .wholeDay).description, (desired.window ?? .wholeDay).description)
        }
        compare("retention.name", quoted(current.retentionName), quoted(desired.retentionName))
        let nativeRules = desired.retention.filter { if case .last = $0 { false } else { true } }.map(\.yearsAsMonths)
        if current.retention.map(\.yearsAsMonths).sorted(by: ruleOrder) != nativeRules.sorted(by: ruleOrder) {
            compare("retention.rules", rulesText(current.retention), rulesText(desired.retention))
        }
        compare("notifications.backup", String(current.notifications.backup), String(desired.notifications.backup))
        compare("notifications.retention", String(current.notifications.retention), String(desired.notifications.retention))
        compare("remoteLocation", quoted(current.remoteLocation), quoted(desired.remoteLocation))
        compareMarker(live.marker, marker, compare)
        return changes
    }

    /// `protect`, and `owner` when the marker is missing or names another instance or Target (a marker from before
    /// Targets were recorded is upgraded).
    private static func compareMarker(
        _ current: OwnershipMarker?, _ desired: OwnershipMarker, _ compare: (String, String?, String?) -> Void
    ) {
        compare("protect", String(current?.protected ?? false), String(desired.protected))
        compare("owner", current?.owner, desired.owner)
    }

    /// Every field of a scheduler being created.
    static func fields(of want: DesiredScheduler) -> [FieldChange] {
        let state = want.state
        if want.comparison == .options {
            var fields = [FieldChange(field: "name", before: nil, after: quoted(state.displayName))]
            if !state.enabled { fields.append(FieldChange(field: "enabled", before: nil, after: "false")) }
            fields += state.comparedFields.sorted { $0.key < $1.key }.map {
                FieldChange(field: $0.key, before: nil, after: quoted($0.value))
            }
            if want.protect { fields.append(FieldChange(field: "protect", before: nil, after: "true")) }
            return fields
        }
        var fields = [
            FieldChange(field: "name", before: nil, after: quoted(state.displayName)),
            FieldChange(field: "type", before: nil, after: state.type.rawValue),
            FieldChange(field: "schedule", before: nil, after: state.schedule.summary),
            FieldChange(field: "retention", before: nil, after: "\(quoted(state.retentionName)) \(rulesText(state.retention))"),
        ]
        if !state.enabled { fields.append(FieldChange(field: "enabled", before: nil, after: "false")) }
        if !state.remoteLocation.isEmpty {
            fields.append(FieldChange(field: "remoteLocation", before: nil, after: quoted(state.remoteLocation)))
        }
        if want.protect { fields.append(FieldChange(field: "protect", before: nil, after: "true")) }
        return fields
    }

    static func rulesText(_ rules: [RetentionRule]) -> String {
        "[" + rules.map(\.description).joined(separator: ", ") + "]"
    }

    static func quoted(_ text: String) -> String { "\"\(text)\"" }
}
