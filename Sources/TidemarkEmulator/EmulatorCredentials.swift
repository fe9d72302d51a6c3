import Foundation

/// The credentials the emulator accepts unless told otherwise: one place for the demo, the tests and the benchmarks.
public enum EmulatorCredentials {
    public static let user = "tidemark@example.com"
    /// Distinctive, so `.ci/run` can search every test's output for it.
    public static let password = "tm-emulator-pw-5b7e"

    /// `TIDEMARK_USER` and `TIDEMARK_PASSWORD`, as the example Targets name them.
    public static var environment: [String: String] { ["TIDEMARK_USER": user, "TIDEMARK_PASSWORD": password] }

    /// The value of an `Authorization` header with these credentials.
    public static var basicAuthorization: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
}
