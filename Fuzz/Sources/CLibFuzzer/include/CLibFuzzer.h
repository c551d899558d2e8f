// libFuzzer's entry points, for the Swift fuzz targets of this package.
#include <stddef.h>
#include <stdint.h>

/// Defined by each fuzz target (with `@_cdecl`): runs one input, returns 0.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/// libFuzzer's driver (libclang_rt.fuzzer, linked by `-sanitize=fuzzer`): parses its flags from argv and fuzzes.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Runs libFuzzer on the target's `LLVMFuzzerTestOneInput`.
static inline int wharf_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
