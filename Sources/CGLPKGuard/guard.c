#include "CGLPKGuard.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Per-thread state: GLPK's environment is per thread, so is everything that talks to it. */
static _Thread_local jmp_buf guard_jump;
static _Thread_local char guard_output[1024];  /* the tail of GLPK's terminal output */
static _Thread_local size_t guard_output_length;
static _Thread_local int guard_error_count;

static double monotonic_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* glp_term_hook: keep GLPK's output (its error messages included) instead of printing it. */
static int capture_output(void *info, const char *text) {
    (void)info;
    size_t n = strlen(text);
    if (guard_output_length + n >= sizeof guard_output) {
        /* Keep the newest text: an error message comes last. */
        guard_output_length = 0;
        if (n >= sizeof guard_output) { text += n - (sizeof guard_output - 1); n = sizeof guard_output - 1; }
    }
    memcpy(guard_output + guard_output_length, text, n);
    guard_output_length += n;
    guard_output[guard_output_length] = 0;
    return 1; /* nonzero: GLPK does not print it */
}

/* glp_error_hook: GLPK would abort() when this returns, so never return: jump back. */
static void on_glpk_error(void *info) {
    (void)info;
    longjmp(guard_jump, 1);
}

static void install_hooks(void) {
    guard_output_length = 0;
    guard_output[0] = 0;
    glp_term_hook(capture_output, NULL);
    glp_term_out(GLP_OFF);
    glp_error_hook(on_glpk_error, NULL);
}

static void set_message(cglpk_result *result, const char *text) {
    snprintf(result->message, sizeof result->message, "%s", text);
    /* One line, no trailing newline. */
    size_t n = strlen(result->message);
    while (n > 0 && (result->message[n - 1] == '\n' || result->message[n - 1] == ' ')) result->message[--n] = 0;
    for (size_t i = 0; i < n; i++) if (result->message[i] == '\n') result->message[i] = ' ';
}

static int milliseconds_left(double limit, double start) {
    if (limit <= 0) return INT_MAX;
    double left = limit - (monotonic_seconds() - start);
    if (left <= 0) return 1;
    double ms = ceil(left * 1000.0);
    return ms >= (double)INT_MAX ? INT_MAX : (int)ms;
}

int cglpk_caught_errors(void) { return guard_error_count; }

cglpk_result cglpk_solve_mip(const cglpk_mip *problem, cglpk_options options, double *solution) {
    cglpk_result result;
    memset(&result, 0, sizeof result);
    result.objective = NAN;
    result.status = CGLPK_STATUS_ERROR;
    double start = monotonic_seconds();

    if (problem == NULL || problem->rows < 0 || problem->cols < 0 || problem->nonzeros < 0) {
        set_message(&result, "cglpk_solve_mip: invalid problem description");
        return result;
    }
    /* GLPK's matrix arrays are 1-based; allocated before setjmp and never reassigned after it,
     * so they are still valid (and freed) when an error jumps back. */
    int nz = problem->nonzeros;
    int *ia = malloc(sizeof(int) * (size_t)(nz + 1));
    int *ja = malloc(sizeof(int) * (size_t)(nz + 1));
    double *ar = malloc(sizeof(double) * (size_t)(nz + 1));
    if (ia == NULL || ja == NULL || ar == NULL) {
        free(ia); free(ja); free(ar);
        set_message(&result, "cglpk_solve_mip: out of memory");
        return result;
    }
    for (int k = 0; k < nz; k++) {
        ia[k + 1] = problem->entry_row[k] + 1;
        ja[k + 1] = problem->entry_col[k] + 1;
        ar[k + 1] = problem->entry_value[k];
    }

    glp_prob *volatile lp = NULL;
    install_hooks();
    if (setjmp(guard_jump) != 0) {
        /* GLPK detected an error. Its documentation: the environment is now unusable; free it
         * (this frees every GLPK object of this thread, `lp` included) and start over later. */
        guard_error_count += 1;
        char text[sizeof guard_output];
        memcpy(text, guard_output, sizeof text);
        glp_free_env();
        free(ia); free(ja); free(ar);
        result.status = CGLPK_STATUS_ERROR;
        result.objective = NAN;
        result.seconds = monotonic_seconds() - start;
        set_message(&result, text[0] ? text : "GLPK error (no message)");
        return result;
    }

    lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    int m = problem->rows, n = problem->cols;
    if (m > 0) glp_add_rows(lp, m);
    for (int i = 0; i < m; i++) {
        int kind;
        switch (problem->row_kind[i]) {
        case CGLPK_ROW_FREE: kind = GLP_FR; break;
        case CGLPK_ROW_LOWER: kind = GLP_LO; break;
        case CGLPK_ROW_UPPER: kind = GLP_UP; break;
        case CGLPK_ROW_DOUBLE: kind = GLP_DB; break;
        case CGLPK_ROW_FIXED: kind = GLP_FX; break;
        default: kind = -1; break; /* GLPK rejects it: reported as an error */
        }
        glp_set_row_bnds(lp, i + 1, kind, problem->row_lower[i], problem->row_upper[i]);
    }
    if (n > 0) glp_add_cols(lp, n);
    for (int j = 0; j < n; j++) {
        switch (problem->col_kind[j]) {
        case CGLPK_COL_BINARY:
            glp_set_col_kind(lp, j + 1, GLP_BV);
            break;
        case CGLPK_COL_INTEGER:
            glp_set_col_kind(lp, j + 1, GLP_IV);
            glp_set_col_bnds(lp, j + 1, GLP_DB, problem->col_lower[j], problem->col_upper[j]);
            break;
        default:
            glp_set_col_bnds(lp, j + 1, GLP_DB, problem->col_lower[j], problem->col_upper[j]);
            break;
        }
        glp_set_obj_coef(lp, j + 1, problem->objective[j]);
    }
    glp_load_matrix(lp, nz, ia, ja, ar);
    /* Rate rows have coefficients up to b·S_c ~ 1e4 beside the 0/1 choice rows: equilibrate. */
    glp_scale_prob(lp, GLP_SF_AUTO);

    int rc;
    if (!options.presolve) {
        /* glp_intopt without its presolver needs an optimal LP basis first. */
        glp_smcp smcp;
        glp_init_smcp(&smcp);
        smcp.msg_lev = GLP_MSG_OFF;
        smcp.tm_lim = milliseconds_left(options.time_limit_seconds, start);
        rc = glp_simplex(lp, &smcp);
        result.glpk_return_code = rc;
        int lp_status = glp_get_status(lp);
        if (rc == GLP_ETMLIM) {
            result.status = CGLPK_STATUS_TIME_LIMIT_NO_POINT;
            set_message(&result, "time limit reached in the LP relaxation");
            goto done;
        }
        if (rc != 0) {
            char text[96];
            snprintf(text, sizeof text, "glp_simplex failed (return code %d)", rc);
            set_message(&result, text);
            goto done;
        }
        if (lp_status == GLP_NOFEAS) {
            result.status = CGLPK_STATUS_INFEASIBLE;
            set_message(&result, "the LP relaxation is infeasible");
            goto done;
        }
        if (lp_status == GLP_UNBND) {
            result.status = CGLPK_STATUS_UNBOUNDED;
            set_message(&result, "the LP relaxation is unbounded");
            goto done;
        }
        if (lp_status != GLP_OPT) {
            set_message(&result, "glp_simplex ended without an optimal basis");
            goto done;
        }
    }
    {
        glp_iocp iocp;
        glp_init_iocp(&iocp);
        iocp.msg_lev = GLP_MSG_OFF;
        iocp.mip_gap = options.mip_gap > 0 ? options.mip_gap : 0.0;
        iocp.presolve = options.presolve ? GLP_ON : GLP_OFF;
        iocp.tm_lim = milliseconds_left(options.time_limit_seconds, start);
        rc = glp_intopt(lp, &iocp);
        result.glpk_return_code = rc;
        int mip_status = glp_mip_status(lp);
        switch (rc) {
        case 0:
            if (mip_status == GLP_OPT) { result.status = CGLPK_STATUS_OPTIMAL; set_message(&result, "optimal"); }
            else if (mip_status == GLP_FEAS) { result.status = CGLPK_STATUS_FEASIBLE; set_message(&result, "feasible"); }
            else if (mip_status == GLP_NOFEAS) { result.status = CGLPK_STATUS_INFEASIBLE; set_message(&result, "no integer feasible point"); }
            else set_message(&result, "glp_intopt ended with an undefined solution");
            break;
        case GLP_ENOPFS:
            result.status = CGLPK_STATUS_INFEASIBLE;
            set_message(&result, "the LP relaxation is infeasible");
            break;
        case GLP_ENODFS:
            result.status = CGLPK_STATUS_UNBOUNDED;
            set_message(&result, "the LP relaxation is unbounded");
            break;
        case GLP_EMIPGAP:
            result.status = CGLPK_STATUS_FEASIBLE;
            set_message(&result, "stopped at the relative MIP gap");
            break;
        case GLP_ETMLIM:
            if (mip_status == GLP_FEAS || mip_status == GLP_OPT) {
                result.status = CGLPK_STATUS_TIME_LIMIT_FEASIBLE;
                set_message(&result, "time limit reached; best integer point returned");
            } else {
                result.status = CGLPK_STATUS_TIME_LIMIT_NO_POINT;
                set_message(&result, "time limit reached before an integer feasible point");
            }
            break;
        default: {
            char text[96];
            snprintf(text, sizeof text, "glp_intopt failed (return code %d)", rc);
            set_message(&result, text);
            break;
        }
        }
        int has_point = result.status == CGLPK_STATUS_OPTIMAL || result.status == CGLPK_STATUS_FEASIBLE
            || result.status == CGLPK_STATUS_TIME_LIMIT_FEASIBLE;
        if (has_point) {
            result.objective = glp_mip_obj_val(lp);
            if (solution != NULL)
                for (int j = 0; j < n; j++) solution[j] = glp_mip_col_val(lp, j + 1);
        }
    }
done:
    glp_delete_prob(lp);
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
    free(ia); free(ja); free(ar);
    result.seconds = monotonic_seconds() - start;
    return result;
}
