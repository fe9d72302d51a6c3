import CGit2

/// A git repository opened through libgit2; reads commits and trees, never a work tree.
///
/// Not thread-safe (libgit2 repositories are not): use one instance from one task at a time.
public final class GitRepository {
    let pointer: OpaquePointer
    /// Where the repository lives on disk.
    public let path: String
    /// The object database, opened on first use and kept for every later read.
    private var database: OpaquePointer?

    init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        if let database { git_odb_free(database) }
        git_repository_free(pointer)
    }

    /// Opens the repository at `path` (a work tree, its `.git`, or a bare repository).
    public static func open(at path: String) throws(GitError) -> GitRepository {
        LibGit2.ensureInitialised()
        var repository: OpaquePointer?
        let result = git_repository_open(&repository, path)
        if result == GIT_ENOTFOUND.rawValue {
            throw GitError(
                code: result, errorClass: "repository", operation: "open repository \(path)",
                message: "not a git repository", remedy: .giveRepository)
        }
        try LibGit2.check(result, "open repository \(path)")
        return GitRepository(pointer: repository!, path: path)
    }

    /// Resolves a branch, tag, commit id (full or abbreviated) or any revision expression to a commit.
    public func resolve(_ revision: String) throws(GitError) -> GitCommit {
        var object: OpaquePointer?
        let result = git_revparse_single(&object, pointer, revision)
        if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue || result == GIT_EAMBIGUOUS.rawValue {
            let known = references()
            throw GitError(
                code: result, errorClass: "reference", operation: "resolve --ref \(revision)",
                message: result == GIT_EAMBIGUOUS.rawValue
                    ? "the abbreviated commit id is ambiguous" : "no branch, tag or commit named '\(revision)'",
                hint: known.isEmpty ? "the repository has no branches or tags" : "known: \(known.prefix(20).joined(separator: ", "))")
        }
        try LibGit2.check(result, "resolve --ref \(revision)")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try LibGit2.check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "resolve --ref \(revision) to a commit")
        defer { git_object_free(peeled) }
        let summary = git_commit_summary(peeled).map { String(cString: $0) } ?? ""
        return GitCommit(id: LibGit2.hex(git_commit_id(peeled)), summary: summary)
    }

    /// Short names of the branches and tags, for hints.
    func references() -> [String] {
        var names = git_strarray()
        guard git_reference_list(&names, pointer) == 0 else { return [] }
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { index in
            names.strings[index].map { String(cString: $0) }
        }
        .filter { $0.hasPrefix("refs/heads/") || $0.hasPrefix("refs/tags/") }
        .map { $0.replacingPrefix("refs/heads/").replacingPrefix("refs/tags/") }
        .sorted()
    }

    /// The files under `directory` (a path inside the commit's tree; "" or "." for the root) whose names pass
    /// `include`, recursively, sorted by path. Hidden entries (`.github/`, `.gitignore`) are skipped.
    /// A blob larger than `maxBytes` is returned with its size and no contents, without being read.
    public func files(
        at commit: GitCommit, under directory: String, maxBytes: Int,
        include: (String) -> Bool
    ) throws(GitError) -> [GitTreeFile] {
        let root = try tree(of: commit)
        defer { git_tree_free(root) }
        let prefix = Self.normalised(directory)
        guard !prefix.isEmpty else {
            var found: [GitTreeFile] = []
            try walk(root, prefix: "", maxBytes: maxBytes, include: include, into: &found)
            return found.sorted { $0.path < $1.path }
        }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, root, prefix)
        if result == GIT_ENOTFOUND.rawValue {
            throw GitError(
                code: result, errorClass: "tree", operation: "read \(prefix) at commit \(commit.shortID)",
                message: "no such file or directory in the commit", remedy: .checkPath)
        }
        try LibGit2.check(result, "read \(prefix) at commit \(commit.shortID)")
        defer { git_tree_entry_free(entry) }
        if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
            var subtree: OpaquePointer?
            try LibGit2.check(git_tree_lookup(&subtree, pointer, git_tree_entry_id(entry)), "read tree \(prefix)")
            defer { git_tree_free(subtree) }
            var found: [GitTreeFile] = []
            try walk(subtree!, prefix: prefix + "/", maxBytes: maxBytes, include: include, into: &found)
            return found.sorted { $0.path < $1.path }
        }
        return [try file(entry!, path: prefix, maxBytes: maxBytes)].compactMap { $0 }
    }

    /// The file at `path` in the commit, or nil when there is none (or it is a directory).
    public func file(at commit: GitCommit, path: String, maxBytes: Int) throws(GitError) -> GitTreeFile? {
        let root = try tree(of: commit)
        defer { git_tree_free(root) }
        var entry: OpaquePointer?
        let result = git_tree_entry_bypath(&entry, root, Self.normalised(path))
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(result, "read \(path) at commit \(commit.shortID)")
        defer { git_tree_entry_free(entry) }
        return try file(entry!, path: Self.normalised(path), maxBytes: maxBytes)
    }

    private func tree(of commit: GitCommit) throws(GitError) -> OpaquePointer {
        var oid = git_oid()
        try LibGit2.check(git_oid_fromstr(&oid, commit.id), "parse commit id \(commit.id)")
        var commitObject: OpaquePointer?
        try LibGit2.check(git_commit_lookup(&commitObject, pointer, &oid), "look up commit \(commit.shortID)")
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try LibGit2.check(git_commit_tree(&tree, commitObject), "read the tree of commit \(commit.shortID)")
        return tree!
    }

    private func walk(
        _ tree: OpaquePointer, prefix: String, maxBytes: Int, include: (String) -> Bool,
        into found: inout [GitTreeFile]
    ) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            guard !name.hasPrefix(".") else { continue }
            if git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE {
                var subtree: OpaquePointer?
                try LibGit2.check(git_tree_lookup(&subtree, pointer, git_tree_entry_id(entry)), "read tree \(prefix)\(name)")
                defer { git_tree_free(subtree) }
                try walk(subtree!, prefix: prefix + name + "/", maxBytes: maxBytes, include: include, into: &found)
            } else if include(name), let file = try file(entry, path: prefix + name, maxBytes: maxBytes) {
                found.append(file)
            }
        }
    }

    private func file(_ entry: OpaquePointer, path: String, maxBytes: Int) throws(GitError) -> GitTreeFile? {
        let kind: GitTreeFile.Kind
        switch git_tree_entry_filemode(entry) {
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: kind = .file
        case GIT_FILEMODE_LINK: kind = .symlink
        case GIT_FILEMODE_COMMIT: return GitTreeFile(path: path, kind: .submodule, size: 0, contents: nil)
        default: return nil
        }
        let (size, contents) = try readBlob(git_tree_entry_id(entry), path: path, maxBytes: maxBytes)
        return GitTreeFile(path: path, kind: kind, size: size, contents: contents)
    }

    /// Reads the blob's size from the object header first, so an oversized blob is never loaded.
    private func readBlob(_ oid: UnsafePointer<git_oid>, path: String, maxBytes: Int) throws(GitError) -> (Int, [UInt8]?) {
        if database == nil { try LibGit2.check(git_repository_odb(&database, pointer), "open the object database") }
        var size = 0
        var type = GIT_OBJECT_ANY
        try LibGit2.check(git_odb_read_header(&size, &type, database, oid), "read \(path)")
        guard size <= maxBytes else { return (size, nil) }
        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, pointer, oid), "read \(path)")
        defer { git_blob_free(blob) }
        let count = Int(git_blob_rawsize(blob))
        guard count > 0, let raw = git_blob_rawcontent(blob) else { return (0, []) }
        return (count, Array(UnsafeRawBufferPointer(start: raw, count: count)))
    }

    /// `./policies/` → `policies`; `.` and `/` → the root.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
