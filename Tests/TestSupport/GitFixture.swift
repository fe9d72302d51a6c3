import Foundation

/// A real git repository in a temporary directory, built with the git command line.
public struct GitFixture: Sendable {
    public let root: URL
    public var path: String { root.path }

    /// An empty repository whose first branch is `main`.
    public init(bare: Bool = false) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try git(bare ? ["init", "-q", "--bare", "-b", "main"] : ["init", "-q", "-b", "main"])
    }

    /// A repository made in an existing directory, with everything in it committed on `main`.
    public init(committing directory: URL, message: String) throws {
        root = directory
        try git(["init", "-q", "-b", "main"])
        try commit(message)
    }

    public func write(_ path: String, _ text: String) throws {
        try write(path, Array(text.utf8))
    }

    public func write(_ path: String, _ bytes: [UInt8]) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    public func symlink(_ path: String, to destination: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: destination)
    }

    public func remove(_ path: String) throws {
        try git(["rm", "-q", "-r", path])
    }

    /// Stages everything and commits; returns the new commit id.
    @discardableResult
    public func commit(_ message: String) throws -> String {
        try git(["add", "-A"])
        try git(["commit", "-q", "--allow-empty", "-m", message])
        return try git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git in the repository and returns its standard output; throws with its standard error on failure.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        try GitFixture.run(arguments, in: root)
    }

    public static func run(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("git \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A git that ignores the machine's and the user's configuration.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Tidemark Tests"
        environment["GIT_AUTHOR_EMAIL"] = "tests@tidemark.invalid"
        environment["GIT_COMMITTER_NAME"] = "Tidemark Tests"
        environment["GIT_COMMITTER_EMAIL"] = "tests@tidemark.invalid"
        return environment
    }

    public func delete() {
        try? FileManager.default.removeItem(at: root)
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
