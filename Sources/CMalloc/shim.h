#ifndef TIDEMARK_CMALLOC_SHIM_H
#define TIDEMARK_CMALLOC_SHIM_H

/* glibc's malloc tuning, which the Glibc module does not export; no-ops elsewhere. */

#if defined(__linux__)
#include <malloc.h>

/* Fixed thresholds of 1 MiB: blocks above it are mapped on their own and unmapped when freed, and an arena's free
   top above it is returned at once. glibc otherwise raises both after the first large free (a listing), up to
   64 MiB, and keeps that much of every arena. */
static inline void tidemark_bound_free_heap(void) {
    (void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 1 << 20);
}

static inline void tidemark_release_free_heap(void) { (void)malloc_trim(0); }
#else
static inline void tidemark_bound_free_heap(void) {}
static inline void tidemark_release_free_heap(void) {}
#endif

#endif
