import TidemarkJSON

extension CloudSigmaAccount {
    /// `POST /backupschedulers/`: one object or `{"objects": [...]}`, all validated before any is created.
    mutating func createSchedulers(_ body: [UInt8]) throws(APIError) -> JSON {
        let inputs = try objects(in: body)
        var errors: [JSON] = []
        for (index, input) in inputs.enumerated() {
            let found = BackupSchedulerValidation.errors(input)
            errors += inputs.count == 1 ? found : found.map { Self.prefixPoint($0, "objects.\(index).") }
        }
        guard errors.isEmpty else { throw APIError(validation: errors) }
        var created: [JSON] = []
        for input in inputs { created.append(try createScheduler(input)) }
        return ["objects": .array(created)]
    }

    /// `PUT /backupschedulers/{uuid}/`.
    mutating func updateScheduler(_ uuid: String, body: [UInt8]) throws(APIError) -> JSON {
        try updateScheduler(uuid, try parse(body))
    }

    /// `DELETE /backupschedulers/` with the uuids of the objects in the body.
    mutating func deleteSchedulers(listedIn body: [UInt8]) throws(APIError) {
        try deleteSchedulers(try objects(in: body).compactMap { $0["uuid"]?.stringValue })
    }

    /// `POST /drives/{uuid}/action/?do=…`: only `set_scheduler`, and only where backup schedulers exist.
    mutating func act(onDrive uuid: String, _ action: String?, body: [UInt8]) throws(APIError) -> JSON {
        guard action == "set_scheduler", backupSchedulersEnabled else {
            throw APIError(validation: [APIError.validation("Unsupported action '\(action ?? "")'", at: "do")])
        }
        return try setScheduler(drive: uuid, try parse(body))
    }

    /// `POST /snapshots/`: one object or `{"objects": [...]}`, created in order.
    mutating func createSnapshots(_ body: [UInt8]) throws(APIError) -> JSON {
        var created: [JSON] = []
        for input in try objects(in: body) { created.append(try createSnapshot(input)) }
        return ["objects": .array(created)]
    }

    /// `DELETE /snapshots/` with the uuids of the objects in the body, deleted in order.
    mutating func deleteSnapshots(listedIn body: [UInt8]) throws(APIError) {
        for uuid in try objects(in: body).compactMap({ $0["uuid"]?.stringValue }) { try deleteSnapshot(uuid) }
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
