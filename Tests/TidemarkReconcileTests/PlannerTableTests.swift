import Foundation
import TestSupport
import Testing
import TidemarkJSON
import TidemarkPolicy
import TidemarkProviderModel
import TidemarkProviders
import TidemarkReconcile

/// The planner and diff rules of each provider, without sockets: policies in memory, the target an `InMemoryProvider`.
/// Each row plans from an empty target, applies, plans again (nothing left to do), then plans a changed document and
/// expects exactly the fields that change; the end-to-end tier checks the same rules over real HTTP.
@Suite("planner rules per provider, in memory")
struct PlannerTableTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var provider: ProviderKind
        /// The documents besides the Target (named `t`).
        var documents: String
        var drives: [LiveDrive] = []
        var clients: Set<String> = []
        var listed: @Sendable (JSON, SchedulerState) -> JSON = { object, _ in object }
        /// The kinds of the first plan's actions, in order.
        var created: [PlannedAction.Kind]
        /// Text replacements in `documents`, each with the fields of the update it must cause.
        var changes: [(from: String, to: String, fields: [String])]

        var testDescription: String { provider.rawValue }
    }

    static let rows: [Row] = [
        Row(
            provider: .cloudsigma,
            documents: """
                kind: Scheduler
                metadata: {name: daily}
                spec: {target: t, schedule: {timezone: Europe/Zurich, at: ["02:00"]}, retention: {rules: [{period: days, quantity: 7}]}}
                ---
                kind: DriveBinding
                metadata: {name: all}
                spec: {target: t, scheduler: daily, drives: {names: ["db-*"]}}
                """,
            drives: [LiveDrive(id: "d1", name: "db-1"), LiveDrive(id: "d2", name: "web-1")],
            created: [.create, .bind],
            changes: [("02:00", "03:00", ["schedule"]), ("quantity: 7", "quantity: 8", ["retention.rules"])]),
        Row(
            provider: .scheduledBackup,
            documents: """
                kind: BackupPlan
                metadata: {name: nightly}
                spec:
                  target: t
                  mode: full
                  resources: [{id: 0d6c3f0e-5b1a-4f7e-9c1d-8a2b3c4d5e6f, name: data-vol, type: "OS::Cinder::Volume"}]
                  schedule: {timezone: UTC, at: ["02:00"]}
                  retention: {last: 14}
                """,
            created: [.create],
            changes: [
                ("{last: 14}", "{last: 30}", ["max_backups"]), ("0d6c3f0e-5b1a", "1d6c3f0e-5b1a", ["resources"]),
                ("mode: full", "mode: frequency", ["backup_mode"]),
            ]),
        Row(
            provider: .danube,
            documents: """
                kind: Scheduler
                metadata: {name: daily}
                spec: {target: t, schedule: {timezone: UTC, at: ["04:00"]}, retention: {last: 30}, options: {node: node99.example.com}}
                ---
                kind: DriveBinding
                metadata: {name: disks}
                spec: {target: t, scheduler: daily, drives: {names: ["vm-1/*"]}}
                """,
            drives: [
                LiveDrive(id: "vm-1/1", name: "vm-1/1"), LiveDrive(id: "vm-1/2", name: "vm-1/2"), LiveDrive(id: "vm-2/1", name: "vm-2/1"),
            ],
            // The API takes the VM's hostname and the definition's name from the request path and lists them with it.
            listed: { object, state in
                var object = object
                object["hostname"] = .string(String(state.options["drive"]?.split(separator: "/").first ?? ""))
                object["name"] = .string(state.displayName)
                return object
            },
            created: [.create, .create], changes: [("{last: 30}", "{last: 10}", ["retention"]), ("04:00", "05:00", ["schedule"])]),
        Row(
            provider: .freezer,
            documents: """
                kind: Scheduler
                metadata: {name: etc}
                spec:
                  target: t
                  schedule: {timezone: UTC, every: 12h}
                  retention: {rules: [{period: days, quantity: 7}]}
                  options: {clientId: node-1, container: /var/backups/etc, pathToBackup: /etc, storage: local}
                """,
            clients: ["node-1"], created: [.create],
            changes: [("quantity: 7", "quantity: 9", ["remove_older_than"]), ("/var/backups/etc", "/srv/backups", ["container"])]),
    ]

    static func policies(_ row: Row, _ documents: String) throws -> PolicySet {
        let yaml = """
            kind: Target
            metadata: {name: t}
            spec: {provider: \(row.provider.rawValue), endpoint: "http://in-memory.invalid/", credentials: {tokenEnv: T}}
            ---
            \(documents)
            """
        let text = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("kind:") ? "apiVersion: tidemark.io/v1\n" + line : String(line)
        }.joined(separator: "\n")
        let loaded = PolicyLoader(providers: ProviderRegistry.documentRules).load([
            PolicyFile(path: "policies.yaml", contents: Array(text.utf8))
        ])
        try #require(loaded.isValid, "\(loaded.diagnostics)")
        return loaded.policies
    }

    static func plan(_ policies: PolicySet, _ provider: InMemoryProvider) async throws -> TargetPlan {
        let reconciler = Reconciler(instance: "tidemark") { _ in provider }
        return try await reconciler.plan(try #require(policies.target(named: "t")), policies: policies, provider: provider)
    }

    @Test(arguments: rows)
    func createsConvergesAndUpdatesOnlyWhatChanged(_ row: Row) async throws {
        let provider = InMemoryProvider(kind: row.provider, drives: row.drives, clients: row.clients, listed: row.listed)
        let policies = try Self.policies(row, row.documents)

        let first = try await Self.plan(policies, provider)
        #expect(first.errors.isEmpty, "\(first.problems)")
        #expect(first.actions.map(\.kind) == row.created)
        let outcomes = await Reconciler(instance: "tidemark") { _ in provider }.apply(first, provider: provider, journal: nil)
        #expect(outcomes.compactMap(\.error) == [])
        #expect(provider.applied.count == row.created.count)

        let again = try await Self.plan(policies, provider)
        #expect(again.actions.isEmpty, "\(again.actions.map(\.changes))")
        #expect(again.unchanged == row.created.count { $0 == .create })

        for change in row.changes {
            let changed = try Self.policies(row, row.documents.replacingOccurrences(of: change.from, with: change.to))
            let update = try await Self.plan(changed, provider)
            #expect(Set(update.actions.map(\.kind)) == [.update], "\(change.from) → \(change.to)")
            for action in update.actions {
                #expect(action.changes.map(\.field) == change.fields, "\(change.from) → \(change.to)")
                #expect(!action.wire.isEmpty)
            }
        }
    }

    @Test(arguments: rows)
    func removingEveryDocumentIsAMassDeletionTheCallerMustAllow(_ row: Row) async throws {
        let provider = InMemoryProvider(kind: row.provider, drives: row.drives, clients: row.clients, listed: row.listed)
        let policies = try Self.policies(row, row.documents)
        let reconciler = Reconciler(instance: "tidemark") { _ in provider }
        _ = await reconciler.apply(try await Self.plan(policies, provider), provider: provider, journal: nil)

        let onlyTarget = try Self.policies(row, "")
        let refused = try await Self.plan(onlyTarget, provider)
        #expect(refused.errors.map(\.override) == [.massDelete])
        #expect(refused.actions.filter { $0.kind == .delete }.count == row.created.count { $0 == .create })

        let target = try #require(onlyTarget.target(named: "t"))
        let allowed = try await reconciler.plan(target, policies: onlyTarget, provider: provider, allowMassDelete: true)
        #expect(allowed.errors.isEmpty)
        _ = await reconciler.apply(allowed, provider: provider, journal: nil)
        #expect(try await provider.readLiveState().schedulers.isEmpty)
    }

    @Test(arguments: rows)
    func objectsOfAnotherInstanceAreNeitherChangedNorDeleted(_ row: Row) async throws {
        let provider = InMemoryProvider(kind: row.provider, drives: row.drives, clients: row.clients, listed: row.listed)
        let policies = try Self.policies(row, row.documents)
        let other = Reconciler(instance: "other") { _ in provider }
        let theirs = try await other.plan(try #require(policies.target(named: "t")), policies: policies, provider: provider)
        _ = await other.apply(theirs, provider: provider, journal: nil)
        let before = provider.applied.count

        let plan = try await Self.plan(try Self.policies(row, ""), provider)
        #expect(plan.actions.isEmpty)
        #expect(plan.errors.isEmpty)
        #expect(provider.applied.count == before)
    }
}
