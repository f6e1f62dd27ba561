// Per-channel moments of float32 runs. A single float64 accumulator is bound by the latency of
// one addition per value; eight independent ones let the processor (and the vectoriser) overlap
// them. No a·b + c is fused, so every build gives the same bits.
#pragma STDC FP_CONTRACT OFF
#include "cmoments.h"

#define LANES 8

static double combine(const double s[LANES]) {
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

double mipareto_float_range_sum(const float *values, size_t count, float *lo, float *hi) {
    double s[LANES] = {0};
    float l[LANES], h[LANES];
    for (int j = 0; j < LANES; j++) { l[j] = *lo; h[j] = *hi; }
    size_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        for (int j = 0; j < LANES; j++) {
            float v = values[i + j];
            l[j] = v < l[j] ? v : l[j];
            h[j] = v > h[j] ? v : h[j];
            s[j] += (double)v;
        }
    }
    for (int j = 0; i < count; i++, j++) {
        float v = values[i];
        l[j] = v < l[j] ? v : l[j];
        h[j] = v > h[j] ? v : h[j];
        s[j] += (double)v;
    }
    for (int j = 0; j < LANES; j++) {
        if (l[j] < *lo) *lo = l[j];
        if (h[j] > *hi) *hi = h[j];
    }
    return combine(s);
}

double mipareto_float_squares_about(const float *values, size_t count, double mean) {
    double s[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= count; i += LANES) {
        for (int j = 0; j < LANES; j++) {
            double d = (double)values[i + j] - mean;
            s[j] += d * d;
        }
    }
    for (int j = 0; i < count; i++, j++) {
        double d = (double)values[i] - mean;
        s[j] += d * d;
    }
    return combine(s);
}
