import Foundation
import TestSupport
import Testing
import TidemarkGit

@Suite("Fetching remotes into the mirror cache", .serialized)
struct GitRemoteTests {
    /// A bare repository under a base directory, with one commit pushed to `main`, and a clean cache.
    struct Remote {
        let base: URL
        let work: GitFixture
        let cache: GitMirrorCache
        var barePath: String { base.appendingPathComponent("policies.git").path }

        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-remote-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            _ = try GitFixture.run(["init", "-q", "--bare", "-b", "main", "policies.git"], in: base)
            work = try GitFixture()
            try work.git(["remote", "add", "origin", base.appendingPathComponent("policies.git").path])
            cache = GitMirrorCache(directory: base.appendingPathComponent("cache").path)
        }

        @discardableResult
        func push(_ file: String, _ text: String, tag: String? = nil) throws -> String {
            try work.write(file, text)
            let commit = try work.commit("add \(file)")
            try work.git(["push", "-q", "--force", "origin", "main"])
            if let tag {
                try work.git(["tag", "-f", tag])
                try work.git(["push", "-q", "--force", "origin", "refs/tags/\(tag)"])
            }
            return commit
        }

        func fileNames(_ repository: GitRepository, _ ref: String) throws -> [String] {
            let commit = try repository.resolve(GitMirrorCache.revision(for: ref))
            return try repository.files(at: commit, under: "policies", maxBytes: 1 << 20) { _ in true }.map(\.path)
        }

        func delete() {
            work.delete()
            try? FileManager.default.removeItem(at: base)
        }
    }

    @Test func fileURLsFetchBranchesTagsAndTheRemoteHEAD() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let first = try remote.push("policies/a.yaml", "a: 1\n", tag: "v1")
        let url = "file://" + remote.barePath
        var mirror = try remote.cache.fetch(url, credentials: GitCredentials())
        #expect(try mirror.resolve("main").id == first)
        #expect(try remote.fileNames(mirror, "HEAD") == ["policies/a.yaml"])

        let second = try remote.push("policies/b.yaml", "b: 1\n", tag: "v1")
        mirror = try remote.cache.fetch(url, credentials: GitCredentials())
        #expect(try mirror.resolve("main").id == second)
        #expect(try mirror.resolve("v1").id == second, "a moved tag follows the remote")
        #expect(try remote.fileNames(mirror, "v1") == ["policies/a.yaml", "policies/b.yaml"])
        #expect(try remote.fileNames(mirror, first) == ["policies/a.yaml"])
    }

    @Test func gitProtocolThroughGitDaemon() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let commit = try remote.push("policies/a.yaml", "a: 1\n")
        let daemon = try GitDaemon(basePath: remote.base.path)
        defer { daemon.stop() }
        let mirror = try remote.cache.fetch(daemon.url("policies.git"), credentials: GitCredentials())
        #expect(try mirror.resolve("main").id == commit)
        #expect(try remote.fileNames(mirror, "main") == ["policies/a.yaml"])
    }

    @Test func aFailedFetchLeavesTheCacheUsable() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let commit = try remote.push("policies/a.yaml", "a: 1\n")
        let url = "file://" + remote.barePath
        _ = try remote.cache.fetch(url, credentials: GitCredentials())
        try FileManager.default.moveItem(atPath: remote.barePath, toPath: remote.barePath + ".away")

        let error = #expect(throws: GitError.self) { try remote.cache.fetch(url, credentials: GitCredentials()) }
        #expect(error?.operation == "fetch \(url)")
        let cached = try remote.cache.cached(url)
        #expect(try cached.resolve("main").id == commit)
        #expect(try remote.fileNames(cached, "main") == ["policies/a.yaml"])
    }

    @Test func anUnreachableRemoteIsAClearErrorAndCreatesNoCache() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let port = try FreePort.find()
        let url = "git://127.0.0.1:\(port)/policies.git"
        let error = #expect(throws: GitError.self) { try remote.cache.fetch(url, credentials: GitCredentials()) }
        #expect(error?.operation == "fetch \(url)")
        #expect(error?.errorClass == "os" || error?.errorClass == "net")
        #expect(error?.hint == "check that the remote is reachable and the URL is right")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: remote.cache.directory).filter { !$0.hasSuffix(".lock") }
        #expect(leftovers.isEmpty)
    }

    @Test func httpsWithATokenFromTheEnvironmentAndATrustedCA() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let commit = try remote.push("policies/a.yaml", "a: 1\n")
        let server = try GitHTTPServer(root: remote.base.path, token: TestCredentials.gitToken, tls: true)
        defer { server.stop() }
        let url = server.url("policies.git")

        let mirror = try remote.cache.fetch(
            url, credentials: .fromEnvironment(["TIDEMARK_GIT_TOKEN": TestCredentials.gitToken], sshKeyFile: nil),
            caFile: server.certificateFile)
        #expect(try mirror.resolve("main").id == commit)

        let wrong = #expect(throws: GitError.self) {
            try remote.cache.fetch(url, credentials: GitCredentials(token: "wrong"), caFile: server.certificateFile)
        }
        #expect(wrong?.description.contains(TestCredentials.gitToken) == false)
        #expect(wrong?.description.contains("the remote refused the credentials") == true)
        let missing = #expect(throws: GitError.self) {
            try remote.cache.fetch(url, credentials: GitCredentials(), caFile: server.certificateFile)
        }
        #expect(missing?.remedy == .giveToken)
        #expect(missing?.description.contains("the remote asks for credentials and none were given") == true)
        let untrusted = #expect(throws: GitError.self) {
            try GitMirrorCache(directory: remote.cache.directory + "-2").fetch(
                url, credentials: GitCredentials(token: TestCredentials.gitToken))
        }
        #expect(untrusted?.remedy == .trustServerCertificate)
    }

    @Test func sshWithAKeyFileAndAKnownHostKey() throws {
        let remote = try Remote()
        defer { remote.delete() }
        let commit = try remote.push("policies/a.yaml", "a: 1\n")
        let server = try SSHServer()
        defer { server.stop() }
        let url = server.url(remote.barePath)

        let mirror = try remote.cache.fetch(
            url, credentials: GitCredentials(sshKeyFile: server.clientKey, knownHostsFile: server.knownHosts))
        #expect(try mirror.resolve("main").id == commit)

        let strangerHosts = remote.base.appendingPathComponent("empty_known_hosts").path
        try "".write(toFile: strangerHosts, atomically: true, encoding: .utf8)
        let unknown = #expect(throws: GitError.self) {
            try remote.cache.fetch(url, credentials: GitCredentials(sshKeyFile: server.clientKey, knownHostsFile: strangerHosts))
        }
        #expect(unknown?.description.contains("the host key of [127.0.0.1]:\(server.port) (SHA256:") == true)
        #expect(unknown?.description.contains("is not in \(strangerHosts)") == true)

        let impostor = remote.base.appendingPathComponent("changed_known_hosts").path
        let otherKey = try String(contentsOfFile: server.clientKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(
            separator: " ")
        try "[127.0.0.1]:\(server.port) \(otherKey)\n".write(toFile: impostor, atomically: true, encoding: .utf8)
        let changed = #expect(throws: GitError.self) {
            try remote.cache.fetch(url, credentials: GitCredentials(sshKeyFile: server.clientKey, knownHostsFile: impostor))
        }
        #expect(changed?.description.contains("refusing to connect, the server may be impersonated") == true)

        let keyless = #expect(throws: GitError.self) {
            try remote.cache.fetch(url, credentials: GitCredentials(knownHostsFile: server.knownHosts))
        }
        #expect(keyless?.remedy == .giveSSHKey)
    }

    @Test func passwordsInURLsAreRedacted() {
        #expect(
            GitRepositoryLocation("https://bot:ghp_secret@example.com/org/policies.git").redacted
                == "https://bot:***@example.com/org/policies.git")
        #expect(GitRepositoryLocation("ssh://git@example.com/org/policies.git").redacted == "ssh://git@example.com/org/policies.git")
        #expect(GitRepositoryLocation("git@example.com:org/policies.git") == .remote(url: "git@example.com:org/policies.git"))
        #expect(GitRepositoryLocation("./policies-repo") == .local(path: "./policies-repo"))
        #expect(GitRepositoryLocation("/srv/git/policies") == .local(path: "/srv/git/policies"))
    }
}
