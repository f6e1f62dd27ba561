#ifndef MIPARETO_CHALF_H
#define MIPARETO_CHALF_H
#include <stddef.h>
#include <stdint.h>

/// Converts `count` IEEE binary16 values (bit patterns) to float32, exactly (every binary16 value,
/// subnormals, infinities and NaN included, is a float32). Uses the F16C instructions when the CPU
/// has them, a portable bit conversion otherwise.
void mipareto_half_to_float(const uint16_t *source, float *destination, size_t count);

/// The portable conversion alone (what CPUs without F16C run), exposed so tests check it too.
void mipareto_half_to_float_portable(const uint16_t *source, float *destination, size_t count);

#endif
