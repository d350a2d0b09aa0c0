// SHA-256 compression on the x86 SHA extensions (FIPS 180-4 rounds, two per SHA256RNDS2).
//
// Register layout the instructions use: one vector holds the working variables A, B, E, F
// (A in the top lane, F in the bottom), another C, D, G, H; SHA256RNDS2 runs two rounds with
// the two message+constant words in the low half of its third operand and returns the new
// A, B, E, F, while the new C, D, G, H are the old A, B, E, F. SHA256MSG1 and SHA256MSG2 are
// the two halves of the message schedule (the sigma0 and sigma1 terms). Only this file's
// kernel is compiled for those instructions (the `target` attribute); the detection runs on
// any x86-64 CPU.
#include "csha256.h"

// The 64 round constants (FIPS 180-4, 4.2.2), four per vector in round order; also the
// Swift rounds' (`dl_sha256_round_constants`), so the table is written once.
static const uint32_t round_constants[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t *dl_sha256_round_constants(void) { return round_constants; }

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

int dl_sha256_accelerated_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int ssse3 = 1u << 9, sse41 = 1u << 19;
    if ((ecx & ssse3) == 0 || (ecx & sse41) == 0) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    // The instructions work on XMM registers only (no VEX encoding), whose state every x86-64
    // OS saves, so no XCR0 check is needed as it would be for AVX.
    return (ebx >> 29) & 1;
}

__attribute__((target("sha,sse4.1,ssse3")))
void dl_sha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks) {
    // Message words are big-endian: reverse the bytes of each 32-bit lane.
    const __m128i byte_swap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    // _mm_set_epi32 lists lanes from the top: {A, B, E, F} and {C, D, G, H}.
    __m128i abef = _mm_set_epi32((int)state[0], (int)state[1], (int)state[4], (int)state[5]);
    __m128i cdgh = _mm_set_epi32((int)state[2], (int)state[3], (int)state[6], (int)state[7]);

    for (size_t block = 0; block < blocks; block++, data += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        // w[i] holds schedule words 4i…4i+3, word 4i in the bottom lane.
        __m128i w[16];
        for (int i = 0; i < 4; i++) {
            w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byte_swap);
        }
        for (int i = 4; i < 16; i++) {
            // W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16], four at a time:
            // MSG1 adds sigma0 to the W[t-16] words, the middle add brings W[t-7…t-4]
            // (straddling two vectors), MSG2 adds sigma1 of the words two before.
            __m128i x = _mm_sha256msg1_epu32(w[i - 4], w[i - 3]);
            x = _mm_add_epi32(x, _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
            w[i] = _mm_sha256msg2_epu32(x, w[i - 1]);
        }
        for (int i = 0; i < 16; i++) {
            const __m128i wk = _mm_add_epi32(w[i], _mm_load_si128((const __m128i *)(round_constants + 4 * i)));
            // Rounds 4i, 4i+1 then 4i+2, 4i+3 (the high words moved down); each call's result is
            // the new {A, B, E, F} and its input {A, B, E, F} becomes {C, D, G, H}, so the two
            // variables trade roles instead of being copied.
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    uint32_t lanes[4];
    _mm_storeu_si128((__m128i *)lanes, abef);
    state[0] = lanes[3]; state[1] = lanes[2]; state[4] = lanes[1]; state[5] = lanes[0];
    _mm_storeu_si128((__m128i *)lanes, cdgh);
    state[2] = lanes[3]; state[3] = lanes[2]; state[6] = lanes[1]; state[7] = lanes[0];
}

#else

int dl_sha256_accelerated_available(void) { return 0; }

void dl_sha256_compress(uint32_t state[8], const uint8_t *data, size_t blocks) {
    (void)state; (void)data; (void)blocks;  // never called: no accelerated kernel here
}

#endif
