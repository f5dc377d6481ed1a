/* POSIX odds and ends: getrandom, gmtime_r, gethostname, OpenSSL's
 * SHA-256, iconv. See include/sshsync/os_sys.h. */
#define _GNU_SOURCE
/* SHA256_Init and its kin: deprecated by OpenSSL 3 for EVP, which loads
 * the configuration and the providers first (2 MiB of resident memory,
 * while a large file's apply is at its peak); the same code hashes. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "sshsync/os_sys.h"

#include "os_int.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* getrandom(2), or /dev/urandom where the kernel has no getrandom. */
int ss_os_random(void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(b + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	if (got == len)
		return 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	got = 0;
	while (got < len) {
		ssize_t n = read(fd, b + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

int ss_os_gmtime(time_t t, struct tm *tm)
{
	return gmtime_r(&t, tm) ? 0 : -1;
}

int ss_os_hostname(char *buf, size_t len)
{
	if (!len || gethostname(buf, len) < 0)
		return -1;
	buf[len - 1] = '\0';
	return 0;
}

int ss_os_sha256(const void *data, size_t len, unsigned char out[32])
{
	SHA256_CTX c;
	return SHA256_Init(&c) && SHA256_Update(&c, data, len) && SHA256_Final(out, &c) ? 0 : -1;
}

int ss_os_sha256_ready(void)
{
	return ss_os_libcrypto_loadable();
}

struct ss_os_sha256_ctx {
	SHA256_CTX sha;
};

ss_os_sha256_ctx *ss_os_sha256_begin(void)
{
	ss_os_sha256_ctx *c = malloc(sizeof(*c));
	if (c && !SHA256_Init(&c->sha)) {
		free(c);
		c = NULL;
	}
	return c;
}

int ss_os_sha256_update(ss_os_sha256_ctx *c, const void *data, size_t len)
{
	return SHA256_Update(&c->sha, data, len) ? 0 : -1;
}

int ss_os_sha256_end(ss_os_sha256_ctx *c, unsigned char out[32])
{
	if (!c)
		return -1;
	int r = SHA256_Final(out, &c->sha) ? 0 : -1;
	free(c);
	return r;
}

/* iconv's name of a code page: "1251" is "CP1251". */
static char *iconv_name(const char *cp)
{
	size_t n = strlen(cp) + 3;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", cp[strspn(cp, "0123456789")] ? "" : "CP", cp);
	return s;
}

int ss_os_convert(const char *to, const char *from, const char *s, size_t len, char **out,
		  size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	char *t = iconv_name(to), *f = iconv_name(from);
	iconv_t cd = t && f ? iconv_open(t, f) : (iconv_t)-1;
	int r = !t || !f ? -1 : cd == (iconv_t)-1 ? -2 : 0;
	free(t);
	free(f);
	size_t cap = 4 * len + 16;
	char *buf = r == 0 ? malloc(cap) : NULL;
	if (r == 0 && !buf)
		r = -1;
	char *in = (char *)s;
	size_t left = len, used = 0;
	while (r == 0 && left) {
		char *o = buf + used;
		size_t room = cap - used - 1;
		size_t n = iconv(cd, &in, &left, &o, &room);
		used = (size_t)(o - buf);
		if (n != (size_t)-1)
			continue;
		if (errno != E2BIG) {
			r = -2; /* EILSEQ, EINVAL: not representable, cut short */
			break;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			r = -1;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[used] = '\0';
	*out = buf;
	*outlen = used;
	return 0;
}

int ss_os_ansi_name(const char *utf8, char **out)
{
	(void)utf8;
	*out = NULL;
	return -2;
}

struct ss_os_thread {
	pthread_t id;
	void (*fn)(void *arg);
	void *arg;
#if defined(__linux__)
	cpu_set_t cpus; /* the caller's processors, given back when it runs */
	int elsewhere;	/* it was started on the others only */
#endif
};

#if defined(__linux__)
/* Linux places a new thread on its creator's processor, and moves it to
 * an idle one only at a later balancing tick: here a second thread
 * shared the caller's processor for 1-3 ms after each start while the
 * other stayed idle (a VM with two processors). Started on the others,
 * it runs at once; it then takes the caller's processors back, so that
 * the scheduler may move it as before. Nothing changes where the caller
 * may run on one processor only, or when any of this fails. */
static void place_elsewhere(ss_os_thread *t, pthread_attr_t *attr)
{
	t->elsewhere = 0;
	int here = sched_getcpu();
	if (here < 0 || pthread_getaffinity_np(pthread_self(), sizeof(t->cpus), &t->cpus) != 0 ||
	    !CPU_ISSET(here, &t->cpus) || CPU_COUNT(&t->cpus) < 2)
		return;
	cpu_set_t others = t->cpus;
	CPU_CLR(here, &others);
	t->elsewhere = pthread_attr_setaffinity_np(attr, sizeof(others), &others) == 0;
}

/* A thread that could not take them back stays on the other processors:
 * slower at worst, never wrong. */
static void place_back(ss_os_thread *t)
{
	if (t->elsewhere)
		(void)pthread_setaffinity_np(pthread_self(), sizeof(t->cpus), &t->cpus);
}
#else
static void place_elsewhere(ss_os_thread *t, pthread_attr_t *attr)
{
	(void)t;
	(void)attr;
}

static void place_back(ss_os_thread *t)
{
	(void)t;
}
#endif

static void *thread_main(void *p)
{
	ss_os_thread *t = p;
	place_back(t);
	t->fn(t->arg);
	return NULL;
}

int ss_os_thread_start(ss_os_thread **out, void (*fn)(void *arg), void *arg)
{
	ss_os_thread *t = malloc(sizeof(*t));
	*out = NULL;
	if (!t)
		return -1;
	t->fn = fn;
	t->arg = arg;
	pthread_attr_t attr;
	int e = pthread_attr_init(&attr);
	if (e == 0) {
		place_elsewhere(t, &attr);
		e = pthread_create(&t->id, &attr, thread_main, t);
		pthread_attr_destroy(&attr);
	}
	if (e != 0) {
		free(t);
		errno = e;
		return -1;
	}
	*out = t;
	return 0;
}

void ss_os_thread_join(ss_os_thread *t)
{
	if (!t)
		return;
	pthread_join(t->id, NULL);
	free(t);
}

struct ss_os_monitor {
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

ss_os_monitor *ss_os_monitor_new(void)
{
	ss_os_monitor *m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	if (pthread_cond_init(&m->cond, NULL) != 0) {
		pthread_mutex_destroy(&m->lock);
		free(m);
		return NULL;
	}
	return m;
}

void ss_os_monitor_free(ss_os_monitor *m)
{
	if (!m)
		return;
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* A default mutex locked and unlocked by its owner cannot fail. */
void ss_os_monitor_enter(ss_os_monitor *m)
{
	pthread_mutex_lock(&m->lock);
}

void ss_os_monitor_leave(ss_os_monitor *m)
{
	pthread_mutex_unlock(&m->lock);
}

void ss_os_monitor_wait(ss_os_monitor *m)
{
	pthread_cond_wait(&m->cond, &m->lock);
}

void ss_os_monitor_wake(ss_os_monitor *m)
{
	pthread_cond_broadcast(&m->cond);
}
