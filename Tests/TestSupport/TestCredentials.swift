/// The credentials the tests use besides the emulator's (`EmulatorCredentials`), one constant each; `.ci/run` checks
/// that none of them appears in anything the suite printed.
public enum TestCredentials {
    /// The token of the HTTPS git peer in the git library's tests.
    public static let gitToken = "s3cret-token"
    /// The token of the HTTPS git peer in the end-to-end tests.
    public static let endToEndGitToken = "e2e-git-token"
    /// A password that must never be printed: in a Target's environment, or in an endpoint URL.
    public static let neverPrinted = "Zq9-never-print-me-7f3a"
    /// A state store password written into a `--state` URL, which tidemark refuses; the refusal must not repeat it.
    /// (The test's own command line shows it, so `.ci/run` does not look for it.)
    public static let inRefusedStateURL = "pg-url-secret-51c"
}
