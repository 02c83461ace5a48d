/*
 * sha256.h - SHA-256 (FIPS 180-4), for the training-data fingerprint in a bundle's
 * manifest and the checksums that let the loader detect truncated or edited files.
 */
#ifndef STANCE_SHA256_H
#define STANCE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes 64 lower-case hex digits and a NUL into hex[65]. */
void sha256_final_hex(sha256_ctx *c, char hex[65]);
/* Hashes a whole file; returns 0, or -1 when it cannot be read (errno set). */
int sha256_file_hex(const char *path, char hex[65]);

#endif
