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
        _ method: String, _ project: String, _ path: [String], _ query: [String: String],
        _ input: [String: JSON]?
    ) throws -> EmulatorResponse {
        switch (method, path.first, path.count) {
        case ("GET", "clients", 1): return try page(clients[project] ?? [], key: "clients", query)
        case ("POST", "clients", 1):
            guard let id = input?["client_id"]?.stringValue, !id.isEmpty else {
                throw Failure.badRequest("'client_id' is a required property")
            }
            var client = input!
            client["supported_actions"] = .array(Self.actions.map(JSON.string))
            client["uuid"] = .string(EmulatedRequest.hexID())
            clients[project, default: []].removeAll { $0["client"]?["client_id"]?.stringValue == id }
            clients[project, default: []].append(["project_id": .string(project), "user_id": .string(Self.user), "client": .object(client)])
            return .json(201, ["client_id": .string(id)])
        case ("DELETE", "clients", 2):
            clients[project]?.removeAll { $0["client"]?["client_id"]?.stringValue == path[1] }
            return EmulatorResponse(status: 204, body: nil)
        case ("GET", "jobs", 1): return try page(jobs[project] ?? [], key: "jobs", query)
        case ("POST", "jobs", 1):
            let job = try validJob(project, input, id: EmulatedRequest.hexID(), creating: true)
            jobs[project, default: []].append(job)
            return .json(201, ["job_id": job["job_id"]!])
        case ("GET", "jobs", 2): return .json(200, try job(project, path[1]).object)
        case ("PATCH", "jobs", 2):
            let (index, current) = try job(project, path[1])
            guard let input else { throw Failure.badRequest("empty body") }
            if let unknown = input.keys.first(where: { !Self.jobKeys.contains($0) }) {
                throw Failure.badRequest("Additional properties are not allowed ('\(unknown)' was unexpected)")
            }
            var job = current
            for (key, value) in input { job[key] = value }
            // As freezer-api 19.0.0 does: a patch without job_schedule empties it (the handler adds `{}` before storing).
            if input["job_schedule"] == nil { job["job_schedule"] = [:] }
            jobs[project]![index] = try validJob(project, job.objectValue, id: path[1], creating: false)
            return .json(200, ["job_id": .string(path[1]), "version": 0])
        case ("POST", "jobs", 2):
            let (index, _) = try job(project, path[1])
            jobs[project]![index] = try validJob(project, input, id: path[1], creating: false)
            return .json(201, ["job_id": .string(path[1]), "version": .string(path[1])])
        case ("POST", "jobs", 3) where path[2] == "event":
            let (index, _) = try job(project, path[1])
            guard let event = input?.keys.first, ["start", "stop", "abort", "remove"].contains(event) else {
                throw Failure.badRequest("an event of start, stop, abort or remove is required")
            }
            var job = jobs[project]![index]
            var schedule = job["job_schedule"]?.objectValue ?? [:]
            schedule["event"] = .string(event)
            schedule["status"] = ""
            schedule["result"] = ""
            job["job_schedule"] = .object(schedule)
            jobs[project]![index] = job
            return .json(202, ["result": "success"])
        case ("DELETE", "jobs", 2):
            jobs[project]?.removeAll { $0["job_id"]?.stringValue == path[1] }
            return EmulatorResponse(status: 204, body: nil)
        case ("GET", "backups", 1): return try page(backups[project] ?? [], key: "backups", query)
        case ("POST", "backups", 1):
            guard let input, input["backup_name"] != nil else { throw Failure.badRequest("'backup_name' is a required property") }
            let id = EmulatedRequest.hexID()
            backups[project, default: []].append([
                "project_id": .string(project), "user_id": .string(Self.user), "backup_id": .string(id),
                "status": "available", "backup_metadata": .object(input),
            ])
            return .json(201, ["backup_id": .string(id)])
        case ("GET", "backups", 2):
            guard let backup = backups[project]?.first(where: { $0["backup_id"]?.stringValue == path[1] }) else { throw Failure.notFound }
            return .json(200, backup)
        case ("PATCH", "backups", 2):
            guard let index = backups[project]?.firstIndex(where: { $0["backup_id"]?.stringValue == path[1] }) else {
                throw Failure.notFound
            }
            for (key, value) in input ?? [:] { backups[project]![index][key] = value }
            return .json(200, ["backup_id": .string(path[1]), "version": 0])
        case ("DELETE", "backups", 2):
            backups[project]?.removeAll { $0["backup_id"]?.stringValue == path[1] }
            return EmulatorResponse(status: 204, body: nil)
        case (_, "clients", _), (_, "jobs", _), (_, "backups", _):
            throw Failure(status: 405, title: "405 Method Not Allowed")
        default:
            throw Failure.notFound
        }
    }

    /// `limit` (0 or absent: 10) and `offset` over a bare list.
    private func page(_ objects: [JSON], key: String, _ query: [String: String]) throws -> EmulatorResponse {
        let limit = Int(query["limit"] ?? "0") ?? 0
        let offset = Int(query["offset"] ?? "0") ?? 0
        let size = limit <= 0 ? 10 : limit
        let start = min(max(0, offset), objects.count)
        return .json(200, [key: .array(Array(objects[start..<min(objects.count, start + size)]))])
    }

    private func job(_ project: String, _ id: String) throws -> (index: Int, object: JSON) {
        guard let index = jobs[project]?.firstIndex(where: { $0["job_id"]?.stringValue == id }) else { throw Failure.notFound }
        return (index, jobs[project]![index])
    }

    /// A job checked as freezer-api's JSON schema and client lookup check it, with the server's fields added.
    private func validJob(_ project: String, _ input: [String: JSON]?, id: String, creating: Bool) throws -> JSON {
        guard let input else { throw Failure.badRequest("'job_actions' is a required property") }
        if let unknown = input.keys.first(where: { !Self.jobKeys.contains($0) }) {
            throw Failure.badRequest("Additional properties are not allowed ('\(unknown)' was unexpected)")
        }
        guard let actions = input["job_actions"]?.arrayValue else { throw Failure.badRequest("'job_actions' is a required property") }
        var schedule = input["job_schedule"]?.objectValue ?? [:]
        if let unknown = schedule.keys.first(where: { !Self.scheduleKeys.contains($0) }) {
            throw Failure.badRequest("Additional properties are not allowed ('\(unknown)' was unexpected)")
        }
        if let interval = schedule["schedule_interval"]?.stringValue,
            interval.range(of: #"^(continuous|(\d+ +(weeks|days|hours|minutes|seconds)))$"#, options: .regularExpression) == nil
        {
            throw Failure.badRequest("'\(interval)' does not match '^(continuous|(\\\\d+ +(weeks|days|hours|minutes|seconds)))$'")
        }
        let datePattern =
            #"^\d{4}-(1[0-2]|0[1-9])-(3[01]|0[1-9]|[12][0-9])T(2[0-3]|[01][0-9]):[0-5][0-9]:[0-5][0-9]"#
            + #"(\.[0-9]+)?(Z|[+-](2[0-3]|[01][0-9]):[0-5][0-9])?$"#
        for key in ["schedule_date", "schedule_start_date", "schedule_end_date"] {
            if let date = schedule[key]?.stringValue, date.range(of: datePattern, options: .regularExpression) == nil {
                throw Failure.badRequest("'\(date)' does not match the ISO 8601 date pattern")
            }
        }
        guard let client = input["client_id"]?.stringValue,
            clients[project]?.contains(where: { $0["client"]?["client_id"]?.stringValue == client }) ?? false
        else {
            throw Failure(
                status: 422, title: "Unprocessable Entity", description: "Client not found with ID \(input["client_id"]?.stringValue ?? "")"
            )
        }
        var storedActions: [JSON] = []
        for action in actions {
            guard var freezer = action["freezer_action"]?.objectValue else {
                throw Failure.badRequest("'freezer_action' is a required property")
            }
            guard let kind = freezer["action"]?.stringValue, Self.actions.contains(kind) else {
                throw Failure.badRequest("'\(freezer["action"]?.stringValue ?? "")' is not one of \(Self.actions)")
            }
            for key in ["timeout", "priority", "log_file"] where freezer[key] == nil { freezer[key] = .null }
            var stored = action.objectValue ?? [:]
            stored["freezer_action"] = .object(freezer)
            stored["project_id"] = .string(project)
            stored["user_id"] = .string(Self.user)
            stored["action_id"] = stored["action_id"] ?? .string(EmulatedRequest.hexID())
            stored["max_retries"] = stored["max_retries"] ?? 5
            stored["max_retries_interval"] = stored["max_retries_interval"] ?? 6
            storedActions.append(.object(stored))
        }
        if creating {
            schedule["time_created"] = .int(Int(Date().timeIntervalSince1970))
            schedule["time_started"] = -1
            schedule["time_ended"] = -1
        }
        return [
            "job_id": .string(id), "project_id": .string(project), "user_id": .string(Self.user), "job_schedule": .object(schedule),
            "client_id": .string(client), "session_id": input["session_id"] ?? "", "session_tag": input["session_tag"] ?? 0,
            "description": input["description"] ?? "", "job_actions": .array(storedActions),
        ]
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
