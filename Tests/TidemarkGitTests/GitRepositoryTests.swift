import Foundation
import TestSupport
import Testing
import TidemarkGit
import TidemarkPolicy

@Suite("Reading policies from commits through libgit2")
struct GitRepositoryTests {
    static let target = """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: zrh}
        spec:
          provider: cloudsigma
          endpoint: https://zrh.example.net/api/2.0/
          credentials: {usernameEnv: CS_USER, passwordEnv: CS_PASSWORD}
        """

    static func retention(_ name: String) -> String {
        "apiVersion: tidemark.io/v1\nkind: RetentionPolicy\nmetadata: {name: \(name)}\nspec:\n  rules: [{last: 3}]\n"
    }

    func load(_ repository: GitRepository, _ ref: String, path: String = "policies") throws -> (PolicyLoader.Result, GitCommit) {
        let commit = try repository.resolve(ref)
        let contents = try GitPolicySource(repository: repository, commit: commit, path: path).read()
        var result = PolicyLoader(providers: { _ in nil }).load(contents.files)
        result.diagnostics = (result.diagnostics + contents.diagnostics).sorted()
        return (result, commit)
    }

    @Test func branchesTagsAndCommitIdsResolveToTheirOwnTrees() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.write("policies/keep/a.yaml", Self.retention("a"))
        let first = try fixture.commit("first")
        try fixture.git(["tag", "v1"])
        try fixture.write("policies/keep/b.yml", Self.retention("b"))
        let second = try fixture.commit("second")
        try fixture.git(["branch", "feature", first])

        let repository = try GitRepository.open(at: fixture.path)
        let names = { (ref: String) throws -> [String] in try load(repository, ref).0.policies.retentionPolicies.map(\.name) }
        #expect(try names("main") == ["a", "b"])
        #expect(try names("v1") == ["a"])
        #expect(try names("feature") == ["a"])
        #expect(try names(String(first.prefix(8))) == ["a"])
        #expect(try names(second) == ["a", "b"])
        #expect(try repository.resolve("main") == GitCommit(id: second, summary: "second"))
    }

    @Test func aMovedTagAndADeletedFileAreSeenAtTheNewCommit() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.write("policies/a.yaml", Self.retention("a"))
        try fixture.write("policies/b.yaml", Self.retention("b"))
        try fixture.commit("both")
        try fixture.git(["tag", "production"])
        try fixture.remove("policies/b.yaml")
        let later = try fixture.commit("drop b")
        try fixture.git(["tag", "-f", "production"])

        let repository = try GitRepository.open(at: fixture.path)
        let (result, commit) = try load(repository, "production")
        #expect(commit.id == later)
        #expect(result.policies.retentionPolicies.map(\.name) == ["a"])
        #expect(try load(repository, "production~1").0.policies.retentionPolicies.map(\.name) == ["a", "b"])
    }

    @Test func onlyPolicyDocumentsAreReadAndOtherFilesAreListedAsIgnored() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.write("policies/README.md", "# not yaml\n")
        try fixture.write("policies/logo.png", [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0xFF])
        try fixture.write("policies/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
        try fixture.write("policies/.github/workflow.yaml", "on: push\n")
        try fixture.write("elsewhere/other.yaml", Self.retention("elsewhere"))
        let commit = try fixture.commit("mixed")

        let (result, _) = try load(try GitRepository.open(at: fixture.path), "HEAD")
        let short = String(commit.prefix(10))
        #expect(result.diagnostics.isEmpty)
        #expect(result.policies.files == ["\(short):policies/target.yaml"])
        #expect(result.policies.ignoredFiles == ["\(short):policies/kustomization.yaml"])
        #expect(result.policies.retentionPolicies.isEmpty)
    }

    @Test func diagnosticsNameTheCommitAndThePathInsideTheRepository() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.write(
            "policies/bad.yaml",
            "apiVersion: tidemark.io/v1\nkind: RetentionPolicy\nmetadata: {name: x}\nspec:\n  rules: [{last: 3}]\n  colour: blue\n")
        try fixture.write("policies/latin1.yaml", [0x23, 0x20, 0xE9, 0x0A])
        try fixture.write("policies/binary.yaml", [0x00, 0xFF, 0xFE, 0x00, 0x01])
        try fixture.write("policies/huge.yaml", Array(repeating: UInt8(ascii: "#"), count: 3 << 20))
        let commit = try fixture.commit("problems")

        let (result, _) = try load(try GitRepository.open(at: fixture.path), "main")
        let short = String(commit.prefix(10))
        #expect(
            result.diagnostics.map(\.description) == [
                "\(short):policies/bad.yaml:6:3: error: unknown key 'colour' in RetentionPolicy spec (allowed keys: displayName, rules)",
                "\(short):policies/binary.yaml:1:2: error: file is not valid UTF-8 (byte offset 1) (save policy files as UTF-8)",
                "\(short):policies/huge.yaml:1:1: error: file is 3145728 bytes, larger than the limit of 1048576 bytes "
                    + "(split it into smaller policy files)",
                "\(short):policies/latin1.yaml:1:3: error: file is not valid UTF-8 (byte offset 2) (save policy files as UTF-8)",
            ])
    }

    @Test func symbolicLinksAreFollowedInsideTheRepositoryOnly() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.write("shared/keep.yaml", Self.retention("shared"))
        try fixture.symlink("policies/keep.yaml", to: "../shared/keep.yaml")
        try fixture.symlink("policies/passwd.yaml", to: "/etc/passwd")
        try fixture.symlink("policies/escape.yaml", to: "../../outside.yaml")
        try fixture.symlink("policies/dangling.yaml", to: "missing.yaml")
        let commit = try fixture.commit("links")

        let (result, _) = try load(try GitRepository.open(at: fixture.path), "main")
        let short = String(commit.prefix(10))
        #expect(result.policies.retentionPolicies.map(\.name) == ["shared"])
        #expect(
            result.diagnostics.map(\.description) == [
                "\(short):policies/dangling.yaml:1:1: error: symbolic link to 'missing.yaml' points to nothing in this commit "
                    + "(commit the file it points to, or remove the link)",
                "\(short):policies/escape.yaml:1:1: error: symbolic link to '../../outside.yaml' points outside the repository "
                    + "(policies are read from the commit only; replace the link with the file)",
                "\(short):policies/passwd.yaml:1:1: error: symbolic link to '/etc/passwd' points outside the repository "
                    + "(policies are read from the commit only; replace the link with the file)",
            ])
    }

    @Test func unknownRefsAndPathsSayWhatExists() throws {
        let fixture = try GitFixture()
        defer { fixture.delete() }
        try fixture.write("policies/target.yaml", Self.target)
        try fixture.commit("one")
        try fixture.git(["tag", "v1"])
        let repository = try GitRepository.open(at: fixture.path)

        let badRef = #expect(throws: GitError.self) { try repository.resolve("mian") }
        #expect(badRef?.description == "resolve --ref mian: no branch, tag or commit named 'mian' [reference] (known: main, v1)")
        let commit = try repository.resolve("main")
        let badPath = #expect(throws: GitError.self) { try GitPolicySource(repository: repository, commit: commit, path: "policy").read() }
        #expect(
            badPath?.description
                == "read policy at commit \(commit.shortID): no such file or directory in the commit [tree] "
                + "(check the path against the repository's layout)"
        )
        #expect(badPath?.remedy == .checkPath)
        let notRepository = #expect(throws: GitError.self) {
            try GitRepository.open(at: fixture.root.appendingPathComponent("policies").path)
        }
        #expect(
            notRepository?.description.hasSuffix(
                "not a git repository [repository] (give a repository's directory or a remote URL)") == true)
        #expect(notRepository?.remedy == .giveRepository)
    }
}
