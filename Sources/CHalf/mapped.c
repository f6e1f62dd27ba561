// Reading a file mapping safely: if the file shrinks after mmap, touching a page past its new end
// raises SIGBUS. These loops run with a per-thread recovery point, so a truncated file becomes an
// error code instead of a crash. Other SIGBUS signals keep their default action.
#define _GNU_SOURCE
#include "cmapped.h"
#include "chalf.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

// The recovery point is set before a loop and cleared after it, and only the signal handler reads
// it in between: to the compiler the first store is dead (nothing reads it before the second) and
// may be dropped or moved past the loop's loads. `volatile` keeps both stores, and the signal
// fences in `arm`/`disarm` keep the loop's reads of the mapping between them.
static _Thread_local sigjmp_buf *volatile recovery = NULL;
static pthread_once_t installed = PTHREAD_ONCE_INIT;
static struct sigaction previous;

static void on_bus_error(int signal, siginfo_t *info, void *context) {
    if (recovery != NULL) {
        sigjmp_buf *target = recovery;
        recovery = NULL;
        siglongjmp(*target, 1);
    }
    // Not ours: hand over to whatever was there before (the default action unless someone set one).
    sigaction(SIGBUS, &previous, NULL);
    (void)info; (void)context;
    raise(signal);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_bus_error;
    // SA_NODEFER: the handler leaves by siglongjmp without restoring the signal mask, so SIGBUS
    // must not be blocked while it runs.
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previous);
}

static inline void arm(sigjmp_buf *point) {
    recovery = point;
    atomic_signal_fence(memory_order_seq_cst);
}

static inline void disarm(void) {
    atomic_signal_fence(memory_order_seq_cst);
    recovery = NULL;
}

static void convert(const void *source, int kind, float *destination, size_t count) {
    switch (kind) {
    case MIPARETO_F16: mipareto_half_to_float((const uint16_t *)source, destination, count); break;
    case MIPARETO_F32: memcpy(destination, source, count * sizeof(float)); break;
    default: {
        const double *d = (const double *)source;
        for (size_t i = 0; i < count; i++) destination[i] = (float)d[i];
    }
    }
}

int mipareto_mapped_to_float(const void *source, int kind, float *destination, size_t count) {
    pthread_once(&installed, install);
    sigjmp_buf here;
    if (sigsetjmp(here, 0) != 0) return -1;
    arm(&here);
    convert(source, kind, destination, count);
    disarm();
    return 0;
}

// The widest exponent field over a run of values: all ones means NaN or infinity. A plain integer
// max per kind, which the compiler vectorises.
#define WIDEST(type, mask) { \
    const type *v = (const type *)source; type widest = 0; \
    for (size_t i = 0; i < n; i++) { type e = v[i] & (mask); widest = widest > e ? widest : e; } \
    return widest == (mask); }

static int run_has_nonfinite(const void *source, int kind, size_t n) {
    switch (kind) {
    case MIPARETO_F16: WIDEST(uint16_t, (uint16_t)0x7C00u)
    case MIPARETO_F32: WIDEST(uint32_t, 0x7F800000u)
    default: WIDEST(uint64_t, 0x7FF0000000000000ull)
    }
}

int mipareto_mapped_find_nonfinite(const void *source, int kind, size_t count, size_t *index) {
    pthread_once(&installed, install);
    sigjmp_buf here;
    if (sigsetjmp(here, 0) != 0) return -1;
    arm(&here);
    const char *bytes = (const char *)source;
    const size_t run = 4096;
    for (size_t start = 0; start < count; start += run) {
        size_t n = count - start < run ? count - start : run;
        const void *at = bytes + start * (size_t)kind;
        if (!run_has_nonfinite(at, kind, n)) continue;
        for (size_t i = 0; i < n; i++) {
            if (run_has_nonfinite(bytes + (start + i) * (size_t)kind, kind, 1)) {
                disarm();
                *index = start + i;
                return 1;
            }
        }
    }
    disarm();
    return 0;
}

int mipareto_mapped_count_halves(const uint16_t *source, size_t count, uint32_t *histogram) {
    pthread_once(&installed, install);
    sigjmp_buf here;
    if (sigsetjmp(here, 0) != 0) return -1;
    arm(&here);
    for (size_t i = 0; i < count; i++) histogram[source[i]]++;
    disarm();
    return 0;
}
