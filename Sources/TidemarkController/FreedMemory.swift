import CMalloc

/// Keeps a long-running controller's resident size near what it uses, not at its largest cycle's peak.
///
/// glibc keeps freed memory (listings, parsed objects, plans) mapped in its arenas, and after the first large block
/// is freed it keeps up to 64 MiB free per arena; `bound()` fixes the thresholds, `release()` hands back what a cycle
/// freed.
enum FreedMemory {
    static func bound() {
        tidemark_bound_free_heap()
    }

    static func release() {
        tidemark_release_free_heap()
    }
}
