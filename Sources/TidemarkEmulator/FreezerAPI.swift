import Foundation
import TidemarkJSON

/// The OpenStack Freezer API v2 (seed 004) under `/freezer/v2/{project_id}/`, as the real freezer-api 19.0.0 behaves:
/// clients, jobs (PATCH replaces job_schedule and job_actions wholesale, POST on a job replaces it, events), backups;
/// `limit`/`offset` pages of bare lists (no total; a limit of 0 means 10); errors `{"title", "description"}`.
struct FreezerAPI: EmulatedAPI {
    static let prefix = "/freezer/v2/"
    static let user = "testuser"
    static let scheduleKeys: Set<String> = [
        "schedule_interval", "schedule_date", "schedule_start_date", "schedule_end_date", "schedule_year",
        "schedule_month", "schedule_day", "schedule_week", "schedule_day_of_week", "schedule_hour",
        "schedule_minute", "schedule_second", "event", "status", "result", "current_pid", "time_created",
        "time_started", "time_ended",
    ]
    static let jobKeys: Set<String> = [
        "client_id", "description", "job_schedule", "job_actions", "job_id", "project_id", "user_id", "session_id",
        "session_tag",
    ]
    static let actions = ["backup", "restore", "info", "admin", "exec"]

    /// Per project, in creation order.
    var clients: [String: [JSON]] = [:]
    var jobs: [String: [JSON]] = [:]
    var backups: [String: [JSON]] = [:]

    struct Failure: Error {
        var status: Int
        var title: String
        var description: String?

        var response: EmulatorResponse {
            var body: JSON = ["title": .string(title)]
            if let description { body["description"] = .string(description) }
            return .json(status, body)
        }

        static func badRequest(_ description: String) -> Failure {
            Failure(status: 400, title: "Bad request format", description: description)
        }
        static let notFound = Failure(status: 404, title: "", description: nil)
        static let methodNotAllowed = Failure(status: 405, title: "405 Method Not Allowed")
    }

    mutating func handle(method: String, components: [String], query: [String: String], body: [UInt8], url: String) -> EmulatorResponse {
        guard let project = components.first else { return Failure.notFound.response }
        let path = Array(components.dropFirst())
        do {
            let input: [String: JSON]?
            do { input = try EmulatedRequest.object(body) } catch { throw Failure(status: 753, title: "Malformed JSON") }
            return try route(method, project, path, query, input)
        } catch let failure as Failure {
            if failure.status == 404 && failure.title.isEmpty { return EmulatorResponse(status: 404, body: nil) }
            return failure.response
        } catch {
            return Failure(status: 500, title: "Internal error").response
        }
    }

    private mutating func route(
        _ method: String, _ project: String, _ path: [String], _ query: [String: String], _ input: [String: JSON]?
    ) throws -> EmulatorResponse {
        let rest = Array(path.dropFirst())
        switch path.first {
        case "clients": return try clientRoutes(method, project, rest, query, input)
        case "jobs": return try jobRoutes(method, project, rest, query, input)
        case "backups": return try backupRoutes(method, project, rest, query, input)
        default: throw Failure.notFound
        }
    }

    /// `/clients`: list, register (replacing a client of the same id), delete.
    private mutating func clientRoutes(
        _ method: String, _ project: String, _ rest: [String], _ query: [String: String], _ input: [String: JSON]?
    ) throws -> EmulatorResponse {
        switch (method, rest.count) {
        case ("GET", 0): return page(clients[project] ?? [], key: "clients", query)
        case ("POST", 0): return try registerClient(project, input)
        case ("DELETE", 1):
            clients[project]?.removeAll { $0["client"]?["client_id"]?.stringValue == rest[0] }
            return .noContent
        default: throw Failure.methodNotAllowed
        }
    }

    private mutating func registerClient(_ project: String, _ input: [String: JSON]?) throws -> EmulatorResponse {
        guard var client = input, let id = client["client_id"]?.stringValue, !id.isEmpty else {
            throw Failure.badRequest("'client_id' is a required property")
        }
        client["supported_actions"] = .array(Self.actions.map(JSON.string))
        client["uuid"] = .string(EmulatedRequest.hexID())
        clients[project, default: []].removeAll { $0["client"]?["client_id"]?.stringValue == id }
        clients[project, default: []].append(["project_id": .string(project), "user_id": .string(Self.user), "client": .object(client)])
        return .json(201, ["client_id": .string(id)])
    }

    /// `/backups`: list, create, get, patch (merging fields), delete.
    private mutating func backupRoutes(
        _ method: String, _ project: String, _ rest: [String], _ query: [String: String], _ input: [String: JSON]?
    ) throws -> EmulatorResponse {
        switch (method, rest.count) {
        case ("GET", 0): return page(backups[project] ?? [], key: "backups", query)
        case ("POST", 0): return try createBackup(project, input)
        case ("GET", 1): return .json(200, try backup(project, rest[0]).object)
        case ("PATCH", 1):
            let index = try backup(project, rest[0]).index
            for (key, value) in input ?? [:] { backups[project]![index][key] = value }
            return .json(200, ["backup_id": .string(rest[0]), "version": 0])
        case ("DELETE", 1):
            backups[project]?.removeAll { $0["backup_id"]?.stringValue == rest[0] }
            return .noContent
        default: throw Failure.methodNotAllowed
        }
    }

    private mutating func createBackup(_ project: String, _ input: [String: JSON]?) throws -> EmulatorResponse {
        guard let input, input["backup_name"] != nil else { throw Failure.badRequest("'backup_name' is a required property") }
        let id = EmulatedRequest.hexID()
        backups[project, default: []].append([
            "project_id": .string(project), "user_id": .string(Self.user), "backup_id": .string(id),
            "status": "available", "backup_metadata": .object(input),
        ])
        return .json(201, ["backup_id": .string(id)])
    }

    private func backup(_ project: String, _ id: String) throws -> (index: Int, object: JSON) {
        guard let index = backups[project]?.firstIndex(where: { $0["backup_id"]?.stringValue == id }) else { throw Failure.notFound }
        return (index, backups[project]![index])
    }

    /// `limit` (0 or absent: 10) and `offset` over a bare list.
    func page(_ objects: [JSON], key: String, _ query: [String: String]) -> EmulatorResponse {
        let limit = Int(query["limit"] ?? "0") ?? 0
        let offset = Int(query["offset"] ?? "0") ?? 0
        let size = limit <= 0 ? 10 : limit
        let start = min(max(0, offset), objects.count)
        return .json(200, [key: .array(Array(objects[start..<min(objects.count, start + size)]))])
    }
}

extension FreezerAPI {
    /// A client listing entry as the server stores it.
    static func client(id: String, hostname: String, project: String) -> JSON {
        [
            "project_id": .string(project), "user_id": .string(user),
            "client": [
                "client_id": .string(id), "hostname": .string(hostname), "description": "", "uuid": .string(EmulatedRequest.hexID()),
                "supported_actions": .array(actions.map(JSON.string)),
            ],
        ]
    }
}
