#ifndef CWHARFSYSTEM_H
#define CWHARFSYSTEM_H

/// Limits glibc's malloc to `count` arenas, so memory freed after fast transfers on many threads is reused rather
/// than kept in idle arenas. Returns 1 on success, 0 where unsupported.
int wharf_limit_malloc_arenas(int count);

/// The `O_DIRECT` open flag (it needs `_GNU_SOURCE`, and its value differs between architectures); 0 where the
/// platform has none.
int wharf_o_direct(void);

#include <stddef.h>

/// Copies `count` bytes from `source` to `destination` (which must not overlap) with non-temporal stores where the
/// CPU has them, so the destination's cache lines are not read first and the copy does not evict other data. For
/// memory that is handed to a device next (blocks written with `O_DIRECT`); elsewhere it is `memcpy`.
void wharf_copy_streaming(void *destination, const void *source, size_t count);

#endif
