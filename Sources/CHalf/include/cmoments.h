#ifndef MIPARETO_CMOMENTS_H
#define MIPARETO_CMOMENTS_H
#include <stddef.h>

/// Over the `count` float32 values at `values`: lowers `*lo` and raises `*hi` to their extremes
/// (exact: float comparisons) and returns their sum in float64. The sum runs in 8 interleaved
/// accumulators (value i goes to accumulator i mod 8), combined pairwise at the end: one fixed
/// order, whatever the machine or vector width, so the result is the same everywhere.
double mipareto_float_range_sum(const float *values, size_t count, float *lo, float *hi);

/// Σ (x − mean)² over the `count` float32 values at `values`, in float64, in the same fixed
/// order as `mipareto_float_range_sum`.
double mipareto_float_squares_about(const float *values, size_t count, double mean);

#endif
