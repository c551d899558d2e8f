// The least any registry must do per byte of an upload, for comparing Wharf's CPU per GiB pushed against it.
//
//   floor receive PORT FILE   accept one connection on 127.0.0.1:PORT and, until it closes, read the bytes (256 KiB
//                             reads, receive low-water mark 1 MiB, as Wharf), hash them with SHA-256 (OpenSSL) and
//                             write them to FILE with O_DIRECT in 4 MiB blocks, copied in with non-temporal stores;
//                             then print the CPU seconds (user + system) per GiB. No HTTP, no threads, no framework.
//   floor send PORT HASHES LAYER...
//                             what skopeo does per byte: read each layer file and hash it HASHES times (4 makes the
//                             sender as busy as Debian's skopeo, whose Go 1.19 SHA-256 is about 4x slower than
//                             OpenSSL's), writing it to the socket 32 KiB at a time.
//
// Build: cc -O2 -o floor bench/floor.c -lcrypto (Debian: libssl-dev).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <emmintrin.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { readSize = 256 << 10, blockSize = 4 << 20, sendSize = 32 << 10 };

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

// Copies n bytes without reading the destination's cache lines first (except at its unaligned edges).
static void copyStreaming(char *destination, const char *source, long n) {
    long i = (16 - (long)((unsigned long)destination & 15)) & 15;
    if (i > n) i = n;
    memcpy(destination, source, i);
    for (; i + 16 <= n; i += 16)
        _mm_stream_si128((__m128i *)(destination + i), _mm_loadu_si128((const __m128i *)(source + i)));
    memcpy(destination + i, source + i, n - i);
    _mm_sfence();
}

static double cpuSeconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static int receive(int port, const char *path) {
    struct sockaddr_in address = loopback(port);
    int listener = socket(AF_INET, SOCK_STREAM, 0), on = 1, mark = 1 << 20;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 1)) die("listen");
    int connection = accept(listener, 0, 0);
    if (connection < 0) die("accept");
    setsockopt(connection, SOL_SOCKET, SO_RCVLOWAT, &mark, sizeof mark);
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (file < 0) die(path);
    char *buffer = malloc(readSize), *block;
    if (!buffer || posix_memalign((void **)&block, 4096, blockSize)) die("memory");
    EVP_MD_CTX *hash = EVP_MD_CTX_new();
    EVP_DigestInit_ex(hash, EVP_sha256(), 0);
    double start = cpuSeconds();
    long total = 0, fill = 0, offset = 0;
    ssize_t n;
    while ((n = read(connection, buffer, readSize)) > 0) {
        total += n;
        EVP_DigestUpdate(hash, buffer, n);
        for (long i = 0; i < n;) {
            long count = n - i < blockSize - fill ? n - i : blockSize - fill;
            copyStreaming(block + fill, buffer + i, count);
            fill += count, i += count;
            if (fill < blockSize) continue;
            if (pwrite(file, block, blockSize, offset) != blockSize) die("pwrite");
            offset += blockSize, fill = 0;
        }
    }
    if (n < 0) die("read");
    fcntl(file, F_SETFL, 0);  // the tail is not a whole block
    if (fill && pwrite(file, block, fill, offset) != fill) die("pwrite");
    if (fsync(file)) die("fsync");
    double cpu = cpuSeconds() - start;
    unsigned char digest[32];
    EVP_DigestFinal_ex(hash, digest, 0);
    printf("floor: %ld bytes, %.3f s of CPU, %.3f s per GiB, sha256:%02x%02x%02x%02x...\n", total, cpu,
           cpu / (total / 1073741824.0), digest[0], digest[1], digest[2], digest[3]);
    unlink(path);
    return 0;
}

static int send_(int port, int hashes, int count, char **layers) {
    struct sockaddr_in address = loopback(port);
    int connection = socket(AF_INET, SOCK_STREAM, 0);
    for (int tries = 0; connect(connection, (struct sockaddr *)&address, sizeof address); tries++) {
        if (tries == 5000) die("connect");
        usleep(1000);
    }
    static char buffer[sendSize];
    for (int layer = 0; layer < count; layer++) {
        int file = open(layers[layer], O_RDONLY);
        if (file < 0) die(layers[layer]);
        EVP_MD_CTX *hash = EVP_MD_CTX_new();
        EVP_DigestInit_ex(hash, EVP_sha256(), 0);
        ssize_t n;
        while ((n = read(file, buffer, sizeof buffer)) > 0) {
            for (int h = 0; h < hashes; h++) EVP_DigestUpdate(hash, buffer, n);
            for (ssize_t done = 0; done < n;) {
                ssize_t written = write(connection, buffer + done, n - done);
                if (written <= 0) die("write");
                done += written;
            }
        }
        EVP_MD_CTX_free(hash);
        close(file);
    }
    return close(connection);
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "receive")) return receive(atoi(argv[2]), argv[3]);
    if (argc >= 5 && !strcmp(argv[1], "send")) return send_(atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    fprintf(stderr, "usage: floor receive PORT FILE | floor send PORT HASHES LAYER...\n");
    return 2;
}
