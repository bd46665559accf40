/* Storage steps: a helper run to completion (fuse-overlayfs) and a layer
 * applied onto a plain directory (vfs). Each returns 0 or -errno. */
#ifndef NOOK_SHIM_STORAGE_H
#define NOOK_SHIM_STORAGE_H

#include "shim.h"

/* run.c */
int setup_run(const struct child *c, const struct nook_step *s);

/* copy_layer.c */
int setup_copy_layer(const struct child *c, const struct nook_step *s);

/* The strings of a list step argument, bounds-checked against the blob. */
int step_list(const struct child *c, uint32_t off, uint64_t count, char **vec, uint64_t cap);

#endif
