#define _GNU_SOURCE
#include <fcntl.h>
#include "CWharfSystem.h"
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#endif

int wharf_limit_malloc_arenas(int count) {
#if defined(__linux__) && defined(__GLIBC__)
    return mallopt(M_ARENA_MAX, count);
#else
    (void)count;
    return 0;
#endif
}

int wharf_o_direct(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}
