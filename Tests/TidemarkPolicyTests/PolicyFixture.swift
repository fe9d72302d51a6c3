import Foundation
import TidemarkPolicy
import TidemarkProviders

/// A temporary policy directory written from strings, loaded through the real loader.
struct PolicyFixture {
    let root: URL

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-policy-\(UUID().uuidString)")
        for (path, text) in files { try write(path, Array(text.utf8)) }
    }

    func write(_ path: String, _ bytes: [UInt8]) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func load(limits: YAMLLimits = .default) throws -> PolicyLoader.Result {
        try PolicyLoader(limits: limits, providers: ProviderRegistry.documentRules).load(path: root.path)
    }

    /// Diagnostics as printed, with the temporary root replaced by `dir`.
    func diagnostics(limits: YAMLLimits = .default) throws -> [String] {
        try load(limits: limits).diagnostics.map { $0.description.replacingOccurrences(of: root.path, with: "dir") }
    }
}

/// A Target, RetentionPolicy and Scheduler that validate, for fixtures to vary.
enum Documents {
    static let target = """
        apiVersion: tidemark.io/v1
        kind: Target
        metadata: {name: zrh}
        spec:
          provider: cloudsigma
          endpoint: https://zrh.example.net/api/2.0/
          credentials: {usernameEnv: CS_USER, passwordEnv: CS_PASSWORD}
        """

    static let retention = """
        apiVersion: tidemark.io/v1
        kind: RetentionPolicy
        metadata: {name: week}
        spec:
          rules:
            - {period: days, quantity: 7}
        """

    /// A scheduler whose `schedule:` body is `schedule` (indented by the caller's four spaces).
    static func scheduler(
        name: String = "nightly", target: String = "zrh", retention: String = "week",
        schedule: String = "    timezone: Europe/Zurich\n    at: [\"03:00\"]"
    ) -> String {
        """
        apiVersion: tidemark.io/v1
        kind: Scheduler
        metadata: {name: \(name)}
        spec:
          target: \(target)
          schedule:
        \(schedule)
          retention: \(retention)
        """
    }
}
