#ifndef TIDEMARK_CGIT2_SHIM_H
#define TIDEMARK_CGIT2_SHIM_H

#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call; this wraps the option Tidemark sets. */

static inline int tidemark_git_set_ssl_cert_file(const char *file) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, (const char *)0);
}

#endif
