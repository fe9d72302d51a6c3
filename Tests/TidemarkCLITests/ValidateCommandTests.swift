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
                + "(1 target, 11 retention policies, 11 schedulers, 1 drive binding, 0 backup plans)\n"
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

    @Test func versionAndHelp() async throws {
        let version = try await CLIRunner.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
        let help = try await CLIRunner.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("validate"))
        #expect(help.stdout.contains("preview"))
    }
}
