import TidemarkJSON

extension CloudSigmaAccount {
    /// The collection's objects as stored, by uuid.
    func stored(_ collection: CloudSigmaCollection) -> [String: JSON] {
        switch collection {
        case .backupSchedulers: schedulers
        case .drives: drives
        case .snapshots: snapshots
        case .tags: tags
        }
    }

    /// The summary list (`/`), or with `detail` the detail list (`/detail/`), of a collection.
    func list(_ collection: CloudSigmaCollection, _ query: [String: String], detail: Bool) -> JSON {
        list(stored(collection).mapValues(collection.shown), query, summary: detail ? nil : collection.summary, filters: collection.filters)
    }

    /// One object of a collection, as the API shows it.
    func object(_ collection: CloudSigmaCollection, _ uuid: String) throws(APIError) -> JSON {
        guard let object = stored(collection)[uuid] else { throw .notFound("\(collection.noun) \(uuid)") }
        return collection.shown(object)
    }

    /// A page of a filtered list in the API's envelope: `limit` (20; 0: all), `offset`, exact filters, `name__contains`, `fields`.
    private func list(_ objects: [String: JSON], _ query: [String: String], summary: [String]?, filters: [String]) -> JSON {
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
}
