// Linked into the coverage build of scripts/hot-functions.sh: notes each instrumented function the first time it
// is called and, at exit, writes their offsets in the binary, in call order, to $TIDEMARK_FIRST_CALLS.PID.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uintptr_t calls[1 << 20];
static size_t count;

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop) {
  for (uint32_t *guard = start; guard < stop; guard++) *guard = 1;
}

void __sanitizer_cov_trace_pc_guard(uint32_t *guard) {
  if (!*guard) return;
  *guard = 0;
  if (count < sizeof calls / sizeof *calls) calls[count++] = (uintptr_t)__builtin_return_address(0);
}

__attribute__((destructor)) static void write_first_calls(void) {
  const char *prefix = getenv("TIDEMARK_FIRST_CALLS");
  if (!prefix) return;
  char path[4096];
  snprintf(path, sizeof path, "%s.%d", prefix, (int)getpid());
  FILE *file = fopen(path, "w");
  if (!file) return;
  Dl_info info;
  for (size_t i = 0; i < count; i++)
    if (dladdr((void *)calls[i], &info)) fprintf(file, "%lx\n", (unsigned long)(calls[i] - (uintptr_t)info.dli_fbase));
  fclose(file);
}
