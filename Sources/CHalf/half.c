#include "chalf.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx,f16c")))
static void convert_f16c(const uint16_t *source, float *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(source + i));
        _mm256_storeu_ps(destination + i, _mm256_cvtph_ps(h));
    }
    for (; i < count; i++) {
        __m128i h = _mm_cvtsi32_si128(source[i]);
        destination[i] = _mm_cvtss_f32(_mm_cvtph_ps(h));
    }
}
#endif

// binary16 → binary32 by bits: sign, then normal / subnormal / inf-NaN cases.
static float convert_one(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1Fu;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1Fu) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal: normalise the mantissa.
        int shift = 0;
        while ((mantissa & 0x400u) == 0) { mantissa <<= 1; shift++; }
        mantissa &= 0x3FFu;
        bits = sign | ((uint32_t)(113 - shift) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

void mipareto_half_to_float_portable(const uint16_t *source, float *destination, size_t count) {
    for (size_t i = 0; i < count; i++) destination[i] = convert_one(source[i]);
}

void mipareto_half_to_float(const uint16_t *source, float *destination, size_t count) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx")) {
        convert_f16c(source, destination, count);
        return;
    }
#endif
    mipareto_half_to_float_portable(source, destination, count);
}
