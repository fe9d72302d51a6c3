import Foundation

/// Runs short helper commands (openssl, ssh-keygen, sshd's launcher) for test fixtures.
enum Subprocess {
    /// Runs the command to completion; throws when it exits with a non-zero status.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("\(arguments.first ?? executable) failed") }
    }
}
