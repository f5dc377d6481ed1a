/* Private keys carried between OpenSSH and PuTTY for `migrate --keys DIR`
 * (MIGRATION.md §3): a .ppk becomes an OpenSSH key (and its .pub), an
 * OpenSSH or PEM key becomes a .ppk, through puttygen (Debian:
 * putty-tools), which gets passphrases only in files only the user can
 * read. A key file that exists already is never overwritten: when it
 * holds the same key (same SHA256 fingerprint) it is used as it is, so a
 * second migration changes nothing; when it holds another, that is an
 * error. */
#ifndef SSHSYNC_KEYCONV_H
#define SSHSYNC_KEYCONV_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

typedef enum ss_key_format {
	SS_KEY_UNKNOWN = 0,
	SS_KEY_OPENSSH, /* -----BEGIN OPENSSH PRIVATE KEY----- */
	SS_KEY_PEM,	/* RSA/EC/DSA PEM, PKCS#8 */
	SS_KEY_PPK	/* PuTTY-User-Key-File-2 or -3 */
} ss_key_format;

typedef struct ss_key_info {
	ss_key_format format;
	int encrypted;	 /* 1 when a passphrase is needed to read the private part */
	int ppk_version; /* 2 or 3 for a .ppk */
	int fido;	 /* an sk-* key: PuTTY 0.78 cannot use it */
} ss_key_info;

typedef struct ss_keyconv {
	const char *dir;	     /* where the new keys are written */
	int ppk_version;	     /* 2 (PuTTY < 0.75, old WinSCP/KiTTY) or 3 */
	const char *passphrase_file; /* of encrypted source keys (the new key keeps it) */
	const char *puttygen;	     /* the program; NULL: "puttygen" from PATH */
	int dry_run;		     /* say which file would be written, write nothing */
	/* Without passphrase_file: asked for the passphrase file of the
	 * encrypted key `key` (the caller keeps the file, and may ask the
	 * user); 0, or -1 with d set. NULL: an encrypted key is an error. */
	int (*ask)(void *ctx, const char *key, const char **file, ss_diag *d);
	void *ask_ctx;
} ss_keyconv;

/* What a key file's text is. */
ss_key_info ss_key_inspect(const char *text, size_t len);

/* Reads `src` and writes the key for the other client into k->dir:
 * OpenSSH/PEM NAME -> NAME.ppk; NAME.ppk -> NAME (OpenSSH format) and
 * NAME.pub. *out is the new (or reused) key's path; *reused says it
 * existed already with the same key. With k->dry_run nothing is written
 * (an existing file is still compared). Errors name the file: not a key,
 * a FIDO key, encrypted without a passphrase file, puttygen missing
 * ("install putty-tools") or failing (its message). */
int ss_key_convert(const ss_keyconv *k, const char *src, char **out, int *reused, ss_diag *d);

/* The key ss_key_convert would write for `src`, as bytes: the private key
 * into *key and, for an OpenSSH key made from a .ppk, its public line into
 * *pub (appended; puttygen writes through a temporary file of k->dir that
 * is removed). For the caller that writes the files itself (migrate: with
 * the sessions, journaled, all or nothing). */
int ss_key_convert_bytes(const ss_keyconv *k, const char *src, ss_buf *key, ss_buf *pub,
			 ss_diag *d);

/* `--keys` for one session of the model (session.h): its first identity
 * file (the one key PuTTY, KiTTY and WinSCP keep) is converted when its
 * format is not the target's (want_ppk: a PuTTY/KiTTY/WinSCP target;
 * else OpenSSH), and the field then names the new key. `~`, %d, %u, %h,
 * %r and %% are expanded first; a key file that does not exist, or a
 * token that cannot be, is a loss of the session, not an error. `sources`
 * gets the path of the key converted (with k->dry_run: to be converted,
 * so that the caller converts it for real once the sessions can be
 * written). Errors
 * (puttygen missing or failing, an existing file holding another key):
 * -1 with d set. */
struct ss_session;
int ss_key_migrate_session(const ss_keyconv *k, struct ss_session *s, int want_ppk,
			   ss_strlist *sources, ss_diag *d);

/* "SHA256:..." of a private (or .ppk) key file, as puttygen -l prints it. */
int ss_key_fingerprint(const ss_keyconv *k, const char *path, char **fp, ss_diag *d);

#endif
