#ifndef MIPARETO_CMAPPED_H
#define MIPARETO_CMAPPED_H
#include <stddef.h>
#include <stdint.h>

/// Element types of a mapped floating-point array.
enum mipareto_float_kind { MIPARETO_F16 = 2, MIPARETO_F32 = 4, MIPARETO_F64 = 8 };

/// Converts `count` values of `kind` at `source` (memory that may be a file mapping) to float32.
/// Returns 0, or -1 when reading raised SIGBUS (the file was truncated after it was mapped): the
/// read stops there and `destination` is partly written. Never reads outside `source[0..<count]`.
int mipareto_mapped_to_float(const void *source, int kind, float *destination, size_t count);

/// Looks for a NaN or an infinity among `count` values of `kind` (all exponent bits set).
/// Returns 0 when every value is finite, 1 with `*index` set to the first non-finite one, or -1
/// on SIGBUS (as above).
int mipareto_mapped_find_nonfinite(const void *source, int kind, size_t count, size_t *index);

/// Adds one to `histogram[bits]` for each of the `count` float16 bit patterns at `source`
/// (`histogram` has 65 536 entries). Returns 0, or -1 on SIGBUS (as above).
int mipareto_mapped_count_halves(const uint16_t *source, size_t count, uint32_t *histogram);

#endif
