/* The policy file. iniparser suits it (a small file that sshsync's users
 * write for sshsync); it cannot read WinSCP.ini faithfully, which is why
 * store/winini exists. */
#include "sshsync/policyfile.h"
#include "sshsync/os_file.h"

#include <ctype.h>
#include <errno.h>
#include <iniparser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int ss_parse_seconds(const char *s, long min, long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end)
		return -1;
	if (errno == ERANGE || v > INT_MAX)
		return -2;
	if (v < min)
		return -1;
	*out = (long)v;
	return 0;
}

/* The multiplier of an OpenSSH time unit (misc.c convtime), 0 for none. */
static long time_unit(char c)
{
	switch (c) {
	case 's':
	case 'S':
		return 1;
	case 'm':
	case 'M':
		return 60;
	case 'h':
	case 'H':
		return 60L * 60;
	case 'd':
	case 'D':
		return 24L * 60 * 60;
	case 'w':
	case 'W':
		return 7L * 24 * 60 * 60;
	}
	return 0;
}

int ss_parse_time(const char *s, long min, long *out)
{
	if (!s || !*s)
		return -1;
	long total = 0;
	int too_large = 0;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return -1;
		long long v = 0; /* v * 10 must not wrap where long has 32 bits */
		for (; isdigit((unsigned char)*s); s++) {
			v = v * 10 + (*s - '0');
			if (v > INT_MAX) {
				too_large = 1;
				v = INT_MAX;
			}
		}
		long mult = 1;
		if (*s) {
			mult = time_unit(*s++);
			if (!mult)
				return -1;
		}
		if (v > (INT_MAX - total) / mult)
			too_large = 1;
		else
			total += v * mult;
	}
	if (too_large)
		return -2;
	if (total < min)
		return -1;
	*out = total;
	return 0;
}

int ss_parse_yes_no(const char *s, long *out)
{
	if (strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int ss_parse_winscp_ping(const char *s, ss_winscp_ping *out)
{
	if (strcmp(s, "null") == 0)
		*out = SS_PING_NULL;
	else if (strcmp(s, "dummy") == 0)
		*out = SS_PING_DUMMY;
	else
		return -1;
	return 0;
}

static int silent(const char *format, ...)
{
	(void)format;
	return 0;
}

typedef struct policy_key {
	const char *key; /* section:key, lower case as iniparser gives it */
	const char *expected;
} policy_key;

static const policy_key known_keys[] = {
    {"keepalive:interval", "a time of 1 second or more (60, 90s, 1m30s, 2m)"},
    {"keepalive:count_max", "a whole number, 0 or more"},
    {"keepalive:tcp_keepalive", "yes or no"},
    {"keepalive:nat_timeout", "a time of 1 second or more (240, 4m)"},
    {"winscp:ping_type", "null or dummy"},
};

static int set_value(const char *key, const char *value, ss_policy *p)
{
	if (strcmp(key, "keepalive:interval") == 0)
		return ss_parse_time(value, 1, &p->interval);
	if (strcmp(key, "keepalive:count_max") == 0)
		return ss_parse_seconds(value, 0, &p->count_max);
	if (strcmp(key, "keepalive:tcp_keepalive") == 0)
		return ss_parse_yes_no(value, &p->tcp_keepalive);
	if (strcmp(key, "keepalive:nat_timeout") == 0)
		return ss_parse_time(value, 1, &p->nat_timeout);
	return ss_parse_winscp_ping(value, &p->winscp_ping);
}

static const policy_key *find_key(const char *key)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strcmp(known_keys[i].key, key) == 0)
			return &known_keys[i];
	return NULL;
}

static int check_section(dictionary *ini, const char *path, const char *sec, ss_policy *p,
			 ss_diag *d)
{
	if (strcmp(sec, "keepalive") != 0 && strcmp(sec, "winscp") != 0)
		return ss_diag_set(d, path, 0, 0,
				   "unknown section [%s] (expected [keepalive] "
				   "or [winscp])",
				   sec);
	int n = iniparser_getsecnkeys(ini, sec);
	if (n <= 0)
		return 0;
	const char **keys = calloc((size_t)n, sizeof(*keys));
	if (!keys)
		return ss_diag_oom(d);
	int r = 0;
	if (!iniparser_getseckeys(ini, sec, keys))
		r = ss_diag_oom(d);
	for (int i = 0; i < n && r == 0; i++) {
		const policy_key *k = find_key(keys[i]);
		const char *value = iniparser_getstring(ini, keys[i], "");
		if (!value)
			/* iniparser keeps a "[section:key]" line as a section. */
			r = ss_diag_set(d, path, 0, 0,
					"'[%s]' is a section header, not a key: write the key as "
					"'name = value' under its section",
					keys[i]);
		else if (!k)
			r = ss_diag_set(d, path, 0, 0, "unknown key '%s'", keys[i]);
		else if ((r = set_value(keys[i], value, p)) == -2)
			r = ss_diag_set(d, path, 0, 0, "key '%s': '%s' is too large (at most %d)",
					keys[i], value, INT_MAX);
		else if (r < 0)
			r = ss_diag_set(d, path, 0, 0, "key '%s': '%s' is not %s", keys[i], value,
					k->expected);
	}
	free(keys);
	return r;
}

int ss_policy_load(const char *path, ss_policy *p, ss_diag *d)
{
	if (ss_os_can_read(path) < 0)
		return ss_diag_errno(d, path, "cannot read the policy file");
	iniparser_set_error_callback(silent);
	dictionary *ini = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	if (!ini)
		return ss_diag_set(d, path, 0, 0,
				   "is not a policy file sshsync can read "
				   "(INI syntax, see sshsync(1))");
	int r = 0;
	int nsec = iniparser_getnsec(ini);
	for (int i = 0; i < nsec && r == 0; i++)
		r = check_section(ini, path, iniparser_getsecname(ini, i), p, d);
	iniparser_freedict(ini);
	return r;
}
