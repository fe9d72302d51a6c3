import Foundation
import Testing

@testable import TidemarkController

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Read-only file pages released after a cycle", .serialized)
struct ReadOnlyFilePagesTests {
    @Test func onlyPrivateReadOnlyMappingsOfFilesQualify() {
        #expect(
            ReadOnlyFilePages.readOnlyFileRange("55a4c1387000-55a4c2c88000 r-xp 00000000 fe:00 16311139   /usr/local/bin/tidemark\n")
                == 0x55a4_c138_7000..<0x55a4_c2c8_8000)
        #expect(
            ReadOnlyFilePages.readOnlyFileRange("55a4c2981000-55a4c2a32000 r--p 015f9000 fe:00 16311139 /usr/local/bin/tidemark\n") != nil)
        #expect(ReadOnlyFilePages.readOnlyFileRange("7f31d2a00000-7f31d2b00000 r-xp 00000000 fe:00 42 /opt/a b/libx.so (deleted)\n") != nil)
        // Writable or shared mappings, the heap, stacks, the vDSO and anonymous memory never qualify.
        for line in [
            "55a4c2a32000-55a4c2be8000 rw-p 016aa000 fe:00 16311139   /usr/local/bin/tidemark",
            "7f31d2e00000-7f31d2f00000 r--s 00000000 fe:00 77         /var/lib/tidemark/state.sqlite-shm",
            "55a4c3f00000-55a4c4000000 rw-p 00000000 00:00 0          [heap]",
            "7ffe1c5f2000-7ffe1c5f4000 r-xp 00000000 00:00 0          [vdso]",
            "7f31d2c00000-7f31d2d00000 r--p 00000000 00:00 0",
        ] {
            #expect(ReadOnlyFilePages.readOnlyFileRange(line + "\n") == nil, "\(line)")
        }
    }

    /// Kilobytes resident of the private read-only file mapping at `address`, from `smaps`.
    static func residentKilobytes(at address: UnsafeMutableRawPointer) throws -> Int? {
        let target = UInt(bitPattern: Int(bitPattern: address))
        var inside = false
        // Read to the end: /proc files report a size of 0.
        let smaps = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? smaps.close() }
        for line in String(decoding: try smaps.readToEnd() ?? Data(), as: UTF8.self).split(separator: "\n") {
            if ReadOnlyFilePages.readOnlyFileRange(String(line))?.contains(target) == true {
                inside = true
            } else if inside, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
            }
        }
        return nil
    }

    /// `count` private mappings with `protection` of a new file of `pages` pages of 0xC3, unmapped afterwards.
    static func withMappings(
        ofPages pages: Int, count: Int = 1, protection: Int32 = PROT_READ, _ body: ([UnsafeMutableRawPointer]) throws -> Void
    ) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tidemark-pages-\(UUID().uuidString)").path
        try Data(repeating: 0xC3, count: pages * 4096).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = open(path, O_RDONLY)
        #expect(file >= 0)
        defer { close(file) }
        let mappings = try (0..<count).map { _ in
            try #require(mmap(nil, pages * 4096, protection, MAP_PRIVATE, file, 0).flatMap { $0 == MAP_FAILED ? nil : $0 })
        }
        defer { for mapping in mappings { munmap(mapping, pages * 4096) } }
        try body(mappings)
    }

    @Test func releasingUnmapsTheFilesPagesAndTheyReadBackTheSame() throws {
        try Self.withMappings(ofPages: 64) { mappings throws in
            let mapping = mappings[0]
            let sum = (0..<64).reduce(0) { $0 + Int(mapping.load(fromByteOffset: $1 * 4096, as: UInt8.self)) }
            #expect(sum == 64 * 0xC3)
            #expect(try Self.residentKilobytes(at: mapping) == 256)
            ReadOnlyFilePages.release()
            #expect(try Self.residentKilobytes(at: mapping) == 0)
            #expect(mapping.load(fromByteOffset: 63 * 4096, as: UInt8.self) == 0xC3, "read back from the page cache")
        }
    }

    @Test func aReleaseWithinTheIntervalOfTheLastIsSkipped() throws {
        try Self.withMappings(ofPages: 16) { mappings throws in
            let mapping = mappings[0]
            func touch() { for page in 0..<16 { _ = mapping.load(fromByteOffset: page * 4096, as: UInt8.self) } }
            touch()
            ReadOnlyFilePages.releaseIfDue(every: .zero)
            #expect(try Self.residentKilobytes(at: mapping) == 0)
            touch()
            ReadOnlyFilePages.releaseIfDue(every: .seconds(3600))
            #expect(try Self.residentKilobytes(at: mapping) == 64, "released a moment ago: not due")
        }
    }

    /// As the loader does for relocated pointers (RELRO) or a library relocated in its code: written once, then
    /// read-only again. Such a page exists only in the process; dropping it would lose it.
    @Test(arguments: [PROT_READ, PROT_READ | PROT_EXEC])
    func aMappingWithAPrivatelyChangedPageKeepsIt(_ protection: Int32) throws {
        try Self.withMappings(ofPages: 2, count: 2, protection: protection) { mappings in
            let (clean, changed) = (mappings[0], mappings[1])
            #expect(clean.load(as: UInt8.self) == 0xC3)
            #expect(mprotect(changed, 8192, PROT_READ | PROT_WRITE) == 0)
            changed.storeBytes(of: 0x90, as: UInt8.self)
            #expect(mprotect(changed, 8192, protection) == 0)

            let releasable = ReadOnlyFilePages.releasableRanges()
            #expect(releasable.contains { $0.contains(UInt(bitPattern: Int(bitPattern: clean))) })
            #expect(!releasable.contains { $0.contains(UInt(bitPattern: Int(bitPattern: changed))) })
            ReadOnlyFilePages.release()
            #expect(changed.load(as: UInt8.self) == 0x90, "the private copy survives")
            #expect(clean.load(as: UInt8.self) == 0xC3)
        }
    }
}
