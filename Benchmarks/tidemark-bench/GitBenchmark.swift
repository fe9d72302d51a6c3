import Foundation
import TestSupport
import TidemarkGit
import TidemarkPolicy
import TidemarkProviders

/// Fetch and load a repository of 10,000 policy files: cold and warm fetches over file:// and git://, then
/// reading the commit's tree and loading (parsing and validating) every document.
enum GitBenchmark {
    static let fileCount = 10_000

    static func run() throws {
        let work = try GitFixture()
        defer { work.delete() }
        try work.write(
            "policies/target.yaml",
            """
            apiVersion: tidemark.io/v1
            kind: Target
            metadata: {name: bench}
            spec:
              provider: cloudsigma
              endpoint: http://127.0.0.1:8789/api/2.0/
              credentials: {usernameEnv: U, passwordEnv: P}
            """)
        for index in 0..<fileCount - 1 {
            try work.write(
                "policies/schedulers/\(index / 1000)/s\(index).yaml",
                """
                apiVersion: tidemark.io/v1
                kind: RetentionPolicy
                metadata: {name: keep-\(index)}
                spec:
                  rules: [{period: days, quantity: 7}, {period: weeks, quantity: 4}]
                ---
                apiVersion: tidemark.io/v1
                kind: Scheduler
                metadata: {name: s-\(index)}
                spec:
                  target: bench
                  type: snapshot
                  schedule: {timezone: Europe/Zurich, at: ["\(String(format: "%02d", index % 24)):\(String(format: "%02d", index % 60))"]}
                  retention: keep-\(index)
                """)
        }
        try work.commit("10,000 policy files")
        let base = work.root.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        _ = try GitFixture.run(["clone", "-q", "--bare", work.path, "policies.git"], in: base)
        let daemon = try GitDaemon(basePath: base.path)
        defer { daemon.stop() }
        let clock = ContinuousClock()

        for (label, url) in [
            ("file://", "file://" + base.appendingPathComponent("policies.git").path), ("git://", daemon.url("policies.git")),
        ] {
            let cache = GitMirrorCache(directory: work.root.appendingPathComponent("cache-\(label.prefix(4))").path)
            let cold = try clock.measure { _ = try cache.fetch(url, credentials: GitCredentials()) }
            let warm = try clock.measure { _ = try cache.fetch(url, credentials: GitCredentials()) }
            print(
                "tidemark  git    fetch \(label.padding(toLength: 7, withPad: " ", startingAt: 0)) \(fileCount) files: "
                    + "cold \(format(cold)), warm (no new commits) \(format(warm))"
            )
        }
        let repository = try GitMirrorCache(directory: work.root.appendingPathComponent("cache-file").path)
            .cached("file://" + base.appendingPathComponent("policies.git").path)
        let commit = try repository.resolve(GitMirrorCache.revision(for: "HEAD"))
        var contents: GitPolicySource.Contents?
        let read = try clock.measure { contents = try GitPolicySource(repository: repository, commit: commit, path: "policies").read() }
        var result: PolicyLoader.Result?
        let load = clock.measure { result = PolicyLoader(providers: ProviderRegistry.documentRules).load(contents!.files) }
        let documents = result!.policies.documentCount
        let errors = result!.diagnostics.count
        print(
            "tidemark  git    read tree \(contents!.files.count) files \(format(read)); "
                + "load + validate \(documents) documents \(format(load)), \(errors) diagnostics"
        )
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.0f ms", (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 1000)
    }
}
