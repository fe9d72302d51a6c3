import Foundation

/// An OpenSSH `known_hosts` file: which host keys are trusted for which hosts.
///
/// Debian's libgit2 1.5 does not check ssh host keys itself, so Tidemark does, in its certificate callback.
/// Plain and `[host]:port` patterns are read; hashed (`|1|…`), wildcard and `@cert-authority` lines are not.
public struct KnownHosts: Sendable {
    struct Entry: Sendable {
        var hosts: [String]
        var key: [UInt8]
    }

    public let path: String
    let entries: [Entry]

    public enum Verdict: Equatable, Sendable {
        case trusted
        case unknown
        case changed
    }

    public init(path: String) {
        self.path = path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@"),
                let key = Data(base64Encoded: String(fields[2]))
            else { return nil }
            return Entry(hosts: fields[0].split(separator: ",").map(String.init), key: [UInt8](key))
        }
    }

    /// The name `known_hosts` uses for a host and port: `host`, or `[host]:port` when the port is not 22.
    public static func name(host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host }
        return "[\(host)]:\(port)"
    }

    public func verify(host: String, port: Int?, key: [UInt8]) -> Verdict {
        let name = Self.name(host: host, port: port)
        let listed = entries.filter { $0.hosts.contains(name) }
        if listed.contains(where: { $0.key == key }) { return .trusted }
        return listed.isEmpty ? .unknown : .changed
    }
}
