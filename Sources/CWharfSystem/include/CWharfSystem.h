#ifndef CWHARFSYSTEM_H
#define CWHARFSYSTEM_H

/// Limits glibc's malloc to `count` arenas, so memory freed after fast transfers on many threads is reused rather
/// than kept in idle arenas. Returns 1 on success, 0 where unsupported.
int wharf_limit_malloc_arenas(int count);

#endif
