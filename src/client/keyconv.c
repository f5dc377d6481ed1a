/* Private key conversion through puttygen (keyconv.h). */
#include "sshsync/keyconv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/buf.h"
#include "sshsync/hostkeys.h"
#include "sshsync/os_file.h"
#include "sshsync/os_proc.h"
#include "sshsync/session.h"
#include "sshsync/text.h"

#define PUTTYGEN_PACKAGE "putty-tools"

static const char *find(const char *text, size_t len, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(text + i, what, n) == 0)
			return text + i;
	return NULL;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* openssh-key-v1: "openssh-key-v1\0", string cipher, string kdf, string
 * kdf options, uint32 count, string public key (in clear). */
static void inspect_openssh(const char *text, size_t len, ss_key_info *ki)
{
	const char *b = find(text, len, "-----BEGIN OPENSSH PRIVATE KEY-----");
	const char *e = find(text, len, "-----END OPENSSH PRIVATE KEY-----");
	ss_buf b64 = SS_BUF_INIT, blob = SS_BUF_INIT;
	if (!b || !e || e < b)
		return;
	for (const char *p = b + 35; p < e; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && ss_buf_addc(&b64, *p))
			goto out;
	if (ss_hk_base64_decode(ss_buf_str(&b64), b64.len, &blob) != 0 || blob.len < 15 + 4 ||
	    memcmp(blob.data, "openssh-key-v1", 15) != 0)
		goto out;
	const unsigned char *p = (unsigned char *)blob.data + 15, *end = p + blob.len - 15;
	const unsigned char *field[4] = {NULL, NULL, NULL, NULL};
	uint32_t flen[4] = {0, 0, 0, 0};
	for (int i = 0; i < 4; i++) {
		if (i == 3) { /* the key count */
			if (end - p < 4)
				goto out;
			p += 4;
		}
		if (end - p < 4 || be32(p) > (size_t)(end - p - 4))
			goto out;
		flen[i] = be32(p);
		field[i] = p + 4;
		p += 4 + flen[i];
	}
	ki->format = SS_KEY_OPENSSH;
	ki->encrypted = !(flen[0] == 4 && memcmp(field[0], "none", 4) == 0);
	/* field[3] is the public key blob: its first string is the type */
	if (flen[3] >= 4 + 3 && be32(field[3]) <= flen[3] - 4 &&
	    memcmp(field[3] + 4, "sk-", 3) == 0)
		ki->fido = 1;
out:
	ss_buf_release(&b64);
	ss_buf_release(&blob);
}

ss_key_info ss_key_inspect(const char *text, size_t len)
{
	ss_key_info ki = {SS_KEY_UNKNOWN, 0, 0, 0};
	if (len > 22 && memcmp(text, "PuTTY-User-Key-File-", 20) == 0 &&
	    (text[20] == '2' || text[20] == '3') && text[21] == ':') {
		ki.format = SS_KEY_PPK;
		ki.ppk_version = text[20] - '0';
		const char *enc = find(text, len, "\nEncryption: ");
		ki.encrypted =
		    enc && !(len - (size_t)(enc - text) >= 17 && memcmp(enc + 13, "none", 4) == 0);
		return ki;
	}
	if (find(text, len, "-----BEGIN OPENSSH PRIVATE KEY-----")) {
		inspect_openssh(text, len, &ki);
		return ki;
	}
	static const char *const PEM[] = {
	    "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
	    "-----BEGIN DSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----",
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----"};
	for (size_t i = 0; i < sizeof PEM / sizeof *PEM; i++) {
		if (find(text, len, PEM[i])) {
			ki.format = SS_KEY_PEM;
			ki.encrypted = i == 4 || find(text, len, "Proc-Type: 4,ENCRYPTED") != NULL;
			return ki;
		}
	}
	return ki;
}

/* --- running puttygen --------------------------------------------------- */

static const char *puttygen(const ss_keyconv *k)
{
	return k->puttygen ? k->puttygen : "puttygen";
}

/* Runs puttygen with argv (argv[0] filled in here); its first error line
 * becomes the message about `file`. */
static int run_puttygen(const ss_keyconv *k, const char **argv, const char *file,
			ss_os_run_result *r, ss_diag *d)
{
	argv[0] = puttygen(k);
	if (ss_os_run(argv, r) < 0) {
		if (errno == ENOENT)
			return ss_diag_set(
			    d, file, 0, 0,
			    "cannot convert the key: %s is not installed (Debian and "
			    "Ubuntu: apt install " PUTTYGEN_PACKAGE
			    "; Windows: PuTTY's puttygen.exe on the PATH)",
			    argv[0]);
		return ss_diag_errno(d, file, "cannot run %s", argv[0]);
	}
	if (r->exit_code != 0) {
		const char *msg = ss_buf_str(&r->err);
		size_t n = strcspn(msg, "\n");
		return ss_diag_set(d, file, 0, 0, "%s failed: %.*s", argv[0], (int)n,
				   n ? msg : "no message");
	}
	return 0;
}

/* Whether reading `path` with puttygen needs its passphrase: an encrypted
 * OpenSSH or PEM key always, a .ppk only for its private part (its
 * public half, hence -l and -L, is in clear). -1 with d set when the file
 * cannot be read. */
static int needs_passphrase(const char *path, int private_part, ss_diag *d)
{
	ss_text t;
	if (ss_text_load(&t, path, (size_t)1 << 20, d))
		return -1;
	ss_key_info ki = ss_key_inspect(t.data, t.len);
	ss_text_free(&t);
	return ki.encrypted && (private_part || ki.format != SS_KEY_PPK);
}

/* The passphrase file to give puttygen for `key`: when `needed`, the
 * user's or the one the caller's ask() gives, else an empty one (*tmp
 * says it must be removed). */
static int passphrase(const ss_keyconv *k, const char *key, int needed, const char **path,
		      char **tmp, ss_diag *d)
{
	*tmp = NULL;
	/* A key without one gets none: puttygen's --new-passphrase would
	 * otherwise encrypt the new key with the user's passphrase. */
	if (needed && k->passphrase_file) {
		*path = k->passphrase_file;
		return 0;
	}
	if (needed && k->ask)
		return k->ask(k->ask_ctx, key, path, d);
	if (needed)
		return ss_diag_set(d, key, 0, 0,
				   "the key is encrypted and no passphrase was given");
	if (ss_os_secret_file("", 0, tmp) < 0)
		return ss_diag_errno(d, NULL, "cannot create a private temporary file");
	*path = *tmp;
	return 0;
}

static void drop_secret(char *tmp)
{
	if (tmp)
		ss_os_remove_path(tmp);
	free(tmp);
}

int ss_key_fingerprint(const ss_keyconv *k, const char *path, char **fp, ss_diag *d)
{
	const char *pass;
	char *tmp;
	ss_os_run_result r;
	int needed = needs_passphrase(path, 0, d);
	if (needed < 0 || passphrase(k, path, needed, &pass, &tmp, d))
		return -1;
	const char *argv[] = {NULL, "-l", "-E", "sha256", "--old-passphrase", pass, path, NULL};
	int rc = run_puttygen(k, argv, path, &r, d);
	drop_secret(tmp);
	if (rc == 0) {
		const char *s = strstr(ss_buf_str(&r.out), "SHA256:");
		size_t n = s ? strcspn(s, " \r\n") : 0;
		if (!s)
			rc = ss_diag_set(d, path, 0, 0, "puttygen printed no SHA256 fingerprint");
		else if (!(*fp = ss_strndup(s, n)))
			rc = ss_diag_oom(d);
	}
	ss_os_run_result_release(&r);
	return rc;
}

/* --- converting ----------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *b = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

/* The new key's file name in k->dir. */
static char *target_name(const char *src, ss_key_format f)
{
	const char *b = base_name(src);
	size_t n = strlen(b);
	char *name;
	if (f == SS_KEY_PPK)
		name =
		    n > 4 && strcmp(b + n - 4, ".ppk") == 0 ? ss_strndup(b, n - 4) : ss_strdup(b);
	else
		name = ss_asprintf("%s.ppk", b);
	/* A control character (a newline) cannot stand in an IdentityFile or
	 * PublicKeyFile line: the new name has '_' there (reported). */
	for (char *p = name; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	return name;
}

static int same_key(const ss_keyconv *k, const char *a, const char *b, int *same, ss_diag *d)
{
	char *fa = NULL, *fb = NULL;
	int rc = ss_key_fingerprint(k, a, &fa, d);
	if (rc == 0)
		rc = ss_key_fingerprint(k, b, &fb, d);
	if (rc == 0)
		*same = strcmp(fa, fb) == 0;
	free(fa);
	free(fb);
	return rc;
}

/* Runs puttygen with `args` and "-o" a new temporary file of the key
 * folder (mode 0600 before puttygen writes it), named in *tmpname. */
static int run_to_temp(const ss_keyconv *k, int dirfd, const char *name, const char **args,
		       const char *src, char **tmpname, ss_diag *d)
{
	int fd;
	char *tmppath = NULL;
	ss_os_run_result r = {0};
	*tmpname = NULL;
	if (ss_os_create_temp(dirfd, name, &fd, tmpname) < 0)
		return ss_diag_errno(d, k->dir, "cannot create a temporary file in");
	ss_os_close(fd);
	int rc = (tmppath = ss_asprintf("%s/%s", k->dir, *tmpname)) ? 0 : ss_diag_oom(d);
	const char *argv[16];
	size_t n = 0;
	argv[n++] = NULL; /* puttygen */
	for (size_t i = 0; args[i] && n < 13; i++)
		argv[n++] = args[i];
	argv[n++] = "-o";
	argv[n++] = tmppath;
	argv[n] = NULL;
	if (rc == 0)
		rc = run_puttygen(k, argv, src, &r, d);
	if (rc) {
		ss_os_unlink(dirfd, *tmpname);
		free(*tmpname);
		*tmpname = NULL;
	}
	ss_os_run_result_release(&r);
	free(tmppath);
	return rc;
}

/* puttygen writes into a temporary file of the folder, which then takes
 * the name unless something has it by then (never overwritten). */
static int write_new(const ss_keyconv *k, int dirfd, const char *name, const char **args,
		     const char *src, ss_diag *d)
{
	char *tmpname;
	int rc = run_to_temp(k, dirfd, name, args, src, &tmpname, d);
	if (rc == 0 && ss_os_rename(dirfd, tmpname, dirfd, name, 1) < 0) {
		rc = errno == EEXIST
			 ? ss_diag_set(d, k->dir, 0, 0,
				       "%s appeared while it was written: not overwritten", name)
			 : ss_diag_errno(d, k->dir, "cannot rename %s to %s in", tmpname, name);
		ss_os_unlink(dirfd, tmpname);
	}
	free(tmpname);
	return rc;
}

/* The bytes puttygen writes for `args`, through a temporary file of the
 * key folder that is removed again. */
static int convert_to_bytes(const ss_keyconv *k, int dirfd, const char *name, const char **args,
			    const char *src, ss_buf *out, ss_diag *d)
{
	char *tmpname, *tmppath = NULL;
	int rc = run_to_temp(k, dirfd, name, args, src, &tmpname, d);
	if (rc)
		return rc;
	ss_text t;
	if (!(tmppath = ss_asprintf("%s/%s", k->dir, tmpname)))
		rc = ss_diag_oom(d);
	else if ((rc = ss_text_load(&t, tmppath, (size_t)1 << 20, d)) == 0) {
		if (ss_buf_add(out, t.data, t.len))
			rc = ss_diag_oom(d);
		ss_text_free(&t);
	}
	ss_os_unlink(dirfd, tmpname);
	free(tmpname);
	free(tmppath);
	return rc;
}

/* NAME.pub next to an OpenSSH key converted from a .ppk (puttygen -L). */
static int write_pub(const ss_keyconv *k, int dirfd, const char *name, const char *src,
		     const char *pass, ss_diag *d)
{
	char *pub = ss_asprintf("%s.pub", name);
	if (!pub)
		return ss_diag_oom(d);
	int rc = 0, exists = ss_os_exists(dirfd, pub);
	if (exists == 0) {
		const char *args[] = {src, "--old-passphrase", pass, "-O", "public-openssh", NULL};
		rc = write_new(k, dirfd, pub, args, src, d);
	} else if (exists < 0) {
		rc = ss_diag_errno(d, k->dir, "cannot tell whether %s exists in", pub);
	}
	free(pub);
	return rc;
}

static int read_info(const char *src, ss_key_info *ki, ss_diag *d)
{
	ss_text t;
	if (ss_text_load(&t, src, (size_t)1 << 20, d))
		return -1;
	*ki = ss_key_inspect(t.data, t.len);
	ss_text_free(&t);
	if (ki->format == SS_KEY_UNKNOWN)
		return ss_diag_set(d, src, 0, 0, "not a private key that puttygen reads");
	if (ki->fido)
		return ss_diag_set(d, src, 0, 0,
				   "a FIDO (sk-) key: PuTTY cannot use it; not converted");
	return 0;
}

/* puttygen's arguments that turn `src` into the other client's private
 * key, keeping its passphrase `pass`. */
static void convert_args(const ss_keyconv *k, const ss_key_info *ki, const char *src,
			 const char *pass, const char *args[11])
{
	size_t n = 0;
	args[n++] = src;
	args[n++] = "--old-passphrase";
	args[n++] = pass;
	args[n++] = "--new-passphrase";
	args[n++] = pass;
	args[n++] = "-O";
	if (ki->format == SS_KEY_PPK) {
		args[n++] = "private-openssh-new";
	} else {
		args[n++] = "private";
		args[n++] = "--ppk-param";
		args[n++] = k->ppk_version == 2 ? "version=2" : "version=3";
	}
	args[n] = NULL;
}

/* The new key's path in k->dir (absolute), its name, and the folder
 * opened. */
static int open_target(const ss_keyconv *k, const char *src, const ss_key_info *ki, char **path,
		       char **name, int *dirfd, ss_diag *d)
{
	char *dir = NULL;
	*path = NULL;
	*dirfd = -1;
	if (!(*name = target_name(src, ki->format)))
		return ss_diag_oom(d);
	if (ss_os_absolute_path(k->dir, &dir) < 0 || ss_os_open_dir(k->dir, dirfd) < 0) {
		free(dir);
		return ss_diag_errno(d, k->dir, "cannot open the key folder");
	}
	*path = ss_asprintf("%s/%s", dir, *name);
	free(dir);
	return *path ? 0 : ss_diag_oom(d);
}

int ss_key_convert(const ss_keyconv *k, const char *src, char **out, int *reused, ss_diag *d)
{
	ss_key_info ki;
	*out = NULL;
	*reused = 0;
	if (read_info(src, &ki, d))
		return -1;
	char *name = NULL, *path = NULL, *tmp = NULL, *real = NULL;
	const char *pass = NULL;
	int dirfd = -1, rc = open_target(k, src, &ki, &path, &name, &dirfd, d);
	/* A .ppk without the suffix, converted into its own folder, would be
	 * "converted" into itself. */
	if (rc == 0 && ss_os_absolute_path(src, &real) == 0 && strcmp(real, path) == 0)
		rc = ss_diag_set(d, src, 0, 0,
				 "the converted key would replace this key itself: give --keys "
				 "another folder");
	free(real);
	int exists = rc == 0 ? ss_os_exists(dirfd, name) : 0;
	if (rc == 0 && exists < 0)
		rc = ss_diag_errno(d, path, "cannot tell whether the file exists");
	if (rc == 0 && exists == 1) {
		int same = 0;
		rc = same_key(k, src, path, &same, d);
		if (rc == 0 && !same)
			rc = ss_diag_set(d, path, 0, 0,
					 "exists and holds another key than %s: not overwritten",
					 src);
		*reused = rc == 0;
	} else if (rc == 0 && !k->dry_run) {
		const char *args[11];
		rc = passphrase(k, src, ki.encrypted, &pass, &tmp, d);
		convert_args(k, &ki, src, pass, args);
		if (rc == 0)
			rc = write_new(k, dirfd, name, args, src, d);
		if (rc == 0 && ki.format == SS_KEY_PPK)
			rc = write_pub(k, dirfd, name, src, pass, d);
	}
	drop_secret(tmp);
	if (dirfd >= 0)
		ss_os_close(dirfd);
	free(name);
	if (rc == 0)
		*out = path;
	else
		free(path);
	return rc;
}

int ss_key_convert_bytes(const ss_keyconv *k, const char *src, ss_buf *key, ss_buf *pub, ss_diag *d)
{
	ss_key_info ki;
	if (read_info(src, &ki, d))
		return -1;
	char *name = NULL, *path = NULL, *tmp = NULL;
	const char *pass = NULL;
	int dirfd = -1, rc = open_target(k, src, &ki, &path, &name, &dirfd, d);
	if (rc == 0)
		rc = passphrase(k, src, ki.encrypted, &pass, &tmp, d);
	if (rc == 0) {
		const char *args[11];
		convert_args(k, &ki, src, pass, args);
		rc = convert_to_bytes(k, dirfd, name, args, src, key, d);
	}
	if (rc == 0 && ki.format == SS_KEY_PPK) {
		const char *args[] = {src, "--old-passphrase", pass, "-O", "public-openssh", NULL};
		rc = convert_to_bytes(k, dirfd, name, args, src, pub, d);
	}
	drop_secret(tmp);
	if (dirfd >= 0)
		ss_os_close(dirfd);
	free(name);
	free(path);
	return rc;
}

/* --- one session of the model ---------------------------------------------- */

/* The home folder, as the shell's "~" (through the platform's glob). */
static int home_dir(ss_buf *out)
{
	ss_os_paths g;
	if (ss_os_glob("~", SS_OS_GLOB_TILDE, &g) != 0)
		return 1;
	int rc = g.n == 1 ? ss_buf_adds(out, g.v[0]) : 1;
	ss_os_paths_free(&g);
	return rc;
}

static const char *local_user(void)
{
	const char *u = getenv("USER");
	if (!u || !*u)
		u = getenv("USERNAME");
	return u && *u ? u : NULL;
}

/* IdentityFile's ~ and tokens (ssh_config(5) TOKENS) that a key path can
 * use without a connection: 0, 1 with *bad naming what cannot be. */
static int expand_path(const ss_session *s, const char *in, ss_buf *out, char *bad)
{
	const char *p = in;
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\\' || p[1] == '\0')) {
		int rc = home_dir(out);
		if (rc) {
			*bad = '~';
			return rc;
		}
		p++;
	}
	for (; *p; p++) {
		int rc = 0;
		if (*p != '%') {
			rc = ss_buf_addc(out, *p);
		} else if (p[1] == '%') {
			rc = ss_buf_addc(out, '%');
			p++;
		} else if (p[1] == 'd') {
			rc = home_dir(out);
			p++;
		} else if ((p[1] == 'u' || (p[1] == 'r' && !s->f[SS_F_USER].str)) && local_user()) {
			rc = ss_buf_adds(out, local_user());
			p++;
		} else if (p[1] == 'r' && s->f[SS_F_USER].str) {
			rc = ss_buf_adds(out, s->f[SS_F_USER].str);
			p++;
		} else if (p[1] == 'h' && s->f[SS_F_HOST].str) {
			rc = ss_buf_adds(out, s->f[SS_F_HOST].str);
			p++;
		} else {
			*bad = p[1] ? p[1] : '%';
			return 1;
		}
		if (rc) {
			*bad = p[0] == '%' ? p[1] : '~';
			return rc;
		}
	}
	return ss_buf_add(out, "", 0);
}

int ss_key_migrate_session(const ss_keyconv *k, ss_session *s, int want_ppk, ss_strlist *sources,
			   ss_diag *d)
{
	ss_sval *v = &s->f[SS_F_IDENTITY];
	if (v->list.n == 0 || s->skip)
		return 0;
	ss_buf path = SS_BUF_INIT;
	char bad = 0, *out = NULL;
	int reused = 0, rc = expand_path(s, v->list.v[0], &path, &bad);
	if (rc < 0) {
		ss_buf_release(&path);
		return ss_diag_oom(d);
	}
	if (rc == 1) {
		ss_buf_release(&path);
		return ss_session_loss(s, "identity_file", 0,
				       "%s: cannot resolve %%%c without a connection; the key is "
				       "not converted",
				       v->list.v[0], bad)
			   ? ss_diag_oom(d)
			   : 0;
	}
	int exists = ss_os_path_present(path.data);
	if (exists != 1) {
		rc = ss_session_loss(s, "identity_file", 0, "%s: %s; the key is not converted",
				     path.data, exists == 0 ? "no such file" : "cannot be read");
		ss_buf_release(&path);
		return rc ? ss_diag_oom(d) : 0;
	}
	ss_text t;
	if (ss_text_load(&t, path.data, (size_t)1 << 20, d)) {
		ss_buf_release(&path);
		return -1;
	}
	ss_key_info ki = ss_key_inspect(t.data, t.len);
	ss_text_free(&t);
	if (ki.format != SS_KEY_UNKNOWN && (ki.format == SS_KEY_PPK) == (want_ppk != 0)) {
		ss_buf_release(&path); /* already what the target reads */
		return 0;
	}
	rc = ss_key_convert(k, path.data, &out, &reused, d);
	if (rc == 0 && !reused && sources && ss_strlist_push(sources, path.data) < 0)
		rc = ss_diag_oom(d);
	ss_buf_release(&path);
	if (rc) {
		free(out);
		return -1;
	}
	free(v->list.v[0]);
	v->list.v[0] = out;
	return 0;
}
