import ArgumentParser
import Foundation
import TidemarkGit
import TidemarkPolicy
import TidemarkProviders
import TidemarkReconcile

/// Where policies come from: plain files under a path, or a commit of a git repository (`--repo`).
struct PolicySourceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read the policies from this git repository: a local path or a file://, git://, https:// or ssh:// URL.",
            discussion: "Remotes are fetched into a bare mirror in the cache; the path is then a directory inside the repository.",
            valueName: "url-or-path"))
    var repo: String?

    @Option(help: "The branch, tag or commit id to read with --repo (default: HEAD, the remote's default branch).")
    var ref: String?

    @Option(
        name: .customLong("repo-cache"), help: "Where remote mirrors are kept (default: $TIDEMARK_CACHE_DIR, else ~/.cache/tidemark/git).")
    var repoCache: String?

    @Option(name: .customLong("repo-ssh-key"), help: "Private key file for ssh:// remotes (passphrase from $TIDEMARK_GIT_SSH_PASSPHRASE).")
    var repoSSHKey: String?

    @Option(name: .customLong("repo-known-hosts"), help: "known_hosts file that ssh:// host keys must be in (default: ~/.ssh/known_hosts).")
    var repoKnownHosts: String?

    @Option(name: .customLong("repo-ca-file"), help: "PEM file of the CAs trusted for https:// remotes, instead of the system's.")
    var repoCAFile: String?

    func validate() throws {
        if repo == nil, ref != nil { throw ValidationError("--ref needs --repo.") }
        if repo == nil, repoCache != nil || repoSSHKey != nil || repoKnownHosts != nil || repoCAFile != nil {
            throw ValidationError("--repo-cache, --repo-ssh-key, --repo-known-hosts and --repo-ca-file need --repo.")
        }
    }

    /// What was loaded, and the plan's record of where it came from.
    struct Loaded {
        var result: PolicyLoader.Result
        var source: Plan.Source
    }

    /// Reads and loads the policies, printing every diagnostic to standard error; fails when any is an error.
    /// `path` is a directory (or file) on disk, or inside the repository with `--repo` (nil: the repository's root).
    func load(path: String?, what: String) throws -> Loaded {
        let loaded: Loaded
        do {
            loaded = try read(path: path)
        } catch {
            Output.error(error.description)
            throw ExitCode.failure
        }
        for diagnostic in loaded.result.diagnostics { Output.error(diagnostic.description) }
        let errors = loaded.result.diagnostics.count { $0.severity == .error }
        guard errors == 0 else {
            Output.error(
                "\(plural(errors, "error")) in \(plural(loaded.result.policies.files.count, "file")) "
                    + "under \(loaded.source.headline); \(what)"
            )
            throw ExitCode.failure
        }
        return loaded
    }

    /// Reads and loads the policies without printing: for `run`, which reads them again every cycle.
    func read(path: String?) throws(SourceError) -> Loaded {
        guard let repo else {
            let directory = path ?? "policies"
            let files: [PolicyFile]
            do {
                files = try PolicyDirectory(path: directory).files()
            } catch {
                throw SourceError(description: error.description)
            }
            let result = PolicyLoader(providers: ProviderRegistry.documentRules).load(files)
            return Loaded(
                result: result,
                source: Plan.Source(
                    path: directory, commit: nil, digest: Plan.Source.digest(of: files),
                    files: result.policies.files, ignoredFiles: result.policies.ignoredFiles))
        }
        let location = GitRepositoryLocation(repo)
        do {
            let repository: GitRepository
            let revision: String
            switch location {
            case .local(let localPath):
                repository = try GitRepository.open(at: localPath)
                revision = ref ?? "HEAD"
            case .remote(let url):
                let environment = ProcessInfo.processInfo.environment
                let cache = GitMirrorCache(directory: repoCache ?? GitMirrorCache.defaultDirectory(environment: environment))
                repository = try cache.fetch(
                    url, credentials: .fromEnvironment(environment, sshKeyFile: repoSSHKey, knownHostsFile: repoKnownHosts),
                    caFile: repoCAFile)
                revision = GitMirrorCache.revision(for: ref ?? "HEAD")
            }
            let commit = try repository.resolve(revision)
            let source = GitPolicySource(repository: repository, commit: commit, path: path ?? "")
            let contents = try source.read()
            var result = PolicyLoader(providers: ProviderRegistry.documentRules).load(contents.files)
            result.diagnostics = (result.diagnostics + contents.diagnostics).sorted()
            let unlabel = { (label: String) in String(label.dropFirst(commit.shortID.count + 1)) }
            return Loaded(
                result: result,
                source: Plan.Source(
                    path: source.path, repository: location.redacted, ref: ref ?? "HEAD", commit: commit.id,
                    digest: Plan.Source.digest(of: contents.files), files: result.policies.files.map(unlabel),
                    ignoredFiles: result.policies.ignoredFiles.map(unlabel)))
        } catch {
            throw SourceError(description: "error: \(location.redacted): \(error.described(remedy: Self.flags))")
        }
    }

    /// A git failure's remedy, in this command's flags.
    static func flags(_ remedy: GitRemedy) -> String {
        switch remedy {
        case .trustServerCertificate: "the server's TLS certificate is not trusted; pass its CA with --repo-ca-file"
        case .giveCAFile: "pass a PEM file to --repo-ca-file"
        case .checkCredentials: "check the credentials: TIDEMARK_GIT_TOKEN for https, --repo-ssh-key for ssh"
        case .giveSSHKey: "set an ssh key (--repo-ssh-key)"
        case .giveToken: "set a token (TIDEMARK_GIT_TOKEN)"
        case .giveKnownHosts: "pass --repo-known-hosts"
        case .checkKnownHosts: "ssh host keys are checked against --repo-known-hosts (default ~/.ssh/known_hosts)"
        case .giveWritableCache: "pass a writable directory with --repo-cache"
        case .giveRepository: "pass a repository's directory or a remote URL to --repo"
        case .checkPath: "check --path against the repository's layout"
        }
    }
}

/// Policies that cannot be read at all (as opposed to files with diagnostics).
struct SourceError: Error, CustomStringConvertible {
    var description: String
}
