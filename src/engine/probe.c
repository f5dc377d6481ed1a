/* sshsync probe: the idle timeout of the path to a host. See probe.h. */
#include "sshsync/probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_spawn.h"

#define SETUP_MS 20000	 /* a connection must be ready within this */
#define NO_SHELL_MS 8000 /* authenticated, yet no "R" this long: no shell */
#define GRACE_MS 2000	 /* the server's words may take this long (plus 1 %) */
#define FIRST_IDLE_S 15	 /* stage 1 starts here (lower for a small --max) */
#define CONNECT_TIMEOUT "ConnectTimeout=15"

enum conn_state { C_CONNECTING, C_IDLE, C_POKED, C_DONE };

typedef struct conn {
	ss_os_proc *p;
	int64_t idle_s;
	int64_t start_ms, ready_ms, deadline_ms;
	int64_t last_keepalive_ms;
	size_t err_seen; /* stderr scanned up to here */
	enum conn_state state;
	int survived;
	int authenticated;
	ss_probe_failure how;
} conn;

typedef struct probe {
	const ss_probe_opts *o;
	ss_probe_result *r;
	ss_diag *d;
	int client_first;
	int64_t t0_ms;
	int stage;
} probe;

const char *ss_probe_failure_name(ss_probe_failure f)
{
	switch (f) {
	case SS_PROBE_DROP:
		return "drop";
	case SS_PROBE_RESET:
		return "reset";
	case SS_PROBE_LATE:
		return "late";
	case SS_PROBE_NONE:
		break;
	}
	return "none";
}

int64_t ss_probe_recommend(int64_t survived_s, int64_t failed_s)
{
	static const int64_t round[] = {1,   2,	  3,   5,   10,	 15,  20,   30,	  45,	60,  90,
					120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600};
	int64_t half = survived_s / 2;
	if (survived_s <= 0 && failed_s > 0)
		half = failed_s / 4;
	int64_t best = 1;
	for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++)
		if (round[i] <= half)
			best = round[i];
	return best;
}

void ss_probe_result_free(ss_probe_result *r)
{
	free(r->jump);
	r->jump = NULL;
	ss_strlist_release(&r->warnings);
}

static int64_t grace_ms(int64_t idle_s)
{
	return GRACE_MS + idle_s * 10;
}

/* The arguments ssh gets before the host: the probe's own settings first
 * (ssh takes the first value it is given), then the user's. */
static int common_args(const probe *pr, ss_strlist *a)
{
	const ss_probe_opts *o = pr->o;
	static const char *const fixed[] = {
	    "-o", "BatchMode=yes",	   "-o", "ControlMaster=no",
	    "-o", "ControlPath=none",	   "-o", "ClearAllForwardings=yes",
	    "-o", "PermitLocalCommand=no", "-o", "ForwardAgent=no",
	    "-o", "ForwardX11=no",	   "-o", "RequestTTY=no"};
	if (ss_strlist_push(a, o->ssh ? o->ssh : "ssh") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (ss_strlist_push(a, fixed[i]) < 0)
			return -1;
	if (o->ssh_config &&
	    (ss_strlist_push(a, "-F") < 0 || ss_strlist_push(a, o->ssh_config) < 0))
		return -1;
	for (size_t i = 0; o->ssh_options && i < o->ssh_options->n; i++)
		if (ss_strlist_push(a, "-o") < 0 || ss_strlist_push(a, o->ssh_options->v[i]) < 0)
			return -1;
	/* after the user's: theirs wins */
	if (ss_strlist_push(a, "-o") < 0 || ss_strlist_push(a, CONNECT_TIMEOUT) < 0)
		return -1;
	return 0;
}

/* Starts ssh with the strings of `a` as its arguments and releases them.
 * Returns 0, or -1 with the error set. */
static int spawn_list(probe *pr, ss_strlist *a, ss_os_proc **p)
{
	const char **argv = calloc(a->n + 1, sizeof(*argv));
	if (!argv) {
		ss_strlist_release(a);
		return ss_diag_oom(pr->d);
	}
	for (size_t i = 0; i < a->n; i++)
		argv[i] = a->v[i];
	int r = ss_os_proc_start(argv, p);
	int e = errno;
	free(argv);
	ss_strlist_release(a);
	if (r < 0) {
		errno = e;
		return ss_diag_errno(pr->d, NULL, "cannot run '%s'",
				     pr->o->ssh ? pr->o->ssh : "ssh");
	}
	return 0;
}

static int conn_args(const probe *pr, int64_t idle_s, ss_strlist *a)
{
	if (common_args(pr, a) < 0)
		return -1;
	if (pr->client_first) {
		/* ssh itself speaks after idle_s: a keepalive that must be
		 * answered before the next one is due */
		char *iv = ss_asprintf("ServerAliveInterval=%lld", (long long)idle_s);
		if (ss_strlist_push(a, "-o") < 0 || ss_strlist_push_owned(a, iv) < 0)
			return -1;
		static const char *const more[] = {
		    "-o", "ServerAliveCountMax=1", "-o", "TCPKeepAlive=no", "-v", "-N", "--"};
		for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
			if (ss_strlist_push(a, more[i]) < 0)
				return -1;
		return ss_strlist_push(a, pr->o->host);
	}
	static const char *const more[] = {
	    "-o", "ServerAliveInterval=0", "-o", "TCPKeepAlive=no", "-v", "-T", "--"};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (ss_strlist_push(a, more[i]) < 0)
			return -1;
	if (ss_strlist_push(a, pr->o->host) < 0)
		return -1;
	return ss_strlist_push_owned(a,
				     ss_asprintf("echo R; sleep %lld; echo A", (long long)idle_s));
}

static int start_conn(probe *pr, conn *c, int64_t idle_s)
{
	ss_strlist a = SS_STRLIST_INIT;
	memset(c, 0, sizeof(*c));
	if (conn_args(pr, idle_s, &a) < 0) {
		ss_strlist_release(&a);
		return ss_diag_oom(pr->d);
	}
	c->idle_s = idle_s;
	c->start_ms = ss_os_now_ms();
	c->ready_ms = -1;
	c->last_keepalive_ms = -1;
	c->state = C_CONNECTING;
	return spawn_list(pr, &a, &c->p);
}

/* Whether a line of ssh -v's standard error is one of its own notes rather
 * than what went wrong. */
static int chatter(const char *line, size_t n)
{
	static const char *const prefixes[] = {"debug",
					       "OpenSSH_",
					       "Warning: Permanently added",
					       "Authenticated to",
					       "Transferred:",
					       "Bytes per second",
					       "Pseudo-terminal",
					       "Connection to ",
					       "Killed by signal"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t k = strlen(prefixes[i]);
		if (n >= k && memcmp(line, prefixes[i], k) == 0)
			return 1;
	}
	return n == 0;
}

/* The lines of ssh's standard error that say what went wrong, joined. */
static char *ssh_complaint(const ss_os_proc *p)
{
	size_t len;
	const char *s = ss_os_proc_stderr(p, &len);
	ss_buf b = SS_BUF_INIT;
	const char *end = s + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (!chatter(s, n) &&
		    ((b.len > 0 && ss_buf_adds(&b, "; ") < 0) || ss_buf_add(&b, s, n) < 0)) {
			ss_buf_release(&b);
			return NULL;
		}
		s = nl ? nl + 1 : end;
	}
	return ss_buf_detach(&b, NULL);
}

static int has_line(const char *s, const char *line)
{
	size_t k = strlen(line);
	for (const char *p = s; (p = strstr(p, line)) != NULL; p++)
		if ((p == s || p[-1] == '\n') &&
		    (p[k] == '\n' || (p[k] == '\r' && p[k + 1] == '\n')))
			return 1;
	return 0;
}

static void note_keepalive_gap(probe *pr, int64_t gap_ms)
{
	int64_t s = (gap_ms + 500) / 1000;
	if (s > pr->r->server_keepalive_s)
		pr->r->server_keepalive_s = s;
}

/* New lines of ssh -v: the server's keepalives and the authentication. */
static void scan_stderr(probe *pr, conn *c, int64_t now)
{
	size_t len;
	const char *s = ss_os_proc_stderr(c->p, &len);
	while (c->err_seen < len) {
		const char *line = s + c->err_seen;
		const char *nl = memchr(line, '\n', len - c->err_seen);
		if (!nl)
			break;
		size_t n = (size_t)(nl - line);
		c->err_seen += n + 1;
		if (n >= 16 && memcmp(line, "Authenticated to", 16) == 0) {
			c->authenticated = 1;
			if (pr->client_first && c->state == C_CONNECTING) {
				c->state = C_IDLE;
				c->ready_ms = now;
				c->deadline_ms = now + 2 * c->idle_s * 1000 + grace_ms(c->idle_s);
			}
			continue;
		}
		/* sshd's ClientAlive probe: a channel request (or, with no
		 * channel, a global one) named keepalive@openssh.com */
		char *copy = ss_strndup(line, n);
		int ka = copy && strstr(copy, "keepalive@openssh.com") &&
			 (strstr(copy, "client_input_channel_req") ||
			  strstr(copy, "client_input_global_request"));
		free(copy);
		if (ka && c->state != C_CONNECTING && !pr->client_first) {
			int64_t from =
			    c->last_keepalive_ms >= 0 ? c->last_keepalive_ms : c->ready_ms;
			if (from >= 0)
				note_keepalive_gap(pr, now - from);
			c->last_keepalive_ms = now;
		}
	}
}

static void finish_conn(conn *c, int survived, ss_probe_failure how)
{
	c->state = C_DONE;
	c->survived = survived;
	c->how = how;
}

/* Moves one connection on. Returns -1 with d set for an error that ends
 * the probe, 1 when the server runs no command (client-first then). */
static int step(probe *pr, conn *c, int64_t now)
{
	if (c->state == C_DONE)
		return 0;
	scan_stderr(pr, c, now);
	const char *out = ss_os_proc_stdout(c->p, NULL);
	int status = 0, ended = ss_os_proc_ended(c->p, &status);
	if (c->state == C_CONNECTING && !pr->client_first && has_line(out, "R")) {
		c->state = C_IDLE;
		c->ready_ms = now;
		c->deadline_ms = now + c->idle_s * 1000 + grace_ms(c->idle_s);
	}
	if (c->state == C_CONNECTING) {
		if (ended && (status == 255 || !c->authenticated)) {
			char *why = ssh_complaint(c->p);
			int r = ss_diag_set(pr->d, NULL, 0, 0, "%s: ssh failed (exit %d)%s%s",
					    pr->o->host, status, why && *why ? ": " : "",
					    why ? why : "");
			free(why);
			return r;
		}
		if (ended || (c->authenticated && now - c->start_ms > NO_SHELL_MS))
			return pr->client_first
				   ? ss_diag_set(pr->d, NULL, 0, 0, "%s: ssh -N ended at once",
						 pr->o->host)
				   : 1;
		if (now - c->start_ms > SETUP_MS)
			return ss_diag_set(pr->d, NULL, 0, 0,
					   "%s: no answer within %d s (ssh connects but the server "
					   "does not authenticate or run the command)",
					   pr->o->host, SETUP_MS / 1000);
		return 0;
	}
	if (pr->client_first) {
		if (ended)
			finish_conn(c, 0,
				    strstr(ss_os_proc_stderr(c->p, NULL), "not responding")
					? SS_PROBE_DROP
					: SS_PROBE_RESET);
		else if (now >= c->deadline_ms)
			finish_conn(c, 1, SS_PROBE_NONE);
		return 0;
	}
	if (has_line(out, "A")) {
		finish_conn(c, c->state == C_IDLE,
			    c->state == C_IDLE ? SS_PROBE_NONE : SS_PROBE_LATE);
		return 0;
	}
	if (ended) {
		finish_conn(c, 0, SS_PROBE_RESET);
		return 0;
	}
	if (c->state == C_IDLE && now >= c->deadline_ms) {
		/* The client writes: a reset, a late answer or nothing. */
		c->state = C_POKED;
		c->deadline_ms = now + 2 * grace_ms(c->idle_s) + 3000;
		if (ss_os_proc_send(c->p, "x\n", 2) < 0)
			finish_conn(c, 0, SS_PROBE_RESET);
		return 0;
	}
	if (c->state == C_POKED && now >= c->deadline_ms)
		finish_conn(c, 0, SS_PROBE_DROP);
	return 0;
}

static void progress(probe *pr, const conn *conns, size_t n, int64_t now)
{
	if (!pr->o->progress)
		return;
	int64_t left = 0, open = 0, connecting = 0, shortest = -1;
	for (size_t i = 0; i < n; i++) {
		if (!conns[i].p || conns[i].state == C_DONE)
			continue;
		open++;
		if (conns[i].state == C_CONNECTING) {
			connecting++;
			continue;
		}
		int64_t l = conns[i].deadline_ms - now;
		if (conns[i].state == C_IDLE)
			l += 2 * grace_ms(conns[i].idle_s) + 3000;
		if (l > left)
			left = l;
		if (conns[i].state == C_IDLE && (shortest < 0 || conns[i].idle_s < shortest))
			shortest = conns[i].idle_s;
	}
	char *what;
	if (open == 0)
		what = ss_strdup("");
	else if (connecting == open)
		what = ss_asprintf("stage %d: connecting (%lld connection%s)", pr->stage,
				   (long long)open, open == 1 ? "" : "s");
	else if (shortest >= 0)
		what = ss_asprintf("stage %d: waiting for the %s after %lld s idle (%lld "
				   "connection%s open)",
				   pr->stage,
				   pr->client_first ? "answer to a keepalive" : "server to speak",
				   (long long)shortest, (long long)open, open == 1 ? "" : "s");
	else
		what = ss_asprintf("stage %d: the client wrote; waiting for an answer", pr->stage);
	if (what)
		pr->o->progress(pr->o->progress_ctx, what, (left + 999) / 1000);
	free(what);
}

static void end_conn(conn *c)
{
	ss_os_proc_free(c->p);
	c->p = NULL;
}

/* Once a connection failed after F s, the longer ones would only fail
 * too: they are ended and count as unknown. */
static void skip_longer(conn *conns, size_t n, int64_t failed_s)
{
	for (size_t i = 0; i < n; i++)
		if (conns[i].idle_s > failed_s && conns[i].state != C_DONE) {
			end_conn(&conns[i]);
			conns[i].state = C_DONE;
			conns[i].survived = -1;
		}
}

/* Runs one stage over idles[0..n) (ascending). Returns 0, 1 when the
 * server runs no command, -1 on error. */
static int run_stage(probe *pr, const int64_t *idles, size_t n, conn *conns)
{
	size_t next = 0;
	int r = 0;
	int64_t failed = -1;
	for (size_t i = 0; i < n; i++) {
		memset(&conns[i], 0, sizeof(conns[i]));
		conns[i].idle_s = idles[i];
	}
	ss_os_proc **procs = calloc(n ? n : 1, sizeof(*procs));
	if (!procs)
		return ss_diag_oom(pr->d);
	int64_t last_progress = 0;
	for (;;) {
		size_t active = 0;
		for (size_t i = 0; i < next; i++)
			active += conns[i].state != C_DONE;
		while (next < n && active < (size_t)pr->o->connections &&
		       (failed < 0 || idles[next] < failed)) {
			if (start_conn(pr, &conns[next], idles[next]) < 0) {
				r = -1;
				goto out;
			}
			next++;
			active++;
		}
		for (size_t i = next; i < n && failed >= 0; i++) {
			conns[i].state = C_DONE;
			conns[i].survived = -1;
		}
		if (active == 0 && (next == n || failed >= 0))
			break;
		int64_t now = ss_os_now_ms(), wait = 1000;
		for (size_t i = 0; i < next; i++) {
			procs[i] = conns[i].state == C_DONE ? NULL : conns[i].p;
			if (procs[i] && conns[i].state != C_CONNECTING &&
			    conns[i].deadline_ms - now < wait)
				wait = conns[i].deadline_ms - now;
		}
		if (ss_os_proc_poll(procs, next, wait < 0 ? 0 : wait) < 0) {
			r = ss_diag_errno(pr->d, NULL, "cannot watch ssh");
			goto out;
		}
		now = ss_os_now_ms();
		for (size_t i = 0; i < next; i++) {
			if (conns[i].state == C_DONE)
				continue;
			r = step(pr, &conns[i], now);
			if (r != 0)
				goto out;
			if (conns[i].state == C_DONE) {
				end_conn(&conns[i]);
				if (!conns[i].survived &&
				    (failed < 0 || conns[i].idle_s < failed)) {
					failed = conns[i].idle_s;
					skip_longer(conns, next, failed);
				}
			}
		}
		if (now - last_progress >= 1000) {
			progress(pr, conns, next, now);
			last_progress = now;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		end_conn(&conns[i]);
	free(procs);
	return r;
}

/* The longest idle that survived below the shortest that failed. */
static void tally(probe *pr, const conn *conns, size_t n)
{
	ss_probe_result *res = pr->r;
	for (size_t i = 0; i < n; i++)
		if (conns[i].state == C_DONE && conns[i].survived == 0 &&
		    (res->failed_s < 0 || conns[i].idle_s < res->failed_s)) {
			res->failed_s = conns[i].idle_s;
			res->failure = conns[i].how;
		}
	for (size_t i = 0; i < n; i++)
		if (conns[i].state == C_DONE && conns[i].survived == 1 &&
		    conns[i].idle_s > res->survived_s &&
		    (res->failed_s < 0 || conns[i].idle_s < res->failed_s))
			res->survived_s = conns[i].idle_s;
}

/* Stage 1: FIRST_IDLE_S (or a quarter of a small maximum), doubling, the
 * last one the maximum itself. */
static size_t stage1_idles(int64_t max_s, int64_t *out, size_t cap)
{
	int64_t t = FIRST_IDLE_S;
	if (max_s < 4 * FIRST_IDLE_S)
		t = max_s / 4 > 0 ? max_s / 4 : 1;
	size_t n = 0;
	while (n < cap - 1 && t < max_s) {
		out[n++] = t;
		t *= 2;
	}
	out[n++] = max_s;
	return n;
}

/* Stage 2: the bracket (survived, failed] split in four. */
static size_t stage2_idles(int64_t lo, int64_t hi, int64_t *out)
{
	size_t n = 0;
	for (int i = 1; i <= 3; i++) {
		int64_t t = lo + ((hi - lo) * i + 2) / 4;
		if (t > lo && t < hi && (n == 0 || out[n - 1] != t))
			out[n++] = t;
	}
	return n;
}

/* The value of KEY in `ssh -G` output, or NULL. */
static char *g_value(const char *out, const char *key)
{
	size_t k = strlen(key);
	for (const char *s = out; *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (n > k + 1 && memcmp(s, key, k) == 0 && s[k] == ' ') {
			const char *v = s + k + 1;
			size_t vn = n - k - 1;
			if (vn == 4 && memcmp(v, "none", 4) == 0)
				return NULL;
			return ss_strndup(v, vn);
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return NULL;
}

/* ssh -G: the options are sound, and whether the path goes through a jump
 * host or a proxy command. */
static int check_config(probe *pr)
{
	ss_strlist a = SS_STRLIST_INIT;
	ss_os_proc *p = NULL;
	if (common_args(pr, &a) < 0 || ss_strlist_push(&a, "-G") < 0 ||
	    ss_strlist_push(&a, "--") < 0 || ss_strlist_push(&a, pr->o->host) < 0) {
		ss_strlist_release(&a);
		return ss_diag_oom(pr->d);
	}
	if (spawn_list(pr, &a, &p) < 0)
		return -1;
	int r = 0;
	int64_t until = ss_os_now_ms() + 30000;
	int status = 0;
	while (!ss_os_proc_ended(p, &status) && ss_os_now_ms() < until)
		if (ss_os_proc_poll(&p, 1, 1000) < 0)
			break;
	if (!ss_os_proc_ended(p, &status)) {
		ss_os_proc_free(p);
		return ss_diag_set(pr->d, NULL, 0, 0, "%s: ssh -G did not end within 30 s",
				   pr->o->host);
	}
	if (status != 0) {
		char *why = ssh_complaint(p);
		r = ss_diag_set(pr->d, NULL, 0, 0, "%s: ssh -G failed%s%s", pr->o->host,
				why && *why ? ": " : "", why ? why : "");
		free(why);
		ss_os_proc_free(p);
		return r;
	}
	const char *out = ss_os_proc_stdout(p, NULL);
	char *jump = g_value(out, "proxyjump");
	if (jump) {
		pr->r->jump = ss_asprintf("ProxyJump %s", jump);
		free(jump);
		r = pr->r->jump ? 0 : ss_diag_oom(pr->d);
	} else if ((jump = g_value(out, "proxycommand")) != NULL) {
		pr->r->jump = ss_asprintf("ProxyCommand %s", jump);
		free(jump);
		r = pr->r->jump ? 0 : ss_diag_oom(pr->d);
	}
	ss_os_proc_free(p);
	return r;
}

static int warn(probe *pr, char *msg)
{
	if (ss_strlist_push_owned(&pr->r->warnings, msg) < 0)
		return ss_diag_oom(pr->d);
	return 0;
}

static int run_stages(probe *pr)
{
	ss_probe_result *res = pr->r;
	int64_t idles[64];
	conn conns[64];
	size_t n = stage1_idles(pr->o->max_s, idles, 64);
	pr->stage = 1;
	int r = run_stage(pr, idles, n, conns);
	if (r == 1) {
		pr->client_first = 1;
		res->client_first = 1;
		if (warn(pr, ss_asprintf("%s runs no command (no shell): the client spoke first "
					 "(a keepalive after the idle time), which a router that "
					 "re-creates a forgotten mapping (Linux's loose conntrack) "
					 "answers as if nothing had happened",
					 pr->o->host)) < 0)
			return -1;
		r = run_stage(pr, idles, n, conns);
	}
	if (r != 0)
		return r < 0 ? -1
			     : ss_diag_set(pr->d, NULL, 0, 0, "%s: runs no command", pr->o->host);
	tally(pr, conns, n);
	if (res->failed_s > 0) {
		int64_t lo = res->survived_s;
		size_t m = stage2_idles(lo, res->failed_s, idles);
		pr->stage = 2;
		if (m > 0 && run_stage(pr, idles, m, conns) != 0)
			return -1;
		tally(pr, conns, m);
	}
	return 0;
}

int ss_probe_run(const ss_probe_opts *o, ss_probe_result *r, ss_diag *d)
{
	probe pr = {o, r, d, 0, ss_os_now_ms(), 0};
	if (o->max_s < 1 || o->connections < 1)
		return ss_diag_set(d, NULL, 0, 0,
				   "probe: --max and --connections must be 1 or more");
	if (check_config(&pr) < 0 || run_stages(&pr) < 0)
		return -1;
	if (r->failed_s < 0) {
		r->failure = SS_PROBE_NONE;
		r->estimate_s = -1;
	} else {
		r->estimate_s = (r->survived_s + r->failed_s + 1) / 2;
	}
	r->recommended = ss_probe_recommend(r->survived_s, r->failed_s);
	if (r->server_keepalive_s >= 0 &&
	    warn(&pr, ss_asprintf("the server sent keepalives every %lld s (ClientAliveInterval): "
				  "they keep the path open, so the timeout is only known to be "
				  "longer than that",
				  (long long)r->server_keepalive_s)) < 0)
		return -1;
	r->elapsed_ms = ss_os_now_ms() - pr.t0_ms;
	return 0;
}
