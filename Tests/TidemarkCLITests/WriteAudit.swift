import Foundation
import Testing
import TidemarkJSON

/// Checks that `tidemark apply` sent exactly what its plan showed (docs/plan.md): every mutating request of the
/// apply's HTTP log (`TIDEMARK_HTTP_LOG`) is compared with the live object the same run listed and with the plan
/// made just before it, and any field it changes that the plan did not list fails the test.
struct WriteAudit {
    /// Wire changes of the plan by object id (updates, adopts, binds), and the create and delete actions.
    let updates: [String: [JSON]]
    let creates: [JSON]
    let deletes: Set<String>

    init(plan: JSON) {
        let actions = (plan["targets"]?.arrayValue ?? []).flatMap { $0["actions"]?.arrayValue ?? [] }
        var updates: [String: [JSON]] = [:]
        for action in actions where ["update", "adopt", "bind", "unbind"].contains(action["kind"]?.stringValue ?? "") {
            if let id = action["id"]?.stringValue { updates[id] = action["wire"]?.arrayValue ?? [] }
        }
        self.updates = updates
        creates = actions.filter { $0["kind"] == "create" }
        deletes = Set(actions.filter { $0["kind"] == "delete" }.compactMap { $0["id"]?.stringValue })
    }

    /// One attempt of the HTTP log.
    struct Entry {
        var method: String
        var path: String
        var query: [String: String]
        var status: Int?
        var request: JSON?
        var response: JSON?

        init?(_ line: JSON) {
            guard let method = line["method"]?.stringValue, let url = line["url"]?.stringValue.flatMap(URLComponents.init(string:)) else {
                return nil
            }
            self.method = method
            path = url.path
            query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            status = line["status"]?.intValue
            request = line["request"]
            response = line["response"]
        }
    }

    /// Problems found in an apply's log, each naming the request and the field.
    func problems(in log: [JSON]) -> [String] {
        var live: [String: JSON] = [:]
        var createdIDs: Set<String> = []
        var problems: [String] = []
        for entry in log.compactMap(Entry.init) {
            if entry.method == "GET" {
                for (id, object) in Self.listed(entry) { live[id] = object }
                continue
            }
            let request = "\(entry.method) \(entry.path)"
            if let created = Self.createdID(entry) { createdIDs.insert(created) }
            switch Self.classify(entry) {
            case .update(let id, let body):
                if createdIDs.contains(id) {
                    problems += checkCreated(body, request: request)
                } else if let before = live[id] {
                    problems += check(id: id, before: before, body: body, request: request)
                } else {
                    problems.append("\(request): the apply changed \(id), which it never listed")
                }
            case .bind(let drive, let scheduler):
                problems += checkBinding(drive: drive, scheduler: scheduler, created: createdIDs, request: request)
            case .create(let object):
                problems += checkCreated(object, request: request)
            case .delete(let id):
                if !deletes.contains(id) { problems.append("\(request): deletes \(id), which the plan does not delete") }
            case nil:
                problems.append("\(request): a request the plan does not account for")
            }
        }
        return problems
    }

    private func check(id: String, before: JSON, body: JSON, request: String) -> [String] {
        guard let planned = updates[id] else { return ["\(request): changes \(id), for which the plan has no update"] }
        var after = before
        for (key, value) in body.objectValue ?? [:] { after[key] = value }
        let sent = Set(JSONDifference.between(before, after).map { WireKey(path: $0.pointer.description, after: $0.after) })
        let shown = Set(planned.compactMap { change in change["path"]?.stringValue.map { WireKey(path: $0, after: change["after"]) } })
        var problems = sent.subtracting(shown).sorted().map {
            "\(request): changes \($0.path) to \($0.after?.description ?? "(absent)"), which the plan does not show"
        }
        problems += shown.subtracting(sent).sorted().map {
            "\(request): the plan shows \($0.path) → \($0.after?.description ?? "(absent)"), which the request does not change"
        }
        return problems
    }

    private func checkCreated(_ object: JSON, request: String) -> [String] {
        let sent = Set(
            JSONDifference.between(nil, object).compactMap { difference in
                difference.after.map { WireKey(path: difference.pointer.description, after: $0) }
            })
        let matches = creates.contains { action in
            let shown = Set(
                (action["wire"]?.arrayValue ?? []).compactMap { change in
                    change["path"]?.stringValue.map { WireKey(path: $0, after: change["after"]) }
                })
            return sent.isSubset(of: shown)
        }
        return matches ? [] : ["\(request): creates an object no create action of the plan shows: \(object)"]
    }

    private func checkBinding(drive: String, scheduler: JSON, created: Set<String>, request: String) -> [String] {
        guard let planned = updates[drive]?.first else { return ["\(request): binds drive \(drive), which the plan does not bind"] }
        let shown = planned["after"] ?? .null
        if shown == scheduler { return [] }
        if case .string(let text) = shown, text.hasSuffix("known after apply)"), let id = scheduler.stringValue, created.contains(id) {
            return []
        }
        return ["\(request): binds drive \(drive) to \(scheduler), the plan shows \(shown)"]
    }

    struct WireKey: Hashable, Comparable {
        var path: String
        var after: JSON?

        static func < (lhs: WireKey, rhs: WireKey) -> Bool { lhs.path < rhs.path }
    }

    enum Write {
        case update(id: String, body: JSON)
        case bind(drive: String, scheduler: JSON)
        case create(JSON)
        case delete(id: String)
    }

    /// What a mutating request of one of the four APIs does, and to which object (ids as the plan writes them).
    static func classify(_ entry: Entry) -> Write? {
        let parts = entry.path.split(separator: "/").map(String.init)
        let body = entry.request ?? .null
        func after(_ word: String) -> [String] { parts.firstIndex(of: word).map { Array(parts[($0 + 1)...]) } ?? [] }
        switch entry.method {
        case "PUT" where after("backupschedulers").count == 1: return .update(id: after("backupschedulers")[0], body: body)
        case "PUT" where after("plans").count == 1: return .update(id: after("plans")[0], body: body)
        case "PATCH" where after("jobs").count == 1: return .update(id: after("jobs")[0], body: body)
        case "PUT" where parts.contains("define"):
            return .update(id: danubeID(parts, disk: body["disk_id"]?.intValue ?? 1), body: body.setting(JSONPointer(["disk_id"]), to: nil))
        case "POST" where entry.query["do"] == "set_scheduler":
            return .bind(drive: after("drives").first ?? "", scheduler: body["backup_policy_uuid"] ?? .null)
        case "POST" where parts.last == "backupschedulers": return body["objects"]?[0].map(Write.create)
        case "POST" where parts.last == "plans" || parts.last == "jobs" || parts.contains("define"): return .create(body)
        case "DELETE" where after("backupschedulers").count == 1: return .delete(id: after("backupschedulers")[0])
        case "DELETE" where after("plans").count == 1: return .delete(id: after("plans")[0])
        case "DELETE" where after("jobs").count == 1: return .delete(id: after("jobs")[0])
        case "DELETE" where parts.contains("define"): return .delete(id: danubeID(parts, disk: Int(entry.query["disk_id"] ?? "") ?? 1))
        default: return nil
        }
    }

    /// `HOST/DISK/NAME` from `…/vm/HOST/define/backup/NAME`.
    static func danubeID(_ parts: [String], disk: Int) -> String {
        guard let vm = parts.firstIndex(of: "vm"), parts.count > vm + 4 else { return parts.joined(separator: "/") }
        return "\(parts[vm + 1])/\(disk)/\(parts[vm + 4])"
    }

    /// The id of what a create request made, from its answer.
    static func createdID(_ entry: Entry) -> String? {
        guard entry.method == "POST", let response = entry.response else { return nil }
        return response["objects"]?[0]?["uuid"]?.stringValue ?? response["id"]?.stringValue ?? response["job_id"]?.stringValue
    }

    /// The objects a listing answered with, by the id the plan gives them.
    static func listed(_ entry: Entry) -> [(String, JSON)] {
        guard let response = entry.response else { return [] }
        if entry.path.hasSuffix("/backupschedulers/detail/") {
            return (response["objects"]?.arrayValue ?? []).compactMap { object in object["uuid"]?.stringValue.map { ($0, object) } }
        }
        if entry.path.hasSuffix("/plans") {
            return (response["plans"]?.arrayValue ?? []).compactMap { plan in plan["id"]?.stringValue.map { ($0, plan) } }
        }
        if entry.path.hasSuffix("/jobs") {
            return (response["jobs"]?.arrayValue ?? []).compactMap { job in job["job_id"]?.stringValue.map { ($0, job) } }
        }
        if entry.path.hasSuffix("/vm/define/backup") {
            return (response["text"]?["result"]?.arrayValue ?? []).compactMap { definition in
                guard let host = definition["hostname"]?.stringValue, let name = definition["name"]?.stringValue else { return nil }
                return ("\(host)/\(definition["disk_id"]?.intValue ?? 1)/\(name)", definition)
            }
        }
        return []
    }
}
