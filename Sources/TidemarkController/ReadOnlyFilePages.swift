import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Unmaps the pages of files mapped read-only (machine code, constants) that a cycle touched once: start-up,
/// parsing, planning. An idle controller's resident size is then what it runs, not all it ever ran.
///
/// Only private read-only mappings of files whose resident pages are all the file's own: dropping those loses
/// nothing, and the page cache keeps them, so what the next cycle or slot runs maps back in with a minor fault per
/// 64 KB. A mapping holding a private copy of a page (pointers the loader relocated, a library relocated in its code,
/// a debugger's breakpoint) is left as it is, and so is every writable mapping. Two writers it cannot see coming,
/// both only while a release runs: the loader relocating the code of a library loaded just then that needs it
/// (`TEXTREL`, which Debian does not allow), and a debugger setting a breakpoint, which would be lost.
enum ReadOnlyFilePages {
    private static let lastRelease = Mutex<ContinuousClock.Instant?>(nil)

    /// Releases unless the last release was less than `interval` ago in real time: a release and the minor faults
    /// after it cost a few milliseconds, which the many short cycles of a simulated clock need not pay each time.
    static func releaseIfDue(every interval: Duration = .seconds(60)) {
        let now = ContinuousClock.now
        let due = lastRelease.withLock { last in
            guard last.map({ now - $0 >= interval }) ?? true else { return false }
            last = now
            return true
        }
        if due { release() }
    }

    static func release() {
        #if os(Linux)
            for range in releasableRanges() {
                _ = madvise(UnsafeMutableRawPointer(bitPattern: range.lowerBound), Int(range.upperBound - range.lowerBound), MADV_DONTNEED)
            }
        #endif
    }

    /// The read-only file mappings in `/proc/self/smaps` with no private (anonymous) page.
    static func releasableRanges() -> [Range<UInt>] {
        guard let smaps = fopen("/proc/self/smaps", "r") else { return [] }
        defer { fclose(smaps) }
        var ranges: [Range<UInt>] = []
        var candidate: Range<UInt>?
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, smaps) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("Anonymous:") {
                let kilobytes = text.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
                if kilobytes != 0 { candidate = nil }
            } else if text.hasPrefix("VmFlags:") {
                if let range = candidate { ranges.append(range) }
                candidate = nil
            } else if let range = readOnlyFileRange(text) {
                candidate = range
            }
        }
        return ranges
    }

    /// The address range of a maps line that maps a file privately and read-only (`r-xp`, `r--p`), nil for any other.
    static func readOnlyFileRange(_ line: String) -> Range<UInt>? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6, fields[1] == "r-xp" || fields[1] == "r--p", fields[5].drop(while: { $0 == " " }).hasPrefix("/") else {
            return nil
        }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), start < end else {
            return nil
        }
        return start..<end
    }
}
