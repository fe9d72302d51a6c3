import Foundation
import PackagePlugin

/// Writes the git commit the package is built from into `BuildCommit.swift`, for `tidemark --version`.
///
/// A prebuild command runs before every build; it rewrites the file only when the commit changed, so an unchanged
/// tree recompiles nothing. Outside a git checkout the commit reads `unknown`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = """
            set -eu
            mkdir -p "$2"
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            if [ "$commit" != unknown ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
              commit="$commit-modified"
            fi
            printf '/// The git commit this binary was built from.\\nlet buildCommit = "%s"\\n' "$commit" > "$2/BuildCommit.swift.new"
            if cmp -s "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"; then rm "$2/BuildCommit.swift.new"
            else mv "$2/BuildCommit.swift.new" "$2/BuildCommit.swift"; fi
            """
        return [
            .prebuildCommand(
                displayName: "Recording the git commit for tidemark --version",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "build-commit", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
