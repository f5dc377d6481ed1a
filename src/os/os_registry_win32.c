/* The live registry on Windows (see os_registry.h): the W functions, with
 * names converted between UTF-16 and UTF-8 (WTF-8) without loss. */
#ifdef _WIN32
#include "sshsync/os_registry.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>

struct ss_osreg_key {
	HKEY h;
	char *path;
};

/* --- names: UTF-8 (WTF-8) <-> UTF-16 --- */

/* One UTF-8 sequence (surrogates allowed: WTF-8): its length, or 0. */
static size_t utf8_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	static const uint32_t MIN[4] = {0, 0x80, 0x800, 0x10000};
	size_t n = p[0] < 0x80			  ? 1
		   : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
		   : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
		   : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
						  : 0;
	if (n == 0 || n > len)
		return 0;
	uint32_t c = n == 1 ? p[0] : p[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < MIN[n - 1] || c > 0x10FFFF)
		return 0;
	*cp = c;
	return n;
}

static WCHAR *to_wide(const char *s)
{
	size_t len = strlen(s);
	WCHAR *w = malloc((len + 1) * sizeof(*w));
	if (!w)
		return NULL;
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		if (k == 0) { /* not UTF-8: the byte as a character of Latin-1 */
			cp = p[i];
			k = 1;
		}
		i += k;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			w[n++] = (WCHAR)(0xD800 | (cp >> 10));
			w[n++] = (WCHAR)(0xDC00 | (cp & 0x3FF));
		} else {
			w[n++] = (WCHAR)cp;
		}
	}
	w[n] = 0;
	return w;
}

static int add_cp(ss_buf *out, uint32_t c)
{
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	return ss_buf_add(out, b, n);
}

static char *from_wide(const WCHAR *w, size_t n)
{
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = w[i];
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && w[i + 1] >= 0xDC00 &&
		    w[i + 1] <= 0xDFFF) {
			c = 0x10000 + ((c - 0xD800) << 10) + (w[i + 1] - 0xDC00u);
			i++;
		}
		if (add_cp(&b, c) < 0) {
			ss_buf_release(&b);
			return NULL;
		}
	}
	return ss_buf_detach(&b, NULL);
}

/* --- errors --- */

static int fail(ss_diag *d, const char *path, const char *what, LONG err)
{
	const char *why = err == ERROR_ACCESS_DENIED	? "access denied"
			  : err == ERROR_FILE_NOT_FOUND ? "no such key or value"
			  : err == ERROR_KEY_DELETED	? "the key was deleted"
							: "a registry error";
	return ss_diag_set(d, path, 0, 0, "%s: %s (Windows error %ld)", what, why, (long)err);
}

/* --- keys --- */

int ss_osreg_available(void)
{
	return 1;
}

/* The root of `path` and the rest after it. */
static HKEY root_of(const char *path, const char **rest, const char **name)
{
	static const struct {
		const char *a, *b;
		HKEY h;
		const char *full;
	} ROOTS[] = {{"HKCU", "HKEY_CURRENT_USER", HKEY_CURRENT_USER, "HKEY_CURRENT_USER"},
		     {"HKLM", "HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE, "HKEY_LOCAL_MACHINE"}};
	for (size_t i = 0; i < sizeof(ROOTS) / sizeof(ROOTS[0]); i++) {
		const char *alts[2] = {ROOTS[i].a, ROOTS[i].b};
		for (int k = 0; k < 2; k++) {
			size_t n = strlen(alts[k]);
			if (_strnicmp(path, alts[k], n) == 0 && (path[n] == '\\' || !path[n])) {
				*rest = path[n] ? path + n + 1 : path + n;
				*name = ROOTS[i].full;
				return ROOTS[i].h;
			}
		}
	}
	return NULL;
}

static ss_osreg_key *new_key(HKEY h, char *path)
{
	ss_osreg_key *k = calloc(1, sizeof(*k));
	if (!k || !path) {
		free(k);
		free(path);
		RegCloseKey(h);
		return NULL;
	}
	k->h = h;
	k->path = path;
	return k;
}

int ss_osreg_open(const char *path, int writable, ss_osreg_key **key, ss_diag *d)
{
	*key = NULL;
	const char *rest, *rootname;
	HKEY root = root_of(path, &rest, &rootname);
	if (!root)
		return ss_diag_set(d, path, 0, 0,
				   "expected a key under HKCU (HKEY_CURRENT_USER) or HKLM "
				   "(HKEY_LOCAL_MACHINE)");
	const char *override = getenv("SSHSYNC_REGISTRY_HKCU");
	char *sub = root == HKEY_CURRENT_USER && override && *override
			? ss_asprintf("%s%s%s", override, *rest ? "\\" : "", rest)
			: ss_strdup(rest);
	WCHAR *w = sub ? to_wide(sub) : NULL;
	free(sub);
	if (!w)
		return ss_diag_oom(d);
	HKEY h;
	REGSAM sam = KEY_READ | (writable ? KEY_SET_VALUE | KEY_CREATE_SUB_KEY | DELETE : 0);
	LONG err = RegOpenKeyExW(root, w, 0, sam, &h);
	free(w);
	if (err == ERROR_FILE_NOT_FOUND)
		return 0;
	if (err != ERROR_SUCCESS)
		return fail(d, path, "cannot open the key", err);
	*key = new_key(h, *rest ? ss_asprintf("%s\\%s", rootname, rest) : ss_strdup(rootname));
	return *key ? 1 : ss_diag_oom(d);
}

int ss_osreg_create(ss_osreg_key *parent, const char *name, ss_osreg_key **key, ss_diag *d)
{
	*key = NULL;
	WCHAR *w = to_wide(name);
	if (!w)
		return ss_diag_oom(d);
	HKEY h;
	LONG err =
	    RegCreateKeyExW(parent->h, w, 0, NULL, 0,
			    KEY_READ | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | DELETE, NULL, &h, NULL);
	free(w);
	char *path = ss_asprintf("%s\\%s", parent->path, name);
	if (err != ERROR_SUCCESS) {
		int r = fail(d, path ? path : parent->path, "cannot create the key", err);
		free(path);
		return r;
	}
	*key = new_key(h, path);
	return *key ? 0 : ss_diag_oom(d);
}

void ss_osreg_close(ss_osreg_key *key)
{
	if (!key)
		return;
	RegCloseKey(key->h);
	free(key->path);
	free(key);
}

const char *ss_osreg_path(const ss_osreg_key *key)
{
	return key->path;
}

int ss_osreg_subkeys(ss_osreg_key *key, ss_strlist *out, ss_diag *d)
{
	WCHAR name[256]; /* a key name has at most 255 characters */
	for (DWORD i = 0;; i++) {
		DWORD len = sizeof(name) / sizeof(name[0]);
		LONG err = RegEnumKeyExW(key->h, i, name, &len, NULL, NULL, NULL, NULL);
		if (err == ERROR_NO_MORE_ITEMS)
			return 0;
		if (err != ERROR_SUCCESS)
			return fail(d, key->path, "cannot list the subkeys", err);
		char *s = from_wide(name, len);
		if (!s || ss_strlist_push_owned(out, s) < 0)
			return ss_diag_oom(d);
	}
}

void ss_osreg_values_free(ss_osreg_values *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		ss_buf_release(&v->v[i].data);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static ss_osreg_value *values_add(ss_osreg_values *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		ss_osreg_value *nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	ss_osreg_value *x = &v->v[v->n++];
	memset(x, 0, sizeof(*x));
	return x;
}

int ss_osreg_values_read(ss_osreg_key *key, ss_osreg_values *out, ss_diag *d)
{
	DWORD maxname = 0, maxdata = 0;
	LONG err = RegQueryInfoKeyW(key->h, NULL, NULL, NULL, NULL, NULL, NULL, NULL, &maxname,
				    &maxdata, NULL, NULL);
	if (err != ERROR_SUCCESS)
		return fail(d, key->path, "cannot read the key", err);
	WCHAR *name = malloc(((size_t)maxname + 2) * sizeof(*name));
	BYTE *data = malloc((size_t)maxdata + 2);
	int r = name && data ? 0 : ss_diag_oom(d);
	for (DWORD i = 0; r == 0; i++) {
		DWORD nlen = maxname + 2, dlen = maxdata + 2, type = 0;
		err = RegEnumValueW(key->h, i, name, &nlen, NULL, &type, data, &dlen);
		if (err == ERROR_NO_MORE_ITEMS)
			break;
		if (err == ERROR_MORE_DATA) {
			/* Changed meanwhile: start again with the new sizes. */
			ss_osreg_values_free(out);
			free(name);
			free(data);
			return ss_osreg_values_read(key, out, d);
		}
		if (err != ERROR_SUCCESS) {
			r = fail(d, key->path, "cannot read the values", err);
			break;
		}
		ss_osreg_value *v = values_add(out);
		if (!v || !(v->name = from_wide(name, nlen)) ||
		    ss_buf_add(&v->data, data, dlen) < 0)
			r = ss_diag_oom(d);
		else
			v->type = type;
	}
	free(name);
	free(data);
	return r;
}

int ss_osreg_query(ss_osreg_key *key, const char *name, uint32_t *type, ss_buf *data, ss_diag *d)
{
	WCHAR *w = to_wide(name);
	if (!w)
		return ss_diag_oom(d);
	int r = 0;
	for (;;) {
		DWORD t = 0, len = 0;
		LONG err = RegQueryValueExW(key->h, w, NULL, &t, NULL, &len);
		if (err == ERROR_FILE_NOT_FOUND)
			break;
		if (err != ERROR_SUCCESS) {
			r = fail(d, key->path, "cannot read a value", err);
			break;
		}
		ss_buf_reset(data);
		if (ss_buf_grow(data, len) < 0) {
			r = ss_diag_oom(d);
			break;
		}
		DWORD got = len;
		err = RegQueryValueExW(key->h, w, NULL, &t, (BYTE *)data->data, &got);
		if (err == ERROR_MORE_DATA)
			continue; /* grew meanwhile */
		if (err == ERROR_FILE_NOT_FOUND)
			break;
		if (err != ERROR_SUCCESS) {
			r = fail(d, key->path, "cannot read a value", err);
			break;
		}
		data->len = got;
		data->data[got] = '\0';
		*type = t;
		r = 1;
		break;
	}
	free(w);
	return r;
}

int ss_osreg_set(ss_osreg_key *key, const char *name, uint32_t type, const void *data, size_t len,
		 ss_diag *d)
{
	if (len > 0xFFFFFFFFu)
		return ss_diag_set(d, key->path, 0, 0, "a value of %llu bytes is too large",
				   (unsigned long long)len);
	WCHAR *w = to_wide(name);
	if (!w)
		return ss_diag_oom(d);
	LONG err = RegSetValueExW(key->h, w, 0, type, (const BYTE *)data, (DWORD)len);
	free(w);
	return err == ERROR_SUCCESS ? 0 : fail(d, key->path, "cannot set a value", err);
}

int ss_osreg_delete_value(ss_osreg_key *key, const char *name, ss_diag *d)
{
	WCHAR *w = to_wide(name);
	if (!w)
		return ss_diag_oom(d);
	LONG err = RegDeleteValueW(key->h, w);
	free(w);
	return err == ERROR_SUCCESS || err == ERROR_FILE_NOT_FOUND
		   ? 0
		   : fail(d, key->path, "cannot delete a value", err);
}

int ss_osreg_delete_key(ss_osreg_key *key, const char *name, ss_diag *d)
{
	WCHAR *w = to_wide(name);
	if (!w)
		return ss_diag_oom(d);
	LONG err = RegDeleteTreeW(key->h, w);
	free(w);
	return err == ERROR_SUCCESS || err == ERROR_FILE_NOT_FOUND
		   ? 0
		   : fail(d, key->path, "cannot delete a key", err);
}
#endif
