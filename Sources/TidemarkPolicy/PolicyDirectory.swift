import Foundation

/// Reads the `*.yaml`/`*.yml` files under a directory, recursively, in a stable order.
public struct PolicyDirectory: Sendable {
    public let path: String
    public let limits: YAMLLimits

    public init(path: String, limits: YAMLLimits = .default) {
        self.path = path
        self.limits = limits
    }

    /// The policy files, sorted by path; hidden files and directories (`.git`) are skipped.
    /// A file over the size limit is read only up to the limit, so the loader can refuse it cheaply.
    public func files() throws(PolicySourceError) -> [PolicyFile] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PolicySourceError(
                path: path, reason: "no such file or directory",
                hint: "pass the directory that holds the policy YAML, e.g. --path policies")
        }
        guard isDirectory.boolValue else { return [try read(path)] }
        var found: [String] = []
        try walk(path, into: &found)
        return try found.sorted().map(read)
    }

    private func walk(_ directory: String, into found: inout [String]) throws(PolicySourceError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PolicySourceError(path: directory, reason: "cannot list the directory", hint: "check its permissions")
        }
        for name in names where !name.hasPrefix(".") {
            let child = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let type = (try? FileManager.default.attributesOfItem(atPath: child)[.type]) as? FileAttributeType
            if type == .typeDirectory {
                try walk(child, into: &found)
            } else if PolicyFile.isPolicyFileName(name), type == .typeRegular || type == .typeSymbolicLink {
                found.append(child)
            }
        }
    }

    private func read(_ file: String) throws(PolicySourceError) -> PolicyFile {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw PolicySourceError(path: file, reason: "cannot open the file", hint: "check that it exists and is readable")
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limits.maxFileBytes + 1) ?? Data()
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int
            return PolicyFile(path: file, contents: [UInt8](data), byteCount: max(size ?? 0, data.count))
        } catch {
            throw PolicySourceError(
                path: file, reason: "cannot read the file: \(error.localizedDescription)", hint: "check its permissions")
        }
    }
}

/// A policy path that cannot be read at all.
public struct PolicySourceError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var hint: String

    public var description: String { "\(path): error: \(reason) (\(hint))" }
}
