// SHA-256 block compression with the x86 SHA extensions, for OnlineML's `SHA256` (model content
// hashes). The Swift side asks `dl_sha256_accelerated_available` once and calls
// `dl_sha256_compress` only when it returns 1; otherwise it uses its own portable rounds.
#ifndef DRIFTLINE_CSHA256_H
#define DRIFTLINE_CSHA256_H

#include <stddef.h>
#include <stdint.h>

// 1 when this CPU executes SHA256RNDS2/SHA256MSG1/SHA256MSG2 (CPUID leaf 7, EBX bit 29) and
// the SSSE3/SSE4.1 instructions the kernel uses around them; 0 elsewhere (including every
// non-x86 build).
int dl_sha256_accelerated_available(void);

// Compresses `blocks` consecutive 64-byte blocks at `data` into `state` (the eight working
// words H0…H7 in FIPS 180-4 order). Call only when `dl_sha256_accelerated_available()` is 1.
void dl_sha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks);

// The 64 round constants K0…K63 (FIPS 180-4, 4.2.2), on every build: the portable rounds
// read them here too.
const uint32_t *dl_sha256_round_constants(void);

#endif
