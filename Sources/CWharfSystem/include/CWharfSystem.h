#ifndef CWHARFSYSTEM_H
#define CWHARFSYSTEM_H

/// Limits glibc's malloc to `count` arenas, so memory freed after fast transfers on many threads is reused rather
/// than kept in idle arenas. Returns 1 on success, 0 where unsupported.
int wharf_limit_malloc_arenas(int count);

/// The `O_DIRECT` open flag (it needs `_GNU_SOURCE`, and its value differs between architectures); 0 where the
/// platform has none.
int wharf_o_direct(void);

#endif
