import TidemarkPolicy

extension DriveSelector {
    /// Whether a live drive is selected: by uuid, by a glob on its name, or by a tag name or uuid; its aliases count
    /// as names and uuids.
    public func selects(_ drive: LiveDrive) -> Bool {
        uuids.contains(drive.id) || drive.aliases.contains(where: uuids.contains)
            || names.contains { pattern in Glob.matches(pattern, drive.name) || drive.aliases.contains { Glob.matches(pattern, $0) } }
            || !Set(tags).isDisjoint(with: drive.tags)
    }
}

/// Shell-style globs: `*`, `?` and `[abc]`.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        matches(Array(pattern), 0, Array(text), 0)
    }

    private static func matches(_ pattern: [Character], _ p: Int, _ text: [Character], _ t: Int) -> Bool {
        var p = p
        var t = t
        var star: (p: Int, t: Int)?
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, t)
                p += 1
            } else if p < pattern.count, let consumed = single(pattern, p, text[t]) {
                p = consumed
                t += 1
            } else if let resume = star {
                p = resume.p + 1
                t = resume.t + 1
                star = (resume.p, resume.t + 1)
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// If `pattern[p]` matches `character`, the index after that pattern element.
    private static func single(_ pattern: [Character], _ p: Int, _ character: Character) -> Int? {
        switch pattern[p] {
        case "?": return p + 1
        case "[":
            guard let close = pattern[(p + 1)...].firstIndex(of: "]") else { return pattern[p] == character ? p + 1 : nil }
            return pattern[(p + 1)..<close].contains(character) ? close + 1 : nil
        default: return pattern[p] == character ? p + 1 : nil
        }
    }
}
