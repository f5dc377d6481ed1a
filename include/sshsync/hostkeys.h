/* Host keys between OpenSSH's known_hosts and the caches of PuTTY, KiTTY
 * and WinSCP (MIGRATION.md §2, Table 3), for `migrate --host-keys`.
 *
 * PuTTY names a cached key "TYPE@PORT:HOST" (TYPE its cache id: rsa2,
 * dss, ecdsa-sha2-nistpN, ssh-ed25519) and stores the key's numbers in hex
 * ("0xe,0xn"; Ed25519 as affine x and y, so x is recovered from the
 * RFC 8032 encoding with OpenSSL's BN). known_hosts holds SSH wire blobs
 * in base64 under host patterns: `host` for port 22, `[host]:port`
 * otherwise, `|1|salt|hmac` hashed names, wildcards and negations, and the
 * markers @cert-authority and @revoked.
 *
 * Converting known_hosts for a set of migrated hosts:
 *  - a plain name (exact, no wildcard) gives one cache entry per name;
 *    IP addresses are skipped (PuTTY never looks them up) and noted;
 *  - a hashed name gives an entry only for a migrated host whose name (or
 *    [name]:port) it hashes; the others are noted as not convertible;
 *  - a wildcard pattern that matches a migrated host, or several keys of
 *    one type for one host, go to that session's manual host keys
 *    (SSHManualHostKeys: base64 blobs), which replace the cache for it;
 *  - @cert-authority becomes a host CA (PublicKey, Validity in PuTTY's
 *    cert-expr language, PermitRSASHA*), @revoked is noted.
 * The other way, every cache entry becomes a known_hosts line; WinSCP's
 * `;` lists give several lines, its fingerprints cannot (noted). */
#ifndef SSHSYNC_HOSTKEYS_H
#define SSHSYNC_HOSTKEYS_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

/* A host being migrated: the name its host key is looked up under (the
 * host name, or HostKeyAlias / LogHost), its port, and its session. */
typedef struct ss_hk_host {
	const char *name;
	int port;
	const char *session;
} ss_hk_host;

/* What could not be carried, or only approximately: `where` is
 * "FILE:LINE" of the known_hosts line or the cache entry's name. */
typedef struct ss_hk_note {
	char *where;
	char *message;
} ss_hk_note;

typedef struct ss_hk_pair {
	char *name;
	char *value;
} ss_hk_pair;

/* A PuTTY/WinSCP host CA (from @cert-authority). */
typedef struct ss_hk_ca {
	char *name;	  /* made from the file and line: "known_hosts-3" */
	char *public_key; /* base64 of the CA key's blob */
	char *validity;	  /* cert-expr, e.g. "(*.example.com && port:22)" */
	int permit_rsa_sha1, permit_rsa_sha256, permit_rsa_sha512;
} ss_hk_ca;

/* The keys one session must pin (SSHManualHostKeys). */
typedef struct ss_hk_manual {
	char *session;
	ss_strlist keys; /* base64 blobs */
} ss_hk_manual;

typedef struct ss_hk_putty {
	ss_hk_pair *keys; /* "TYPE@PORT:HOST" -> key string, in file order */
	size_t n_keys, cap_keys;
	ss_hk_manual *manual;
	size_t n_manual, cap_manual;
	ss_hk_ca *cas;
	size_t n_cas, cap_cas;
	ss_hk_note *notes;
	size_t n_notes, cap_notes;
} ss_hk_putty;

#define SS_HK_PUTTY_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0                                     \
	}

/* known_hosts text (from `file`, for the notes) -> PuTTY entries for the
 * hosts `hosts`. A line that cannot be parsed is noted, never fatal;
 * -1 only when memory runs out (d says so). */
int ss_hk_from_known_hosts(const char *text, size_t len, const char *file, const ss_hk_host *hosts,
			   size_t n_hosts, ss_hk_putty *out, ss_diag *d);
void ss_hk_putty_release(ss_hk_putty *p);

/* PuTTY / KiTTY / WinSCP cache entries (value name, data; names as in
 * PuTTY's Unix sshhostkeys file, registry names already unescaped) ->
 * known_hosts lines appended to `out`; `notes` gets what cannot be
 * carried (notes->keys etc. are not touched). -1 when memory runs out. */
int ss_hk_to_known_hosts(const ss_hk_pair *entries, size_t n, ss_buf *out, ss_hk_putty *notes,
			 ss_diag *d);

/* The hosts of the migrated sessions (session.h), for
 * ss_hk_from_known_hosts: each under the name its host key is looked up
 * by (host_key_alias: OpenSSH's HostKeyAlias has no port, PuTTY's LogHost
 * may say "name:port"; else the host name) with its port, and the session
 * under its own name. The strings
 * are owned by *keep. */
struct ss_sessions;
int ss_hk_hosts_of_sessions(const struct ss_sessions *l, ss_hk_host **hosts, size_t *n,
			    ss_strlist *keep);

/* `migrate --host-keys` (hostkeys_plan.c): plans the host keys of the
 * sessions `l` into `cs`. to_putty: from the known_hosts file into
 * PuTTY's store, else from PuTTY's store into known_hosts. PuTTY's store
 * is the folder `putty_store` (its sshhostkeys file; host CAs as new
 * files of sshhostcas/), or with `reg` the .reg file `putty_store` (its
 * SshHostKeys key, a new block appended). Only entries a store lacks are
 * added; one it has with another key is kept and noted. What cannot be
 * carried goes to `notes`. */
struct ss_changeset;
int ss_hk_plan(int to_putty, const char *known_hosts, const char *putty_store, int reg,
	       const struct ss_sessions *l, struct ss_changeset *cs, ss_strlist *notes, ss_diag *d);

/* The same between known_hosts and WinSCP's cache: the SshHostKeys key of
 * its registry export or the [SshHostKeys] section of WinSCP.ini `store`
 * (value names as PuTTY's, "ssh-ed25519@22:host"; values PuTTY's key
 * strings, or several separated by ';'), planned through storage.h so
 * that nothing else in the file changes. to_winscp: from known_hosts. */
int ss_hk_plan_winscp(int to_winscp, const char *known_hosts, const char *store,
		      const struct ss_sessions *l, struct ss_changeset *cs, ss_strlist *notes,
		      ss_diag *d);

/* The same through the storage layer for `client` "winscp" (as above) or
 * "kitty" (the SshHostKeys key of a KiTTY .reg export, PuTTY's names). */
int ss_hk_plan_store(int to_store, const char *client, const char *known_hosts, const char *store,
		     const struct ss_sessions *l, struct ss_changeset *cs, ss_strlist *notes,
		     ss_diag *d);

/* The pieces, for the callers and the tests. */

/* An SSH public key blob -> PuTTY's cache id and key string. 0, 1 when
 * the key is malformed or of a type PuTTY does not cache (why in *why),
 * -1 when memory runs out. */
int ss_hk_blob_to_putty(const unsigned char *blob, size_t len, ss_buf *type, ss_buf *value,
			const char **why);
/* The reverse: 0, 1 (malformed or not a key, why in *why), -1 (memory).
 * *ssh_type is the OpenSSH key type name (static). */
int ss_hk_putty_to_blob(const char *type, const char *value, ss_buf *blob, const char **ssh_type,
			const char **why);
/* Standard base64 (with padding). Decode: 0, 1 not base64, -1 memory. */
int ss_hk_base64_encode(const unsigned char *data, size_t len, ss_buf *out);
int ss_hk_base64_decode(const char *s, size_t len, ss_buf *out);
/* Whether the hashed known_hosts name "|1|salt|hmac" is `name`: 1, 0, or
 * -1 when the field is not a well-formed hashed name. */
int ss_hk_hashed_is(const char *field, size_t len, const char *name);
/* The name OpenSSH looks a host up under: "host" for port 22, else
 * "[host]:port". Newly allocated, NULL when memory runs out. */
char *ss_hk_lookup_name(const char *host, int port);

/* PuTTY's Unix sshhostkeys lines ("NAME VALUE\n") and one host CA file
 * of <putty dir>/sshhostcas/NAME, appended to `out`. */
int ss_hk_render_putty_file(const ss_hk_putty *p, ss_buf *out);
int ss_hk_render_putty_ca(const ss_hk_ca *ca, ss_buf *out);
/* A manual host key list as PuTTY writes SSHManualHostKeys (keys without
 * values, `=` `,` `\` backslash-escaped). */
int ss_hk_render_manual(const ss_hk_manual *m, ss_buf *out);

#endif
