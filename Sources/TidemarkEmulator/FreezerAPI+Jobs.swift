import Foundation
import TidemarkJSON

extension FreezerAPI {
    /// `/jobs`: list, create, get, patch, replace (POST on a job), events, delete.
    mutating func jobRoutes(
        _ method: String, _ project: String, _ rest: [String], _ query: [String: String], _ input: [String: JSON]?
    ) throws -> EmulatorResponse {
        switch (method, rest.count) {
        case ("GET", 0): return page(jobs[project] ?? [], key: "jobs", query)
        case ("POST", 0):
            let job = try validJob(project, input, id: EmulatedRequest.hexID(), creating: true)
            jobs[project, default: []].append(job)
            return .json(201, ["job_id": job["job_id"]!])
        case ("GET", 1): return .json(200, try job(project, rest[0]).object)
        case ("PATCH", 1): return try patchJob(project, rest[0], input)
        case ("POST", 1):
            let index = try job(project, rest[0]).index
            jobs[project]![index] = try validJob(project, input, id: rest[0], creating: false)
            return .json(201, ["job_id": .string(rest[0]), "version": .string(rest[0])])
        case ("POST", 2) where rest[1] == "event": return try signalJob(project, rest[0], input)
        case ("DELETE", 1):
            jobs[project]?.removeAll { $0["job_id"]?.stringValue == rest[0] }
            return .noContent
        default: throw Failure.methodNotAllowed
        }
    }

    /// PATCH replaces `job_schedule` and `job_actions` wholesale, as freezer-api 19.0.0 does.
    private mutating func patchJob(_ project: String, _ id: String, _ input: [String: JSON]?) throws -> EmulatorResponse {
        let (index, current) = try job(project, id)
        guard let input else { throw Failure.badRequest("empty body") }
        if let unknown = input.keys.first(where: { !Self.jobKeys.contains($0) }) {
            throw Failure.badRequest("Additional properties are not allowed ('\(unknown)' was unexpected)")
        }
        var job = current
        for (key, value) in input { job[key] = value }
        // As freezer-api 19.0.0 does: a patch without job_schedule empties it (the handler adds `{}` before storing).
        if input["job_schedule"] == nil { job["job_schedule"] = [:] }
        jobs[project]![index] = try validJob(project, job.objectValue, id: id, creating: false)
        return .json(200, ["job_id": .string(id), "version": 0])
    }

    /// `POST /jobs/{id}/event` with `{"start"|"stop"|"abort"|"remove": …}`: the event recorded, status and result reset.
    private mutating func signalJob(_ project: String, _ id: String, _ input: [String: JSON]?) throws -> EmulatorResponse {
        let index = try job(project, id).index
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
