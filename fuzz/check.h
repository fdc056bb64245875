/*
 * What every fuzz target checks, beyond "no crash": a document docket read
 * or built writes as JSON and canonical XML that read back to the same
 * bytes, its XML is valid against the schema (and stays valid through
 * every transform), and every transform applied twice gives what it gave
 * once.
 */
#ifndef DOCKET_FUZZ_CHECK_H
#define DOCKET_FUZZ_CHECK_H

#include <docket/docket.h>

#include <stddef.h>
#include <stdint.h>

/* The registry of the build's plugins (opened once). */
dk_registry *fuzz_registry(void);
/* Abort (a finding) with a message unless cond. */
void fuzz_require(int cond, const char *what, const char *detail);
/* The checks above on doc (not changed). A reader's document must be
 * valid (must_be_valid); a tree built by other means may not be, but a
 * transform never makes a valid one invalid. */
void fuzz_check_tree(const dk_node *doc, int must_be_valid);

#endif
