import Foundation
import Testing

@Suite("tidemark validate")
struct ValidateCommandTests {
    @Test func seedPoliciesAreValid() async throws {
        let result = try await CLIRunner.run(["validate", "policies"])
        #expect(result.status == 0)
        #expect(
            result.stdout
                == "policies: 24 documents in 13 files valid "
                + "(1 target, 11 retention policies, 11 schedulers, 1 drive binding, 0 backup plans, 0 requirements)\n"
        )
        #expect(result.stderr.isEmpty)
    }

    @Test func everyProblemIsPrintedAndTheExitStatusIsOne() async throws {
        let directory = try CLIRunner.temporaryDirectory([
            "b.yaml": "apiVersion: tidemark.io/v1\nkind: RetentionPolicy\nmetadata: {name: r}\nspec: {rules: [{last: 0}]}\n",
            "a.yaml": "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: t}\nspec: {provider: cloudsigma, endpoint: ftp://x}\n",
        ])
        let result = try await CLIRunner.run(["validate", "."], in: directory)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr == """
                ./a.yaml:4:40: error: endpoint 'ftp://x' is not an http(s) URL \
                (write the API base URL, e.g. https://zrh.example.net/api/2.0/)
                ./b.yaml:4:23: error: 'last' in retention rule is 0, outside 1…100000
                2 errors in 2 files under .; fix them and run validate again

                """)
    }

    @Test func aMissingPathIsAClearError() async throws {
        let result = try await CLIRunner.run(["validate", "no/such/dir"])
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "no/such/dir: error: no such file or directory (pass the directory that holds the policy YAML, e.g. --path policies)\n")
    }

    @Test func help() async throws {
        let help = try await CLIRunner.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("validate"))
        #expect(help.stdout.contains("preview"))
    }

    @Test func githubFormatAnnotatesTheLinesAndEscapesWhatTheRunnerUnescapes() async throws {
        let directory = try CLIRunner.temporaryDirectory([
            "b.yaml": "apiVersion: tidemark.io/v1\nkind: RetentionPolicy\nmetadata: {name: r}\nspec: {rules: [{last: 0}]}\n",
            "a,1.yaml": "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: t}\nspec: {provider: cloudsigma, endpoint: ftp://x}\n",
        ])
        let result = try await CLIRunner.run(["validate", ".", "--format", "github"], in: directory)
        #expect(result.status == 1)
        #expect(result.stderr.isEmpty)
        #expect(
            result.stdout == """
                ::error file=./a%2C1.yaml,line=4,col=40,title=tidemark validate::endpoint 'ftp://x' is not an http(s) URL \
                (write the API base URL, e.g. https://zrh.example.net/api/2.0/)
                ::error file=./b.yaml,line=4,col=23,title=tidemark validate::'last' in retention rule is 0, outside 1…100000
                2 errors in the policies under .

                """)
        let valid = try await CLIRunner.run(["validate", "policies", "--format", "github"])
        #expect(valid.status == 0)
        #expect(valid.stdout == "policies: 24 documents valid\n")
    }

    @Test func jsonFormatIsOneVersionedObject() async throws {
        let directory = try CLIRunner.temporaryDirectory([
            "b.yaml": "apiVersion: tidemark.io/v1\nkind: RetentionPolicy\nmetadata: {name: r}\nspec: {rules: [{last: 0}]}\n"
        ])
        let invalid = try await CLIRunner.run(["validate", ".", "--format", "json"], in: directory)
        #expect(invalid.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(invalid.stdout.utf8)) as? [String: Any])
        #expect(report["format_version"] as? String == "1")
        #expect(report["valid"] as? Bool == false)
        let diagnostics = try #require(report["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["file"] as? String == "./b.yaml")
        #expect(diagnostics.first?["line"] as? Int == 4 && diagnostics.first?["column"] as? Int == 23)
        #expect(diagnostics.first?["severity"] as? String == "error")
        #expect(diagnostics.first?["message"] as? String == "'last' in retention rule is 0, outside 1…100000")

        let valid = try await CLIRunner.run(["validate", "policies", "--format", "json"])
        #expect(valid.status == 0)
        let seed = try #require(try JSONSerialization.jsonObject(with: Data(valid.stdout.utf8)) as? [String: Any])
        #expect(seed["valid"] as? Bool == true && seed["documents"] as? Int == 24)
        #expect(
            (seed["counts"] as? [String: Int]) == [
                "targets": 1, "retention_policies": 11, "schedulers": 11, "drive_bindings": 1, "backup_plans": 0,
            ])
        #expect((seed["source"] as? [String: Any])?["path"] as? String == "policies")

        let missing = try await CLIRunner.run(["validate", "no/such/dir", "--format", "json"])
        #expect(missing.status == 1)
        let unreadable = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        #expect(unreadable["valid"] as? Bool == false)
        #expect((unreadable["error"] as? String)?.contains("no such file or directory") == true)
    }
}
