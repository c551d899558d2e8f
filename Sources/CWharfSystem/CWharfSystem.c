#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include "CWharfSystem.h"
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif
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

void wharf_copy_streaming(void *destination, const void *source, size_t count) {
#if defined(__x86_64__) && defined(__SSE2__)
    unsigned char *to = destination;
    const unsigned char *from = source;
    // Up to the next 64-byte line of the destination with an ordinary copy, then whole lines streamed.
    size_t head = (64 - ((uintptr_t)to & 63)) & 63;
    if (head > count) head = count;
    memcpy(to, from, head);
    to += head; from += head; count -= head;
    for (; count >= 64; count -= 64, to += 64, from += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)from), b = _mm_loadu_si128((const __m128i *)(from + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(from + 32)), d = _mm_loadu_si128((const __m128i *)(from + 48));
        _mm_stream_si128((__m128i *)to, a);
        _mm_stream_si128((__m128i *)(to + 16), b);
        _mm_stream_si128((__m128i *)(to + 32), c);
        _mm_stream_si128((__m128i *)(to + 48), d);
    }
    _mm_sfence();
    memcpy(to, from, count);
#else
    memcpy(destination, source, count);
#endif
}
