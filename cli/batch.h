/* Batch mode of the docket command (batch.c). */
#ifndef DOCKET_CLI_BATCH_H
#define DOCKET_CLI_BATCH_H

#include <docket/docket.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct batch_config {
    const char *outdir;   /* created already */
    const char *ext;      /* of the outputs, without the dot */
    int jobs;             /* worker threads */
    bool skip_existing;   /* skip inputs whose output is newer */
    const char *manifest; /* JSON lines, appended; NULL for none */
} batch_config;

/* Convert inputs[0..n) into cfg->outdir. Returns the exit status: 0, 1 if
 * any input failed, 128 + the signal that stopped the batch. */
int run_batch(dk_registry *reg, const dk_options *opts, char **inputs,
              size_t n, const batch_config *cfg);

#endif
