import Foundation
import TidemarkJSON
import TidemarkPolicy

/// The Danube Cloud VM backup API (seed 003) under `/danube/api/`: backup definitions per VM disk and VM backups, in
/// the seed's envelope `{"url", "status", "method", "text": {"status", "result", "task_id"}}`. `GET /vm` (VM list,
/// not in the seed) lets clients find VMs and their disks.
struct DanubeAPI: EmulatedAPI {
    static let prefix = "/danube/api/"
    static let node = "node99.erigones.com"

    struct VM: Sendable {
        var hostname: String
        var uuid: String
        var disks: Int
        var tags: [String]
        /// A VM that is not operational: changes to its definitions and backups answer 423.
        var locked = false
    }

    var vms: [VM] = []
    /// Definitions and backups in creation order.
    var definitions: [JSON] = []
    var backups: [JSON] = []
    /// The last second a backup name used per definition; names are `DEF-YYYYMMDD_HHMMSS` and must stay unique.
    var lastBackupSecond: [String: Int] = [:]

    struct Failure: Error {
        var status: Int
        var result: JSON
    }

    mutating func handle(method: String, components: [String], query: [String: String], body: [UInt8], url: String) -> EmulatorResponse {
        func envelope(_ status: Int, _ state: String, _ result: JSON) -> EmulatorResponse {
            Self.envelope(status, state, result, method: method, url: url)
        }
        do {
            var data = query.mapValues(JSON.string)
            if let object = try EmulatedRequest.object(body) { data.merge(object) { $1 } }
            let (status, result) = try route(method, components, data)
            return envelope(status, "SUCCESS", result)
        } catch let failure as Failure {
            return envelope(failure.status, "FAILURE", failure.result)
        } catch {
            return envelope(400, "FAILURE", ["detail": "Malformed request body"])
        }
    }

    static func envelope(_ status: Int, _ state: String, _ result: JSON, method: String, url: String) -> EmulatorResponse {
        .json(
            status,
            [
                "url": .string(url), "status": .int(status), "method": .string(method),
                "text": [
                    "status": .string(state), "result": result, "task_id": .string("1e1-" + UUID().uuidString.lowercased().prefix(23)),
                ],
            ])
    }

    private mutating func route(_ method: String, _ path: [String], _ data: [String: JSON]) throws -> (Int, JSON) {
        let full = Self.flag(data["full"])
        switch (method, path.count, path.first, path.dropFirst().first, path.dropFirst(2).first) {
        case ("GET", 1, "vm", _, _):
            return (
                200,
                .array(
                    vms.map {
                        full
                            ? [
                                "hostname": .string($0.hostname), "uuid": .string($0.uuid), "disks": .int($0.disks),
                                "tags": .array($0.tags.map(JSON.string)),
                            ] : .string($0.hostname)
                    })
            )
        case ("GET", 3, "vm", "define", "backup"):
            let sorted = definitions.sorted { ($0["hostname"]?.stringValue ?? "") < ($1["hostname"]?.stringValue ?? "") }
            return (200, .array(sorted.map { full ? Self.visible($0) : $0["name"] ?? .null }))
        case ("GET", 4, "vm", _, "define") where path[3] == "backup":
            let vm = try vm(path[1])
            var mine = definitions.filter { $0["hostname"]?.stringValue == vm.hostname }
            if let disk = data["disk_id"] { mine = mine.filter { $0["disk_id"]?.intValue == Self.int(disk) } }
            return (200, .array(mine.reversed().map { full ? Self.visible($0) : $0["name"] ?? .null }))
        case (_, 5, "vm", _, "define") where path[3] == "backup":
            return try definition(method, vm(path[1]), name: path[4], data)
        case ("GET", 3, "vm", _, "backup"):
            let vm = try vm(path[1])
            var mine = backups.filter { $0["hostname"]?.stringValue == vm.hostname }
            if let disk = data["disk_id"] { mine = mine.filter { $0["disk_id"]?.intValue == Self.int(disk) } }
            if let define = data["define"]?.stringValue { mine = mine.filter { $0["define"]?.stringValue == define } }
            return (200, .array(mine.reversed().map { full ? $0 : $0["name"] ?? .null }))
        case ("DELETE", 3, "vm", _, "backup"):
            let vm = try vm(path[1])
            guard let names = data["bkpnames"]?.arrayValue?.compactMap(\.stringValue), !names.isEmpty else {
                throw Failure(status: 412, result: ["detail": "Invalid bkpnames"])
            }
            for name in names
            where !backups.contains(where: { $0["hostname"]?.stringValue == vm.hostname && $0["name"]?.stringValue == name }) {
                throw Failure(status: 404, result: ["detail": .string("Backup \(name) not found")])
            }
            backups.removeAll { $0["hostname"]?.stringValue == vm.hostname && names.contains($0["name"]?.stringValue ?? "") }
            return (200, ["message": "Backups successfully deleted"])
        case (_, 4, "vm", _, "backup"):
            return try backup(method, vm(path[1]), name: path[3], data)
        default:
            throw Failure(status: 404, result: ["detail": .string("Not found: /\(path.joined(separator: "/"))")])
        }
    }

    private func vm(_ key: String) throws -> VM {
        guard let vm = vms.first(where: { $0.hostname == key || $0.uuid == key }) else {
            throw Failure(status: 404, result: ["detail": "VM not found"])
        }
        return vm
    }

    private static func flag(_ value: JSON?) -> Bool {
        value?.boolValue ?? (value?.stringValue).map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false
    }

    private static func int(_ value: JSON?) -> Int? { value?.intValue ?? value?.stringValue.flatMap { Int($0) } }

    private static func disk(_ data: [String: JSON], of vm: VM) throws -> Int {
        guard let disk = data["disk_id"].map(int) ?? 1, (1...vm.disks).contains(disk) else {
            throw Failure(status: 412, result: ["detail": "Invalid disk_id"])
        }
        return disk
    }

    static let definitionFields = ["node", "name", "schedule", "hostname", "disk_id", "active", "zpool", "retention", "bwlimit", "desc"]

    /// A definition as the API shows it: the seed's fields only.
    static func visible(_ definition: JSON) -> JSON {
        var shown: JSON = [:]
        for key in definitionFields { shown[key] = definition[key] ?? .null }
        return shown
    }

    private mutating func definition(_ method: String, _ vm: VM, name: String, _ data: [String: JSON]) throws -> (Int, JSON) {
        let disk = try Self.disk(data, of: vm)
        if vm.locked, method != "GET" { throw Failure(status: 423, result: ["detail": "VM is not operational"]) }
        let index = definitions.firstIndex {
            $0["hostname"]?.stringValue == vm.hostname && $0["disk_id"]?.intValue == disk && $0["name"]?.stringValue == name
        }
        switch method {
        case "GET":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup definition not found"]) }
            return (200, Self.visible(definitions[index]))
        case "POST":
            guard index == nil else { throw Failure(status: 406, result: ["detail": "Backup definition already exists"]) }
            var errors: [String: JSON] = [:]
            if name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", options: .regularExpression) == nil {
                errors["name"] = ["Enter a valid name."]
            }
            if data["node"]?.stringValue?.isEmpty ?? true { errors["node"] = ["This field is required."] }
            if data["schedule"] == nil { errors["schedule"] = ["This field is required."] }
            if Self.int(data["retention"]) == nil { errors["retention"] = ["This field is required."] }
            errors.merge(Self.fieldErrors(data)) { $1 }
            guard errors.isEmpty else { throw Failure(status: 400, result: .object(errors)) }
            var object: JSON = [
                "node": data["node"]!, "name": .string(name), "hostname": .string(vm.hostname), "disk_id": .int(disk),
                "active": .bool(data["active"].map { Self.flag($0) } ?? true), "zpool": data["zpool"] ?? "zones",
                "schedule": data["schedule"]!, "retention": .int(Self.int(data["retention"])!),
                "bwlimit": data["bwlimit"].flatMap { Self.int($0) }.map(JSON.int) ?? .null,
                "desc": data["desc"] ?? "", "type": .int(Self.int(data["type"]) ?? 1),
                "compression": .int(Self.int(data["compression"]) ?? 0),
                "fsfreeze": .bool(data["fsfreeze"].map { Self.flag($0) } ?? false),
            ]
            object["created"] = .string(EmulatedRequest.iso8601(Date()))
            definitions.append(object)
            return (201, Self.visible(object))
        case "PUT":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup definition not found"]) }
            let errors = Self.fieldErrors(data)
            guard errors.isEmpty else { throw Failure(status: 400, result: .object(errors)) }
            var object = definitions[index]
            if let schedule = data["schedule"] { object["schedule"] = schedule }
            if let retention = Self.int(data["retention"]) { object["retention"] = .int(retention) }
            if let active = data["active"] { object["active"] = .bool(Self.flag(active)) }
            if let compression = Self.int(data["compression"]) { object["compression"] = .int(compression) }
            if let bwlimit = data["bwlimit"] { object["bwlimit"] = Self.int(bwlimit).map(JSON.int) ?? .null }
            if let desc = data["desc"] { object["desc"] = desc }
            definitions[index] = object
            return (200, Self.visible(object))
        case "DELETE":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup definition not found"]) }
            definitions.remove(at: index)
            return (200, ["message": "Backup definition successfully deleted"])
        default:
            throw Failure(status: 405, result: ["detail": .string("Method \(method) not allowed")])
        }
    }

    private static func fieldErrors(_ data: [String: JSON]) -> [String: JSON] {
        var errors: [String: JSON] = [:]
        if let schedule = data["schedule"], (try? CronExpression(parsing: schedule.stringValue ?? "")) == nil {
            errors["schedule"] = ["Invalid cron format."]
        }
        if let retention = data["retention"], (int(retention) ?? 0) < 1 {
            errors["retention"] = ["Ensure this value is greater than or equal to 1."]
        }
        if let compression = data["compression"], !(0...3).contains(int(compression) ?? -1) {
            errors["compression"] = ["Select a valid choice."]
        }
        return errors
    }

    private mutating func backup(_ method: String, _ vm: VM, name: String, _ data: [String: JSON]) throws -> (Int, JSON) {
        let disk = try Self.disk(data, of: vm)
        if vm.locked, method != "GET" { throw Failure(status: 423, result: ["detail": "VM is not operational"]) }
        let index = backups.firstIndex {
            $0["hostname"]?.stringValue == vm.hostname && $0["disk_id"]?.intValue == disk && $0["name"]?.stringValue == name
        }
        switch method {
        case "GET":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup not found"]) }
            return (200, backups[index])
        case "POST":
            return try createBackup(vm, disk: disk, definition: name, note: data["note"]?.stringValue ?? "")
        case "PUT":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup not found"]) }
            if let note = data["note"]?.stringValue {
                backups[index]["note"] = .string(note)
                return (200, backups[index])
            }
            guard data["target_hostname_or_uuid"] != nil, data["target_disk_id"] != nil else {
                throw Failure(status: 400, result: ["target_hostname_or_uuid": ["This field is required."]])
            }
            return (200, ["message": "Backup successfully restored", "returncode": 0])
        case "DELETE":
            guard let index else { throw Failure(status: 404, result: ["detail": "Backup not found"]) }
            backups.remove(at: index)
            return (200, ["message": "Backup successfully deleted", "returncode": 0])
        default:
            throw Failure(status: 405, result: ["detail": .string("Method \(method) not allowed")])
        }
    }

    /// Runs a definition once: a backup named after it and the second it was taken, then the definition's retention.
    mutating func createBackup(_ vm: VM, disk: Int, definition name: String, note: String, at date: Date = Date()) throws -> (Int, JSON) {
        guard
            let definition = definitions.first(where: {
                $0["hostname"]?.stringValue == vm.hostname && $0["disk_id"]?.intValue == disk
                    && $0["name"]?.stringValue == name
            })
        else { throw Failure(status: 404, result: ["detail": "Backup definition not found"]) }
        let key = "\(vm.hostname)/\(disk)/\(name)"
        let second = max(Int(date.timeIntervalSince1970), (lastBackupSecond[key] ?? 0) + 1)
        lastBackupSecond[key] = second
        let stamp = Date(timeIntervalSince1970: TimeInterval(second))
        let backupName =
            "\(name)-"
            + stamp.formatted(
                Date.VerbatimFormatStyle(
                    format:
                        "\(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)_\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)",
                    timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)))
        backups.append([
            "status": 1, "name": .string(backupName), "created": .string(EmulatedRequest.iso8601(stamp, fractional: true)),
            "hostname": .string(vm.hostname), "disk_id": .int(disk), "note": .string(note), "node": definition["node"] ?? .null,
            "size": 41_843_149, "time": 1337, "define": .string(name),
        ])
        let mine = backups.enumerated().filter {
            $0.element["hostname"]?.stringValue == vm.hostname && $0.element["disk_id"]?.intValue == disk
                && $0.element["define"]?.stringValue == name
        }
        let retention = definition["retention"]?.intValue ?? 0
        if retention > 0, mine.count > retention {
            let doomed = Set(mine.prefix(mine.count - retention).map(\.offset))
            backups = backups.enumerated().filter { !doomed.contains($0.offset) }.map(\.element)
        }
        return (200, ["message": "Backup successfully created", "returncode": 0, "detail": .string("name=\(backupName), disk_id=\(disk)")])
    }
}
