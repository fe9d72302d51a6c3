import Hummingbird
import TidemarkJSON

/// The cloudsigma API's routes under `/api/2.0/`, each carried out on the account in `CloudSigmaStore`.
enum CloudSigmaRoutes {
    typealias Group = RouterGroup<CloudSigmaRequestContext>

    static func responder(store: CloudSigmaStore, backupSchedulersEnabled: Bool) -> RouterResponder<CloudSigmaRequestContext> {
        let router = Router(context: CloudSigmaRequestContext.self)
        router.add(middleware: CloudSigmaUnrouted(backupSchedulersEnabled: backupSchedulersEnabled))
        let api = router.group("api/2.0")
        if backupSchedulersEnabled { backupSchedulers(api.group("backupschedulers"), store) }
        drives(api.group("drives"), store)
        snapshots(api.group("snapshots"), store)
        lists(api.group("tags"), .tags, store)
        return router.buildResponder()
    }

    private static func backupSchedulers(_ group: Group, _ store: CloudSigmaStore) {
        lists(group, .backupSchedulers, store)
        group.get("schema") { _, _ in EmulatorResponse.json(200, (try? JSON.parse(Array(BackupSchedulerSchema.json.utf8))) ?? .null) }
        group.post { _, context in
            await store.answer { account throws(APIError) in .json(201, try account.createSchedulers(context.body)) }
        }
        group.delete { _, context in
            await store.answerNoContent { account throws(APIError) in try account.deleteSchedulers(listedIn: context.body) }
        }
        member(group, .put, alsoAt: ["detail", "schema"]) { uuid, context in
            await store.answer { account throws(APIError) in .json(200, try account.updateScheduler(uuid, body: context.body)) }
        }
        member(group, .delete, alsoAt: ["detail", "schema"]) { uuid, _ in
            await store.answerNoContent { account throws(APIError) in try account.deleteSchedulers([uuid]) }
        }
    }

    private static func drives(_ group: Group, _ store: CloudSigmaStore) {
        lists(group, .drives, store)
        group.post(":uuid/action") { _, context in
            await store.answer { account throws(APIError) in
                .json(202, try account.act(onDrive: context.uuid, context.query["do"], body: context.body))
            }
        }
    }

    private static func snapshots(_ group: Group, _ store: CloudSigmaStore) {
        lists(group, .snapshots, store)
        group.post { _, context in
            await store.answer { account throws(APIError) in .json(201, try account.createSnapshots(context.body)) }
        }
        group.delete { _, context in
            await store.answerNoContent { account throws(APIError) in try account.deleteSnapshots(listedIn: context.body) }
        }
        member(group, .delete, alsoAt: ["detail"]) { uuid, _ in
            await store.answerNoContent { account throws(APIError) in try account.deleteSnapshot(uuid) }
        }
    }

    /// `GET` of a collection's summary list, its detail list and one of its objects.
    private static func lists(_ group: Group, _ collection: CloudSigmaCollection, _ store: CloudSigmaStore) {
        group.get { _, context in await store.answer { .json(200, $0.list(collection, context.query, detail: false)) } }
        group.get("detail") { _, context in await store.answer { .json(200, $0.list(collection, context.query, detail: true)) } }
        group.get(":uuid") { _, context in
            await store.answer { account throws(APIError) in .json(200, try account.object(collection, context.uuid)) }
        }
    }

    /// A route on one object, also at the fixed paths the router prefers to `:uuid`, which there count as uuids.
    private static func member(
        _ group: Group, _ method: HTTPRequest.Method, alsoAt paths: [String],
        _ handler: @escaping @Sendable (String, CloudSigmaRequestContext) async -> EmulatorResponse
    ) {
        group.on(":uuid", method: method) { _, context in await handler(context.uuid, context) }
        for path in paths { group.on(RouterPath(path), method: method) { _, context in await handler(path, context) } }
    }
}
