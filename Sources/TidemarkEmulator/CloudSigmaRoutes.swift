import TidemarkJSON

/// A response the emulator sends: a status and a JSON body, or no body.
struct EmulatorResponse {
    var status: Int
    var body: JSON?
    var headers: [String: String] = [:]

    static func json(_ status: Int, _ body: JSON) -> EmulatorResponse { EmulatorResponse(status: status, body: body) }
    static let noContent = EmulatorResponse(status: 204, body: nil)
}

extension CloudSigmaAccount {
    static let schedulerSummary = [
        "is_default", "is_enabled", "meta", "name", "orchestrator_timezone", "owner", "remote_location",
        "resource_uri", "type", "user_timezone", "uuid",
    ]
    static let driveSummary = ["name", "owner", "resource_uri", "status", "uuid"]
    static let snapshotSummary = ["drive", "name", "owner", "resource_uri", "status", "timestamp", "uuid"]
    static let tagSummary = ["name", "owner", "resource_uri", "uuid"]

    /// Routes one request under `/api/2.0/`; `components` are the path segments after it.
    mutating func handle(method: String, components: [String], query: [String: String], body: [UInt8]) -> EmulatorResponse {
        do throws(APIError) {
            switch components.first {
            case "backupschedulers" where backupSchedulersEnabled:
                return try backupSchedulers(method, Array(components.dropFirst()), query, body)
            case "drives":
                return try driveRoutes(method, Array(components.dropFirst()), query, body)
            case "snapshots":
                return try snapshotRoutes(method, Array(components.dropFirst()), query, body)
            case "tags":
                return try listOrGet(
                    method, Array(components.dropFirst()), query, objects: tags, summary: Self.tagSummary,
                    filters: ["name", "uuid"], what: "Tag")
            default:
                throw APIError.notFound("Resource /\(components.joined(separator: "/"))/")
            }
        } catch {
            return .json(error.status, .array(error.errors))
        }
    }

    private mutating func backupSchedulers(_ method: String, _ rest: [String], _ query: [String: String], _ body: [UInt8]) throws(APIError)
        -> EmulatorResponse
    {
        switch (method, rest.count) {
        case ("GET", 0):
            return .json(
                200,
                list(
                    schedulers.mapValues(CloudSigmaQuirks.rendered), query, summary: Self.schedulerSummary,
                    filters: ["type", "name", "uuid"]))
        case ("GET", 1) where rest[0] == "detail":
            return .json(
                200,
                list(
                    schedulers.mapValues(CloudSigmaQuirks.rendered), query, summary: nil,
                    filters: ["type", "name", "uuid"]))
        case ("GET", 1) where rest[0] == "schema":
            return .json(200, (try? JSON.parse(Array(BackupSchedulerSchema.json.utf8))) ?? .null)
        case ("POST", 0):
            let inputs = try objects(in: body)
            var errors: [JSON] = []
            for (index, input) in inputs.enumerated() {
                let found = BackupSchedulerValidation.errors(input)
                errors += inputs.count == 1 ? found : found.map { Self.prefixPoint($0, "objects.\(index).") }
            }
            guard errors.isEmpty else { throw APIError(validation: errors) }
            var created: [JSON] = []
            for input in inputs { created.append(try createScheduler(input)) }
            return .json(201, ["objects": .array(created)])
        case ("DELETE", 0):
            let uuids = try objects(in: body).compactMap { $0["uuid"]?.stringValue }
            try deleteSchedulers(uuids)
            return .noContent
        case ("GET", 1):
            guard let object = schedulers[rest[0]] else { throw .notFound("Backup scheduler \(rest[0])") }
            return .json(200, CloudSigmaQuirks.rendered(object))
        case ("PUT", 1):
            return .json(200, try updateScheduler(rest[0], try parse(body)))
        case ("DELETE", 1):
            try deleteSchedulers([rest[0]])
            return .noContent
        default:
            throw APIError(status: 405, type: "validation", message: "Method \(method) is not allowed here")
        }
    }

    private mutating func driveRoutes(_ method: String, _ rest: [String], _ query: [String: String], _ body: [UInt8]) throws(APIError)
        -> EmulatorResponse
    {
        if method == "POST", rest.count == 2, rest[1] == "action" {
            guard query["do"] == "set_scheduler", backupSchedulersEnabled else {
                throw APIError(validation: [APIError.validation("Unsupported action '\(query["do"] ?? "")'", at: "do")])
            }
            return .json(202, try setScheduler(drive: rest[0], try parse(body)))
        }
        return try listOrGet(
            method, rest, query, objects: drives, summary: Self.driveSummary, filters: ["name", "uuid", "status"], what: "Drive")
    }

    private mutating func snapshotRoutes(_ method: String, _ rest: [String], _ query: [String: String], _ body: [UInt8]) throws(APIError)
        -> EmulatorResponse
    {
        switch (method, rest.count) {
        case ("POST", 0):
            var created: [JSON] = []
            for input in try objects(in: body) { created.append(try createSnapshot(input)) }
            return .json(201, ["objects": .array(created)])
        case ("DELETE", 1):
            try deleteSnapshot(rest[0])
            return .noContent
        case ("DELETE", 0):
            for uuid in try objects(in: body).compactMap({ $0["uuid"]?.stringValue }) { try deleteSnapshot(uuid) }
            return .noContent
        default:
            return try listOrGet(
                method, rest, query, objects: snapshots, summary: Self.snapshotSummary, filters: ["name", "uuid", "drive"],
                what: "Snapshot")
        }
    }

    private func listOrGet(
        _ method: String, _ rest: [String], _ query: [String: String], objects: [String: JSON], summary: [String],
        filters: [String], what: String
    ) throws(APIError) -> EmulatorResponse {
        guard method == "GET" else { throw APIError(status: 405, type: "validation", message: "Method \(method) is not allowed here") }
        switch rest.count {
        case 0: return .json(200, list(objects, query, summary: summary, filters: filters))
        case 1 where rest[0] == "detail": return .json(200, list(objects, query, summary: nil, filters: filters))
        case 1:
            guard let object = objects[rest[0]] else { throw .notFound("\(what) \(rest[0])") }
            return .json(200, object)
        default: throw .notFound("Resource")
        }
    }

    /// A paginated, filtered list in the API's envelope: `limit` (default 20, 0 = all), `offset`, exact filters,
    /// `name__contains`, and `fields`.
    func list(_ objects: [String: JSON], _ query: [String: String], summary: [String]?, filters: [String]) -> JSON {
        var matching = objects.sorted { $0.key < $1.key }.map(\.value)
        for key in filters {
            guard let wanted = query[key] else { continue }
            let values = Set(wanted.split(separator: ",").map(String.init))
            matching = matching.filter { object in
                let value = object[key]?.stringValue ?? object[key]?["uuid"]?.stringValue ?? ""
                return values.contains(value)
            }
        }
        if let fragment = query["name__contains"] {
            matching = matching.filter { ($0["name"]?.stringValue ?? "").contains(fragment) }
        }
        let limit = query["limit"].flatMap { Int($0) } ?? 20
        let offset = query["offset"].flatMap { Int($0) } ?? 0
        let page = matching.dropFirst(max(0, offset)).prefix(limit == 0 ? Int.max : max(0, limit))
        let fields = query["fields"].map { Set($0.split(separator: ",").map(String.init)) } ?? summary.map(Set.init)
        let shaped: [JSON] = page.map { object in
            guard let fields, let all = object.objectValue else { return object }
            return .object(all.filter { fields.contains($0.key) })
        }
        return ["meta": ["limit": .int(limit), "offset": .int(offset), "total_count": .int(matching.count)], "objects": .array(shaped)]
    }

    /// `{"objects": [...]}` or a single object.
    private func objects(in body: [UInt8]) throws(APIError) -> [JSON] {
        let json = try parse(body)
        if let list = json["objects"]?.arrayValue { return list }
        return [json]
    }

    private func parse(_ body: [UInt8]) throws(APIError) -> JSON {
        do {
            return try JSON.parse(LenientJSON.removingTrailingCommas(body))
        } catch {
            throw APIError(validation: [APIError.validation("Request body is not valid JSON", at: nil)])
        }
    }

    private static func prefixPoint(_ error: JSON, _ prefix: String) -> JSON {
        var error = error
        if let point = error["error_point"]?.stringValue { error["error_point"] = .string(prefix + point) }
        return error
    }
}

/// The seed's own bulk-delete example has trailing commas (`{"uuid": "…",}`); the API evidently accepts them.
enum LenientJSON {
    static func removingTrailingCommas(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        var pendingComma: Int?
        for byte in bytes {
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                pendingComma = nil
                inString = true
            case UInt8(ascii: ","):
                pendingComma = output.count
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let comma = pendingComma { output.remove(at: comma) }
                pendingComma = nil
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                pendingComma = nil
            }
            output.append(byte)
        }
        return output
    }
}
