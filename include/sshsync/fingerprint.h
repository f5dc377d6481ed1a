/* The fingerprint of a file's contents as sshsync wrote them: XXH3-128
 * (libxxhash), which the journal records as a file's contents "after"
 * and undo compares with the file as it is. Not a name of kept contents
 * (those are SHA-256, ss_journal_store): only "is the file still what
 * the run wrote", against a change made by hand. SHA-256 of a 30 MB file
 * took 18 ms of a processor here, the second beside the SHA-256 of the
 * old contents, which then had to be made while the file was planned;
 * XXH3 takes 2. */
#ifndef SSHSYNC_FINGERPRINT_H
#define SSHSYNC_FINGERPRINT_H

#include <stddef.h>

#include "sshsync/diag.h"
#include "sshsync/edit.h"

#define SS_FINGERPRINT_HEX 33 /* 32 hex digits (xxhsum -H2's) and the NUL */

/* A sink that fingerprints what is put to it. Every begun sink is ended;
 * `out` NULL only frees it. */
typedef struct ss_fingerprint_sink {
	ss_sink sink;
} ss_fingerprint_sink;
int ss_fingerprint_sink_begin(ss_fingerprint_sink *s, ss_diag *d);
int ss_fingerprint_sink_end(ss_fingerprint_sink *s, char out[SS_FINGERPRINT_HEX]);

/* The fingerprint of bytes, and of contents produced piece by piece. */
int ss_fingerprint_hex(const void *data, size_t len, char out[SS_FINGERPRINT_HEX]);
int ss_fingerprint_source(const ss_source *src, char out[SS_FINGERPRINT_HEX], ss_diag *d);

#endif
