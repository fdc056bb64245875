/* Helpers shared by the test suites. */
#ifndef DOCKET_TEST_HARNESS_H
#define DOCKET_TEST_HARNESS_H

#include <check.h>
#include <stddef.h>

/* What a command did. out and err are NUL-terminated; free with
 * run_free(). */
typedef struct run_result {
    int status; /* exit status, or 128 + signal */
    char *out;
    size_t out_len;
    char *err;
} run_result;

/* Run argv (argv[0] is a path) with stdin from stdin_path (NULL: /dev/null)
 * and extra environment entries "K=V" (NULL-terminated or NULL; "K=" with an
 * empty value unsets K). */
run_result run(const char *const argv[], const char *stdin_path,
               const char *const env[]);
/* Run the docket under test on args (NULL-terminated), with
 * DOCKET_PLUGIN_PATH unset so that it uses the build's plugins. */
run_result docket_run(const char *const args[], const char *stdin_path);
#define DOCKET(stdin_path, ...)                                                \
    docket_run((const char *const[]){__VA_ARGS__, NULL}, stdin_path)

/* Write a string literal (which may hold NUL bytes) to a file. */
#define SPIT_LIT(path, lit) spit(path, lit, sizeof(lit) - 1)

/* Run a shell command line. */
run_result run_sh(const char *cmdline);
void run_free(run_result *r);

/* The whole file (NUL-terminated) or NULL; *len may be NULL. */
char *slurp(const char *path, size_t *len);
/* Write a file; aborts the test on failure. */
void spit(const char *path, const void *data, size_t len);
/* A fresh temporary directory (removed by rm_rf). Transfer full. */
char *temp_dir(void);
void rm_rf(const char *path);
/* Number of entries in a directory, . and .. excepted. */
int dir_entries(const char *path);

/* Convert text given inline (a file in.txt) with -t xml and the extra
 * arguments (NULL-terminated, or NULL); asserts success and returns the
 * output, and in *err (if err) what docket wrote to stderr. Transfer
 * full. */
char *convert_text(const char *text, const char *const *extra, char **err);

/* Run a suite and free it; returns the exit status for main (0 if every
 * test passed). */
int run_suite(Suite *s);

/* Compare with a file, showing the first difference on failure. */
void assert_matches_file(const char *actual, size_t len, const char *path);

/*
 * Word accounting: the words (runs of ASCII letters and digits, case
 * folded) of input that are not in output, counted (a word twice in the
 * input must be there twice), except those docket removes on purpose and
 * the README documents:
 *  - page furniture: lines and blocks dkr_is_boilerplate_block() names,
 *    a line holding only a question's number, and the links under a
 *    heading dkr_link_list_heading() names ("Most read");
 *  - a repeated paragraph that a warning names ("at byte N" in warnings);
 *  - labels before values: "Date:", "Re:", "cc:", "Enc.", "Tel:", "E-mail:",
 *    "Grade", "Our judgment", "Last updated", "Published", "By";
 *  - list markers: bullets ("-", "o") and the numbers of numbered items
 *    ("1.", "- 2)"), which become the list's numbering.
 * input is plain text; output is docket's canonical XML (its text, tags
 * and entities left out). Returns NULL if nothing is lost, else a
 * description of what is (free it).
 */
char *lost_words(const char *input, size_t len, const char *xml_output,
                 const char *warnings);

#endif
