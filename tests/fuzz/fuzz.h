/* The fuzz harnesses: one plain C entry point per parser and for the
 * render path. Each takes one input and checks invariants (parse-then-render
 * is byte-identical, apply reaches the asked values and changes nothing
 * else, a second apply is a no-op, names round-trip, reports parse); a
 * broken invariant prints what broke and aborts, so that libFuzzer (and the
 * replay driver under ASan/UBSan) report the input.
 *
 * libfuzzer.c wraps one entry point as LLVMFuzzerTestOneInput (clang,
 * -fsanitize=fuzzer); replay.c runs them on files without fuzzing, also in
 * the gcc build (ctest fuzz/replay). */
#ifndef SSHSYNC_FUZZ_H
#define SSHSYNC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/scope.h"

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

typedef struct fuzz_harness {
	const char *name;
	fuzz_fn fn;
} fuzz_harness;

/* Every harness, NULL-terminated (harnesses.c). */
extern const fuzz_harness fuzz_harnesses[];
const fuzz_harness *fuzz_find(const char *name);

int fuzz_ssh(const uint8_t *data, size_t size);
int fuzz_sshd(const uint8_t *data, size_t size);
int fuzz_reg(const uint8_t *data, size_t size);
int fuzz_winini(const uint8_t *data, size_t size);
int fuzz_sessfile(const uint8_t *data, size_t size);
int fuzz_names(const uint8_t *data, size_t size);
int fuzz_gppxml(const uint8_t *data, size_t size);
int fuzz_policy(const uint8_t *data, size_t size);
int fuzz_report(const uint8_t *data, size_t size);
int fuzz_export(const uint8_t *data, size_t size);
int fuzz_winereg(const uint8_t *data, size_t size);
int fuzz_journal(const uint8_t *data, size_t size);

/* ---- helpers (common.c) ---- */

struct ss_text;
/* fuzz_reg.c: the input as UTF-16LE with a byte order mark. */
/* The items apply must keep (for fuzz_client_cycle): the lines of a .reg
 * but keepalive values; for the WinSCP client the same, or, for a text
 * that is no .reg, the lines of WinSCP.ini but keepalive keys. */
int fuzz_reg_items(const struct ss_text *t, ss_strlist *out);
int fuzz_winscp_items(const struct ss_text *t, ss_strlist *out);
void fuzz_to_utf16(const uint8_t *data, size_t size, ss_buf *out);

/* Prints "invariant broken: ..." and aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(__VA_ARGS__);                                                    \
	} while (0)

/* 1 when `s` is strict UTF-8 without anything a terminal or a reader
 * would take for more than text: C0 and C1 controls, DEL, line and
 * paragraph separators, bidirectional controls. */
int fuzz_terminal_safe(const char *s, size_t len);
/* Prints bytes to stderr, escaped, under a title (to explain a failure). */
void fuzz_show(const char *title, const void *data, size_t len);
/* A private temporary folder for this process (created on first use,
 * removed at exit), emptied by fuzz_workdir() before each input. */
const char *fuzz_workdir(void);
/* The work folder as it is (not emptied). */
const char *fuzz_workdir_name(void);
/* "workdir/name", newly allocated (aborts when out of memory). */
char *fuzz_path(const char *name);
/* Writes a file (mode 0600) under the work folder; creates `name`'s folder
 * when it has one level. Aborts on failure. */
void fuzz_write(const char *name, const void *data, size_t len);
/* Reads a whole file; aborts on failure. */
ss_buf fuzz_read(const char *path);
/* Renders the bytes of a text (unchanged) and compares them with `data`. */
void fuzz_check_roundtrip(const char *what, const void *data, size_t len, const void *rendered,
			  size_t rlen);
/* A policy drawn from one byte: an interval of 1 to 3600 seconds, and
 * count max and TCP keepalive asked or not. */
void fuzz_policy_from(uint8_t seed, ss_policy *p);
/* Frees a diag (the harnesses ignore expected errors). */
void fuzz_diag_done(ss_diag *d);
/* The input as a NUL-terminated copy (aborts when out of memory). */
char *fuzz_cstr(const uint8_t *data, size_t size);
struct ss_storage_root;
/* The file read piece by piece for the n `names` (ss_storage_open_asked,
 * pieces and halves drawn from `pick`) is what it is read whole: the same
 * sessions and values, or the same error. */
void fuzz_check_pieces(const char *path, const struct ss_storage_root *root,
		       const char *const *names, size_t n, uint8_t pick);

#endif
