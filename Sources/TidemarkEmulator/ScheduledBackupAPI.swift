import Foundation
import TidemarkJSON
import TidemarkPolicy

/// The Scheduled Backup API v2.0 (seed 002) under `/scheduled-backup/v2/{project_id}/`: backup plans, checkpoints and
/// restores, with the seed's error shape `{code, details, error_key, message, title}`.
struct ScheduledBackupAPI: EmulatedAPI {
    static let prefix = "/scheduled-backup/v2/"
    /// Plans and checkpoints in creation order, per project.
    var plans: [String: [JSON]] = [:]
    var checkpoints: [String: [JSON]] = [:]

    struct Failure: Error {
        var status: Int
        var key: String
        var message: String
        var details: JSON = [:]

        var response: EmulatorResponse {
            let titles = [400: "Bad Request", 403: "Forbidden", 404: "Not Found", 422: "Unprocessable Entity"]
            return .json(
                status,
                [
                    "code": .string(String(status)), "details": details, "error_key": .string(key), "message": .string(message),
                    "title": .string(titles[status] ?? "Error"),
                ])
        }
    }

    mutating func handle(method: String, components: [String], query: [String: String], body: [UInt8], url: String) -> EmulatorResponse {
        do {
            guard let project = components.first else { throw Failure(status: 404, key: "not_found", message: "no project in the path") }
            guard UUID(uuidString: project) != nil else {
                throw Failure(status: 422, key: "invalid_project_id", message: "project_id '\(project)' is not a UUID")
            }
            let rest = Array(components.dropFirst())
            switch (method, rest.first, rest.count) {
            case ("GET", "plans", 1): return try list(plans[project] ?? [], key: "plans", query: query, filters: planFilters)
            case ("POST", "plans", 1): return try createPlan(project, body)
            case ("GET", "plans", 2): return .json(200, try plan(project, rest[1]).object)
            case ("PUT", "plans", 2), ("PATCH", "plans", 2): return try updatePlan(project, rest[1], body)
            case ("DELETE", "plans", 2):
                let index = try plan(project, rest[1]).index
                plans[project]?.remove(at: index)
                return .noContent
            case ("GET", "checkpoints", 1):
                var matching = checkpoints[project] ?? []
                if let name = query["plan_name"] {
                    let ids = Set((plans[project] ?? []).filter { $0["name"]?.stringValue == name }.compactMap { $0["id"]?.stringValue })
                    matching = matching.filter { ids.contains($0["plan_id"]?.stringValue ?? "") }
                }
                return try list(matching, key: "checkpoints", query: query, filters: checkpointFilters)
            case ("DELETE", "checkpoints", 1): return try deleteChain(project, query["chain_id"])
            case ("GET", "checkpoints", 2): return .json(200, try checkpoint(project, rest[1]).object)
            case ("DELETE", "checkpoints", 2):
                let index = try checkpoint(project, rest[1]).index
                checkpoints[project]?.remove(at: index)
                return .json(200, ["id": .string(rest[1]), "status": "deleting"])
            case ("POST", "restores", 1): return try restore(project, body)
            default: throw Failure(status: 404, key: "not_found", message: "\(method) /\(rest.joined(separator: "/")) does not exist")
            }
        } catch let failure as Failure {
            return failure.response
        } catch {
            return Failure(status: 400, key: "malformed_request", message: "the body is not a JSON object").response
        }
    }

    private var planFilters: [String: (JSON, String) -> Bool] {
        [
            "name": { $0["name"]?.stringValue == $1 },
            "volume_name": { plan, name in plan["resources"]?.arrayValue?.contains { $0["name"]?.stringValue == name } ?? false },
        ]
    }

    private var checkpointFilters: [String: (JSON, String) -> Bool] {
        [
            "volume_name": { checkpoint, name in
                checkpoint["checkpoint_items"]?.arrayValue?.contains { $0["resource"]?["name"]?.stringValue == name } ?? false
            }
        ]
    }

    /// `limit` (default 1000, at least 1) and `marker` (the id of the last item seen) over the filtered objects.
    private func list(_ objects: [JSON], key: String, query: [String: String], filters: [String: (JSON, String) -> Bool]) throws
        -> EmulatorResponse
    {
        var matching = objects
        for (name, filter) in filters { if let value = query[name] { matching = matching.filter { filter($0, value) } } }
        let limit =
            try query["limit"].map { text in
                guard let value = Int(text), value >= 1 else {
                    throw Failure(status: 422, key: "invalid_limit", message: "limit must be an integer >= 1")
                }
                return value
            } ?? 1000
        var start = 0
        if let marker = query["marker"] {
            guard let index = matching.firstIndex(where: { $0["id"]?.stringValue == marker }) else {
                throw Failure(status: 404, key: "marker_not_found", message: "marker \(marker) not found")
            }
            start = index + 1
        }
        let page = Array(matching[start..<min(matching.count, start + limit)])
        return .json(200, [key: .array(page), "total": .int(matching.count)])
    }

    private func plan(_ project: String, _ id: String) throws -> (index: Int, object: JSON) {
        guard let index = plans[project]?.firstIndex(where: { $0["id"]?.stringValue == id }) else {
            throw Failure(status: 404, key: "plan_not_found", message: "backup plan \(id) not found")
        }
        return (index, plans[project]![index])
    }

    private func checkpoint(_ project: String, _ id: String) throws -> (index: Int, object: JSON) {
        guard let index = checkpoints[project]?.firstIndex(where: { $0["id"]?.stringValue == id }) else {
            throw Failure(status: 404, key: "checkpoint_not_found", message: "checkpoint \(id) not found")
        }
        return (index, checkpoints[project]![index])
    }

    static let planFields = ["backup_mode", "description", "max_backups", "name", "resources", "schedule_pattern", "schedule_type"]

    /// Field errors of a create (every field required) or an update (every field optional).
    private static func validate(_ input: [String: JSON], creating: Bool) -> [String: JSON] {
        var errors: [String: JSON] = [:]
        let allowed = planFields + (creating ? [] : ["status"])
        for key in input.keys where !allowed.contains(key) { errors[key] = "unknown field" }
        if creating { for key in planFields where input[key] == nil { errors[key] = "required" } }
        func check(_ key: String, _ valid: (JSON) -> Bool, _ message: String) {
            if let value = input[key], value != .null || creating, !valid(value) { errors[key] = .string(message) }
        }
        check("backup_mode", { ["full", "frequency"].contains($0.stringValue ?? "") }, "must be one of full, frequency")
        check("description", { $0.stringValue != nil }, "must be a string")
        check("max_backups", { ($0.intValue ?? -1) >= 0 }, "must be an integer >= 0")
        check("name", { !($0.stringValue ?? "").isEmpty }, "must be a non-empty string")
        check("schedule_type", { ["calendar", "crontab"].contains($0.stringValue ?? "") }, "must be one of calendar, crontab")
        check("status", { ["started", "suspended"].contains($0.stringValue ?? "") }, "must be one of started, suspended")
        check(
            "resources",
            { value in
                value.arrayValue?.allSatisfy {
                    $0["id"]?.stringValue != nil && $0["name"]?.stringValue != nil && $0["type"]?.stringValue != nil
                } ?? false
            }, "must be a list of {id, name, type}")
        check("schedule_pattern", { (try? CronExpression(parsing: $0.stringValue ?? "")) != nil }, "must be a valid cron expression")
        return errors
    }

    private mutating func createPlan(_ project: String, _ body: [UInt8]) throws -> EmulatorResponse {
        let input = try EmulatedRequest.object(body) ?? [:]
        let errors = Self.validate(input, creating: true)
        guard errors.isEmpty else {
            throw Failure(status: 422, key: "validation_error", message: "invalid backup plan", details: .object(errors))
        }
        var plan = JSON.object(input)
        plan["id"] = .string(UUID().uuidString.lowercased())
        plan["created_at"] = .string(EmulatedRequest.iso8601(Date()))
        plan["status"] = "started"
        plans[project, default: []].append(plan)
        return .json(201, plan)
    }

    private mutating func updatePlan(_ project: String, _ id: String, _ body: [UInt8]) throws -> EmulatorResponse {
        let (index, current) = try plan(project, id)
        let input = try EmulatedRequest.object(body) ?? [:]
        let errors = Self.validate(input, creating: false)
        guard errors.isEmpty else {
            throw Failure(status: 422, key: "validation_error", message: "invalid backup plan", details: .object(errors))
        }
        var plan = current
        for (key, value) in input where value != .null { plan[key] = value }
        plans[project]![index] = plan
        var answer: JSON = [:]
        for key in ["description", "max_backups", "name", "resources", "schedule_pattern", "schedule_type", "status"] {
            answer[key] = plan[key]
        }
        return .json(200, answer)
    }

    private mutating func deleteChain(_ project: String, _ chain: String?) throws -> EmulatorResponse {
        guard let chain, !chain.isEmpty else { throw Failure(status: 400, key: "missing_chain_id", message: "chain_id is required") }
        let inChain: (JSON) -> Bool = { $0["checkpoint_items"]?.arrayValue?.contains { $0["chain_id"]?.stringValue == chain } ?? false }
        let deleted = (checkpoints[project] ?? []).filter(inChain)
        guard !deleted.isEmpty else { throw Failure(status: 404, key: "chain_not_found", message: "no checkpoints in chain \(chain)") }
        checkpoints[project]?.removeAll(where: inChain)
        return .json(200, ["deleted": .array(deleted)])
    }

    private func restore(_ project: String, _ body: [UInt8]) throws -> EmulatorResponse {
        let input = try EmulatedRequest.object(body) ?? [:]
        guard let item = input["checkpoint_item_id"]?.stringValue, input["restore_name"]?.stringValue != nil else {
            throw Failure(status: 422, key: "validation_error", message: "checkpoint_item_id and restore_name are required")
        }
        for checkpoint in checkpoints[project] ?? [] {
            for entry in checkpoint["checkpoint_items"]?.arrayValue ?? [] where entry["id"]?.stringValue == item {
                return .json(
                    201,
                    [
                        "checkpoint_id": checkpoint["id"] ?? .null, "checkpoint_item_id": .string(item),
                        "id": .string(UUID().uuidString.lowercased()),
                        "project_id": .string(project), "resource_id": entry["resource"]?["id"] ?? .null,
                        "resource_type": entry["resource"]?["type"] ?? .null, "status": "success",
                    ])
            }
        }
        throw Failure(status: 404, key: "checkpoint_item_not_found", message: "checkpoint item \(item) not found")
    }

    /// A checkpoint of a plan as its native scheduler would take it, for fixtures and `/_admin/checkpoints`.
    mutating func addCheckpoint(project: String, planID: String, createdAt: Date, status: String = "available") -> JSON? {
        guard let plan = plans[project]?.first(where: { $0["id"]?.stringValue == planID }) else { return nil }
        let id = UUID().uuidString.lowercased()
        let created = JSON.string(EmulatedRequest.iso8601(createdAt))
        let items: [JSON] = (plan["resources"]?.arrayValue ?? []).map { resource in
            [
                "backup_created_at": created, "backup_id": .string(UUID().uuidString.lowercased()), "chain_id": .string(planID),
                "checkpoint_id": .string(id), "created_at": created, "id": .string(UUID().uuidString.lowercased()),
                "is_incremental": .bool(plan["backup_mode"]?.stringValue == "frequency"), "resource": resource, "status": .string(status),
            ]
        }
        let checkpoint: JSON = [
            "checkpoint_items": .array(items), "created_at": created, "id": .string(id), "plan_id": .string(planID),
            "status": .string(status),
        ]
        checkpoints[project, default: []].append(checkpoint)
        // The plan's native retention: the newest max_backups checkpoints stay.
        let limit = plan["max_backups"]?.intValue ?? 0
        let mine = (checkpoints[project] ?? []).filter { $0["plan_id"]?.stringValue == planID }
        if limit > 0, mine.count > limit {
            let doomed = Set(mine.prefix(mine.count - limit).compactMap { $0["id"]?.stringValue })
            checkpoints[project]?.removeAll { doomed.contains($0["id"]?.stringValue ?? "") }
        }
        return checkpoint
    }
}
