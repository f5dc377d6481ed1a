/* Windows odds and ends: BCrypt's random bytes and SHA-256, the computer
 * name, code pages by MultiByteToWideChar. See include/sshsync/os_sys.h. */
#include "sshsync/os_sys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "win32.h"

/* after windows.h */
#include <bcrypt.h>

int ss_os_random(void *buf, size_t len)
{
	unsigned char *b = buf;
	while (len) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(
			BCryptGenRandom(NULL, b, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG))) {
			errno = EIO;
			return -1;
		}
		b += chunk;
		len -= chunk;
	}
	return 0;
}

int ss_os_gmtime(time_t t, struct tm *tm)
{
	return gmtime_s(tm, &t) == 0 ? 0 : -1;
}

int ss_os_hostname(char *buf, size_t len)
{
	wchar_t w[256];
	DWORD n = sizeof(w) / sizeof(*w);
	if (!len || !GetComputerNameExW(ComputerNameDnsHostname, w, &n))
		return -1;
	char *s = ss_w32_utf8(w);
	if (!s)
		return -1;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

/* CNG is part of the system: no library to load. */
int ss_os_sha256_ready(void)
{
	return 1;
}

struct ss_os_sha256_ctx {
	BCRYPT_ALG_HANDLE alg;
	BCRYPT_HASH_HANDLE h;
};

ss_os_sha256_ctx *ss_os_sha256_begin(void)
{
	ss_os_sha256_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!BCRYPT_SUCCESS(
		BCryptOpenAlgorithmProvider(&c->alg, BCRYPT_SHA256_ALGORITHM, NULL, 0)) ||
	    !BCRYPT_SUCCESS(BCryptCreateHash(c->alg, &c->h, NULL, 0, NULL, 0, 0))) {
		if (c->alg)
			BCryptCloseAlgorithmProvider(c->alg, 0);
		free(c);
		return NULL;
	}
	return c;
}

int ss_os_sha256_update(ss_os_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len) {
		ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptHashData(c->h, (PUCHAR)p, chunk, 0)))
			return -1;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

int ss_os_sha256_end(ss_os_sha256_ctx *c, unsigned char out[32])
{
	if (!c)
		return -1;
	int r = BCRYPT_SUCCESS(BCryptFinishHash(c->h, out, 32, 0)) ? 0 : -1;
	BCryptDestroyHash(c->h);
	BCryptCloseAlgorithmProvider(c->alg, 0);
	free(c);
	return r;
}

int ss_os_sha256(const void *data, size_t len, unsigned char out[32])
{
	ss_os_sha256_ctx *c = ss_os_sha256_begin();
	int r = c && ss_os_sha256_update(c, data, len) == 0 ? 0 : -1;
	if (ss_os_sha256_end(c, out) < 0)
		r = -1;
	if (r < 0)
		errno = EIO;
	return r;
}

/* The number of a code page by name: "UTF-8", "1251", "CP1251",
 * "windows-1251", and the ISO and other names Windows knows by number;
 * 0 when unknown. */
static UINT codepage_number(const char *name)
{
	static const struct {
		const char *name;
		UINT cp;
	} names[] = {{"UTF-8", CP_UTF8}, {"UTF8", CP_UTF8},  {"US-ASCII", 20127},
		     {"ASCII", 20127},	 {"KOI8-R", 20866},  {"KOI8-U", 21866},
		     {"SHIFT_JIS", 932}, {"SJIS", 932},	     {"GBK", 936},
		     {"GB2312", 936},	 {"BIG5", 950},	     {"EUC-KR", 51949},
		     {"EUC-JP", 20932},	 {"GB18030", 54936}, {NULL, 0}};
	for (size_t i = 0; names[i].name; i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].cp;
	const char *digits = name;
	if (strncasecmp(name, "CP", 2) == 0)
		digits = name + 2;
	else if (strncasecmp(name, "windows-", 8) == 0)
		digits = name + 8;
	else if (strncasecmp(name, "ISO-8859-", 9) == 0 || strncasecmp(name, "ISO8859-", 8) == 0) {
		const char *n = strchr(name + 3, '-') + 1;
		if (!*n || n[strspn(n, "0123456789")])
			return 0;
		long k = strtol(n, NULL, 10);
		return k >= 1 && k <= 16 ? (UINT)(28590 + k) : 0;
	}
	if (!*digits || digits[strspn(digits, "0123456789")] || strlen(digits) > 5)
		return 0;
	UINT cp = (UINT)strtoul(digits, NULL, 10);
	return cp == CP_UTF8 || IsValidCodePage(cp) ? cp : 0;
}

/* Code pages whose WideCharToMultiByte takes no flags and no default. */
static int flagless(UINT cp)
{
	return cp == CP_UTF8 || cp == 54936 || (cp >= 50220 && cp <= 50229) || cp == 52936 ||
	       (cp >= 57002 && cp <= 57011) || cp == 65000 || cp == 42;
}

int ss_os_convert(const char *to, const char *from, const char *s, size_t len, char **out,
		  size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	UINT cto = codepage_number(to), cfrom = codepage_number(from);
	if (!cto || !cfrom || len > 0x3FFFFFFF)
		return -2;
	char *res = NULL;
	wchar_t *w = NULL;
	int wn = 0, n = 0;
	if (len) {
		wn = MultiByteToWideChar(cfrom, MB_ERR_INVALID_CHARS, s, (int)len, NULL, 0);
		if (wn <= 0)
			return -2;
		w = malloc((size_t)wn * sizeof(*w));
		if (!w)
			return -1;
		MultiByteToWideChar(cfrom, MB_ERR_INVALID_CHARS, s, (int)len, w, wn);
		BOOL lossy = FALSE;
		DWORD flags = cto == CP_UTF8  ? WC_ERR_INVALID_CHARS
			      : flagless(cto) ? 0
					      : WC_NO_BEST_FIT_CHARS;
		n = WideCharToMultiByte(cto, flags, w, wn, NULL, 0, NULL,
					flagless(cto) ? NULL : &lossy);
		if (n <= 0 || lossy) {
			free(w);
			return -2;
		}
	}
	res = malloc((size_t)n + 1);
	if (!res) {
		free(w);
		return -1;
	}
	if (n) {
		BOOL lossy = FALSE;
		DWORD flags = cto == CP_UTF8  ? WC_ERR_INVALID_CHARS
			      : flagless(cto) ? 0
					      : WC_NO_BEST_FIT_CHARS;
		WideCharToMultiByte(cto, flags, w, wn, res, n, NULL, flagless(cto) ? NULL : &lossy);
		if (lossy) {
			free(w);
			free(res);
			return -2;
		}
	}
	free(w);
	res[n] = '\0';
	*out = res;
	*outlen = (size_t)n;
	return 0;
}

int ss_os_ansi_name(const char *utf8, char **out)
{
	*out = NULL;
	wchar_t *w = ss_w32_wide(utf8);
	if (!w)
		return errno == ENOMEM ? -1 : -2;
	/* The system's code page, not CP_ACP: sshsync.exe's manifest makes its
	 * own UTF-8, and the programs whose names these are have none. */
	DWORD cp = 0;
	if (!GetLocaleInfoW(LOCALE_SYSTEM_DEFAULT,
			    LOCALE_IDEFAULTANSICODEPAGE | LOCALE_RETURN_NUMBER, (LPWSTR)&cp,
			    sizeof(cp) / sizeof(WCHAR)) ||
	    cp == 0) {
		free(w);
		return -2;
	}
	/* No flags: best fit and the default character, as the A API. */
	int n = WideCharToMultiByte(cp, 0, w, -1, NULL, 0, NULL, NULL);
	char *s = n > 0 ? malloc((size_t)n) : NULL;
	if (s)
		WideCharToMultiByte(cp, 0, w, -1, s, n, NULL, NULL);
	free(w);
	if (!s)
		return n > 0 ? -1 : -2;
	*out = s;
	return 0;
}

struct ss_os_thread {
	HANDLE h;
	void (*fn)(void *arg);
	void *arg;
};

static DWORD WINAPI thread_main(LPVOID p)
{
	ss_os_thread *t = p;
	t->fn(t->arg);
	return 0;
}

int ss_os_thread_start(ss_os_thread **out, void (*fn)(void *arg), void *arg)
{
	ss_os_thread *t = malloc(sizeof(*t));
	*out = NULL;
	if (!t)
		return -1;
	t->fn = fn;
	t->arg = arg;
	t->h = CreateThread(NULL, 0, thread_main, t, 0, NULL);
	if (!t->h) {
		free(t);
		errno = EAGAIN;
		return -1;
	}
	*out = t;
	return 0;
}

void ss_os_thread_join(ss_os_thread *t)
{
	if (!t)
		return;
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
	free(t);
}

/* Slim reader/writer lock and condition variable: nothing to destroy. */
struct ss_os_monitor {
	SRWLOCK lock;
	CONDITION_VARIABLE cond;
};

ss_os_monitor *ss_os_monitor_new(void)
{
	ss_os_monitor *m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	InitializeSRWLock(&m->lock);
	InitializeConditionVariable(&m->cond);
	return m;
}

void ss_os_monitor_free(ss_os_monitor *m)
{
	free(m);
}

void ss_os_monitor_enter(ss_os_monitor *m)
{
	AcquireSRWLockExclusive(&m->lock);
}

void ss_os_monitor_leave(ss_os_monitor *m)
{
	ReleaseSRWLockExclusive(&m->lock);
}

void ss_os_monitor_wait(ss_os_monitor *m)
{
	SleepConditionVariableSRW(&m->cond, &m->lock, INFINITE, 0);
}

void ss_os_monitor_wake(ss_os_monitor *m)
{
	WakeAllConditionVariable(&m->cond);
}
