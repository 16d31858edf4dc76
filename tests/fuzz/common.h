/*
 * Shared by the libFuzzer targets that need a store: the demo county (`bianmin demo`, a few
 * cases) created once per process in a scratch folder under /dev/shm (or TMPDIR), removed
 * again at exit. No server runs; handlers are called in process.
 */
#ifndef BM_FUZZ_COMMON_H
#define BM_FUZZ_COMMON_H

#include "store/store.h"
#include "util/config.h"

/*
 * Creates the demo county, loads its data key into `cfg` (defaults otherwise) and opens a
 * connection. Aborts with a message on failure: a target without its store finds nothing.
 */
struct bm_store *fuzz_demo_store(struct bm_config *cfg);

/* Copies `data` into a NUL-terminated malloc'ed string (the caller frees it). */
char *fuzz_strndup(const unsigned char *data, size_t size);

#endif
