/* Facts: what a person reads off a document, as lines "XPATH<TAB>VALUE"
 * (# starts a comment), checked against docket's canonical XML of it. */
#ifndef DOCKET_TEST_FACTS_H
#define DOCKET_TEST_FACTS_H

#include <stdio.h>

/* Convert input to XML with the docket under test and evaluate every fact
 * of the file facts (the prefix d: names docket's namespace). Returns the
 * number that failed, adding a line for each to report; adds the number
 * checked to *checked. */
int check_facts(const char *input, const char *facts, FILE *report, int *checked);

/* Every DIR/NAME.facts against DIR/NAME.EXT (ext with its dot), as a test:
 * fails listing each wrong fact, or when fewer than min documents have
 * facts. */
void check_facts_dir(const char *dir, const char *ext, int min);

#endif
