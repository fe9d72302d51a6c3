import Foundation
import TestSupport
import Testing
import TidemarkEmulator
import TidemarkJSON

/// plan, apply, validate and import reading policies from git: every remote kind, against the emulator.
@Suite("Policies from git end to end", .serialized)
struct GitSourceEndToEndTests {
    /// The workspace's policies committed to a repository, and a bare remote (`policies.git`) it pushes to.
    struct GitWorkspace {
        let workspace: ReconcileWorkspace
        let repository: GitFixture
        let remoteBase: URL
        var bare: String { remoteBase.appendingPathComponent("policies.git").path }
        var cache: String { remoteBase.appendingPathComponent("cache").path }

        static func start() async throws -> GitWorkspace {
            let workspace = try await ReconcileWorkspace.start()
            try "# Policies\n".write(to: workspace.policies.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
            try "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                .write(to: workspace.policies.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
            let repository = try GitFixture(committing: workspace.directory, message: "policies")
            let remoteBase = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-e2e-remote-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: remoteBase, withIntermediateDirectories: true)
            _ = try GitFixture.run(["clone", "-q", "--bare", workspace.directory.path, "policies.git"], in: remoteBase)
            try repository.git(["remote", "add", "origin", remoteBase.appendingPathComponent("policies.git").path])
            return GitWorkspace(workspace: workspace, repository: repository, remoteBase: remoteBase)
        }

        /// Commits the workspace as it is now and pushes it; returns the commit id.
        @discardableResult
        func commitAndPush(_ message: String) throws -> String {
            let commit = try repository.commit(message)
            try repository.git(["push", "-q", "origin", "main"])
            return commit
        }

        /// Runs tidemark with `--repo URL --ref REF --repo-cache …` (and `--path policies`) outside the work tree.
        func run(_ arguments: [String], repo: String, ref: String = "main", environment: [String: String] = [:]) async throws
            -> CLIRunner.Output
        {
            try await CLIRunner.run(
                arguments + ["--repo", repo, "--ref", ref, "--repo-cache", cache, "--path", "policies"], in: remoteBase,
                environment: EmulatorCredentials.environment.merging(["NO_COLOR": "1"]) { $1 }
                    .merging(environment) { $1 })
        }

        func plan(repo: String, ref: String = "main", environment: [String: String] = [:]) async throws -> JSON {
            let output = try await run(["plan", "--json"], repo: repo, ref: ref, environment: environment)
            guard output.status == 0 else { throw FixtureError("plan failed: \(output.stderr)") }
            return try JSON.parse(Data(output.stdout.utf8))
        }

        func stop(verifying: Bool = true) async {
            await workspace.stop(verifying: verifying)
            try? FileManager.default.removeItem(at: remoteBase)
        }
    }

    @Test func everyRemoteKindPlansTheSameCommitAndApplyConverges() async throws {
        let git = try await GitWorkspace.start()
        defer { Task { await git.stop(verifying: false) } }
        let head = try git.repository.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = try GitDaemon(basePath: git.remoteBase.path)
        defer { daemon.stop() }
        let https = try GitHTTPServer(root: git.remoteBase.path, token: TestCredentials.endToEndGitToken, tls: true)
        defer { https.stop() }
        let ssh = try SSHServer()
        defer { ssh.stop() }

        let remotes: [(String, [String: String], [String])] = [
            (git.workspace.directory.path, [:], []),
            ("file://" + git.bare, [:], []),
            (daemon.url("policies.git"), [:], []),
            (
                https.url("policies.git"), ["TIDEMARK_GIT_TOKEN": TestCredentials.endToEndGitToken],
                ["--repo-ca-file", https.certificateFile ?? ""]
            ),
            (ssh.url(git.bare), [:], ["--repo-ssh-key", ssh.clientKey, "--repo-known-hosts", ssh.knownHosts]),
        ]
        for (url, environment, extra) in remotes {
            let output = try await git.run(["plan", "--json"] + extra, repo: url, environment: environment)
            #expect(output.status == 0, "\(url): \(output.stderr)")
            let plan = try JSON.parse(Data(output.stdout.utf8))
            #expect(plan["source"]?["commit"]?.stringValue == head, "\(url)")
            #expect(plan["source"]?["repository"]?.stringValue == url)
            #expect(plan["source"]?["ref"] == "main")
            #expect(
                plan["summary"] == [
                    "create": 11, "update": 0, "adopt": 0, "bind": 3, "unbind": 0, "delete": 0, "retroactive_deletions": 0,
                ], "\(url)")
            #expect(!output.stdout.contains(TestCredentials.endToEndGitToken) && !output.stderr.contains(TestCredentials.endToEndGitToken))
        }
        // Without the flag a remote needs, the error names it (the git library only says what is missing).
        let keyless = try await git.run(["plan", "--repo-known-hosts", ssh.knownHosts], repo: ssh.url(git.bare))
        #expect(keyless.status == 1)
        #expect(keyless.stderr.contains("the remote asks for credentials and none were given"), "\(keyless.stderr)")
        #expect(keyless.stderr.contains("(set an ssh key (--repo-ssh-key))"), "\(keyless.stderr)")
        let untrusted = try await git.run(
            ["plan"], repo: https.url("policies.git"), environment: ["TIDEMARK_GIT_TOKEN": TestCredentials.endToEndGitToken])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("pass its CA with --repo-ca-file"), "\(untrusted.stderr)")
        let applied = try await git.run(["apply", "--auto-approve"], repo: daemon.url("policies.git"))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try await git.run(["plan", "--detailed-exitcode"], repo: "file://" + git.bare).status == 0)
        await git.stop()
    }

    @Test func aFileDeletedInTheNextCommitIsPlannedAsDeleteAndThePlanNamesTheCommitAndItsFiles() async throws {
        let git = try await GitWorkspace.start()
        defer { Task { await git.stop(verifying: false) } }
        let url = "file://" + git.bare
        #expect(try await git.run(["apply", "--auto-approve"], repo: url).status == 0)
        try git.workspace.remove("schedulers/03-every-sunday-2300.yaml")
        let commit = try git.commitAndPush("drop the Sunday scheduler")

        let text = try await git.run(["plan"], repo: url)
        #expect(text.stdout.contains("tidemark plan of \(url) policies @ main (commit \(commit.prefix(10))) (12 files, digest "))
        #expect(text.stdout.contains("  read policies/target.yaml\n"))
        #expect(text.stdout.contains("  ignored policies/kustomization.yaml (no tidemark documents)\n"))
        #expect(!text.stdout.contains("README.md"))
        #expect(text.stdout.contains("  - scheduler every-sunday-2300 ("))
        let markdown = try await git.run(["plan", "--markdown"], repo: url)
        #expect(markdown.stdout.contains("Policies: `\(url) policies @ main (commit \(commit.prefix(10)))`"))
        let json = try await git.plan(repo: url)
        #expect(ReconcileWorkspace.actions(json) == ["delete scheduler every-sunday-2300"])
        #expect(json["source"]?["ignored_files"] == ["policies/kustomization.yaml"])
        #expect(json["source"]?["files"]?.arrayValue?.contains("policies/schedulers/03-every-sunday-2300.yaml") == false)
        await git.stop()
    }

    @Test func aSavedPlanIsRefusedWhenTheRefNowNamesAnotherCommit() async throws {
        let git = try await GitWorkspace.start()
        defer { Task { await git.stop(verifying: false) } }
        let url = "file://" + git.bare
        let first = try git.repository.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let planFile = git.remoteBase.appendingPathComponent("plan.json").path
        #expect(try await git.run(["plan", "--out", planFile], repo: url).status == 0)
        try git.workspace.edit("schedulers/07-weekday-3am.yaml") { $0.replacingOccurrences(of: "at: [\"03:00\"]", with: "at: [\"04:00\"]") }
        let second = try git.commitAndPush("weekday backups at 04:00")

        git.workspace.emulator.requests.reset()
        let refused = try await git.run(["apply", planFile], repo: url)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "error: the plan was made from commit \(first), but --ref main is commit \(second) now; refusing to apply it"))
        #expect(git.workspace.emulator.requests.all.allSatisfy { $0.method == "GET" })
        let pinned = try await git.run(["apply", planFile], repo: url, ref: first)
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stdout.contains("Apply complete: 14 succeeded, 0 failed."))
        await git.stop()
    }

    @Test func anUnreachableRemoteFailsClearlyBeforeAnyRequest() async throws {
        let git = try await GitWorkspace.start()
        defer { Task { await git.stop(verifying: false) } }
        let url = "git://127.0.0.1:\(try FreePort.find())/policies.git"
        git.workspace.emulator.requests.reset()
        let output = try await git.run(["apply", "--auto-approve"], repo: url)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: \(url): fetch \(url): "))
        #expect(output.stderr.contains("(check that the remote is reachable and the URL is right)"))
        #expect(git.workspace.emulator.requests.all.isEmpty)
        await git.stop()
    }

    @Test func validateNamesTheCommitAndImportWritesToDiskNotToGit() async throws {
        let git = try await GitWorkspace.start()
        defer { Task { await git.stop(verifying: false) } }
        let url = "file://" + git.bare
        try git.workspace.edit("schedulers/07-weekday-3am.yaml") { $0.replacingOccurrences(of: "Etc/UTC", with: "Mars/Olympus") }
        let broken = try git.commitAndPush("a bad timezone")
        let validated = try await CLIRunner.run(
            ["validate", "--repo", url, "--ref", "main", "--repo-cache", git.cache, "policies"], in: git.remoteBase)
        #expect(validated.status == 1)
        #expect(validated.stderr.contains("\(broken.prefix(10)):policies/schedulers/07-weekday-3am.yaml:"))
        #expect(validated.stderr.contains("error: invalid timezone 'Mars/Olympus'"))
        let annotated = try await CLIRunner.run(
            ["validate", "--repo", url, "--ref", "main", "--repo-cache", git.cache, "policies", "--format", "github"], in: git.remoteBase)
        #expect(annotated.status == 1)
        #expect(annotated.stdout.contains("::error file=policies/schedulers/07-weekday-3am.yaml,line="), "\(annotated.stdout)")
        let earlier = try await CLIRunner.run(
            ["validate", "--repo", url, "--ref", "main~1", "--repo-cache", git.cache, "policies"], in: git.remoteBase)
        #expect(earlier.status == 0, "\(earlier.stderr)")
        #expect(earlier.stdout.contains("ignored 1 file without tidemark documents: policies/kustomization.yaml"))

        let out = git.remoteBase.appendingPathComponent("imported").path
        let imported = try await git.run(["import", "--target", "local", "--out", out], repo: url, ref: "main~1")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try git.repository.git(["status", "--porcelain"]).isEmpty)
        #expect(try git.git(["--git-dir", git.bare, "rev-parse", "main"]) == broken + "\n")
        await git.stop()
    }
}

extension GitSourceEndToEndTests.GitWorkspace {
    func git(_ arguments: [String]) throws -> String { try GitFixture.run(arguments, in: remoteBase) }
}
