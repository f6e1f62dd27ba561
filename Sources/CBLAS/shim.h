#include <cblas.h>
/* OpenBLAS extensions (declared here so the module works with any cblas.h alternative). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
