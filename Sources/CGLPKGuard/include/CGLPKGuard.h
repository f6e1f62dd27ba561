#ifndef CGLPKGUARD_H
#define CGLPKGUARD_H
/* The only place in MIPareto that calls GLPK functions that can fail.
 *
 * GLPK reports a misuse (an out-of-range index, a bad bound, memory exhaustion) by printing a
 * message and calling abort(). Every call below runs behind glp_error_hook + setjmp: a GLPK
 * error comes back as CGLPK_STATUS_ERROR with GLPK's own message, the thread's GLPK
 * environment is freed (as GLPK's documentation requires after such an error) and the next
 * call starts over with a fresh one.
 *
 * GLPK's environment is thread-local, so cglpk_solve_mip builds, solves and deletes its problem
 * on the calling thread within the one call: nothing GLPK-owned ever crosses threads.
 * Terminal output is captured (never printed) on the calling thread. */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Row bound kinds. */
enum {
    CGLPK_ROW_FREE = 0,   /* no bound */
    CGLPK_ROW_LOWER = 1,  /* lower <= row */
    CGLPK_ROW_UPPER = 2,  /* row <= upper */
    CGLPK_ROW_DOUBLE = 3, /* lower <= row <= upper */
    CGLPK_ROW_FIXED = 4   /* row == lower */
};

/* Column kinds. */
enum {
    CGLPK_COL_CONTINUOUS = 0, /* lower <= x <= upper */
    CGLPK_COL_INTEGER = 1,    /* integer, lower <= x <= upper */
    CGLPK_COL_BINARY = 2      /* x in {0, 1}; bounds ignored */
};

/* Outcomes of cglpk_solve_mip. */
typedef enum {
    CGLPK_STATUS_OPTIMAL = 0,            /* proven optimal (within mip_gap = 0 tolerances) */
    CGLPK_STATUS_FEASIBLE = 1,           /* integer feasible, stopped at the relative MIP gap */
    CGLPK_STATUS_INFEASIBLE = 2,         /* no integer feasible point exists */
    CGLPK_STATUS_TIME_LIMIT_FEASIBLE = 3,/* time limit reached, best point so far returned */
    CGLPK_STATUS_TIME_LIMIT_NO_POINT = 4,/* time limit reached before any feasible point */
    CGLPK_STATUS_UNBOUNDED = 5,          /* the LP relaxation is unbounded */
    CGLPK_STATUS_ERROR = 6               /* GLPK error or solver failure; see message */
} cglpk_status;

typedef struct {
    double time_limit_seconds; /* <= 0: no limit */
    double mip_gap;            /* relative gap at which to stop; 0 = prove optimality */
    int presolve;              /* nonzero: glp_intopt's MIP presolver; else glp_simplex first */
} cglpk_options;

typedef struct {
    int rows;                  /* number of rows (constraints) */
    int cols;                  /* number of columns (variables) */
    const int *row_kind;       /* [rows] CGLPK_ROW_* */
    const double *row_lower;   /* [rows] */
    const double *row_upper;   /* [rows] */
    const int *col_kind;       /* [cols] CGLPK_COL_* */
    const double *col_lower;   /* [cols], may be NULL for all-binary problems */
    const double *col_upper;   /* [cols], may be NULL for all-binary problems */
    const double *objective;   /* [cols] coefficients; minimised */
    int nonzeros;              /* entries of the constraint matrix */
    const int *entry_row;      /* [nonzeros] 0-based row index */
    const int *entry_col;      /* [nonzeros] 0-based column index */
    const double *entry_value; /* [nonzeros] */
} cglpk_mip;

typedef struct {
    cglpk_status status;
    double objective;          /* of the returned point (NaN without one) */
    double seconds;            /* wall time of building + solving */
    int glpk_return_code;      /* glp_intopt's (or glp_simplex's) return code */
    char message[512];         /* GLPK's message on CGLPK_STATUS_ERROR, else a short note */
} cglpk_result;

/* Builds `problem`, solves it as a MIP minimisation and deletes it, all on the calling thread.
 * `solution` ([cols], may be NULL) receives the point when the status has one
 * (OPTIMAL, FEASIBLE, TIME_LIMIT_FEASIBLE). Never aborts on a GLPK error. */
cglpk_result cglpk_solve_mip(const cglpk_mip *problem, cglpk_options options, double *solution);

/* Number of GLPK errors this thread has caught so far (for tests). */
int cglpk_caught_errors(void);

#ifdef __cplusplus
}
#endif
#endif
