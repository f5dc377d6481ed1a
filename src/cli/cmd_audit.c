/* sshsync audit */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sshsync/engine.h"
#include "sshsync/report.h"
#include "sshsync/os_term.h"

typedef struct audit_args {
	ss_policy policy;
	/* --host and --host-file names, each NUL-terminated, in one buffer
	 * (100,000 names in 1.7 MiB, not 4), and `hosts` pointing into it. */
	ss_buf names;
	ss_strlist hosts;
	ss_strlist connections;
	ss_format format;
	const char *output;
	int verbose, quiet, failures; /* the text table's detail */
} audit_args;

enum {
	OPT_INTERVAL = 256,
	OPT_NAT,
	OPT_HOST,
	OPT_HOST_FILE,
	OPT_CONNECTION,
	OPT_FORMAT,
	OPT_SYSTEM,
	OPT_POLICY,
	OPT_FAILURES
};

/* `hosts` as a list over the names' buffer. */
static int list_names(audit_args *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->names.len; i++)
		n += a->names.data[i] == '\0';
	if (!n)
		return 0;
	if (!(a->hosts.v = malloc(n * sizeof(*a->hosts.v))))
		return -1;
	a->hosts.cap = n;
	for (size_t i = 0; i < a->names.len; i += strlen(a->names.data + i) + 1)
		a->hosts.v[a->hosts.n++] = a->names.data + i;
	return 0;
}

static int parse_args(int argc, char **argv, audit_args *a, cli_globals *g)
{
	static const struct option options[] = {
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"nat-timeout", required_argument, NULL, OPT_NAT},
	    {"host", required_argument, NULL, OPT_HOST},
	    {"host-file", required_argument, NULL, OPT_HOST_FILE},
	    {"connection", required_argument, NULL, OPT_CONNECTION},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"output", required_argument, NULL, 'o'},
	    {"system", no_argument, NULL, OPT_SYSTEM},
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"failures", no_argument, NULL, OPT_FAILURES},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long interval = SS_UNSET, nat = SS_UNSET;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "ho:vq", options, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (cli_option_time("audit", "--interval", optarg, &interval) < 0)
				return -1;
			break;
		case OPT_NAT:
			if (cli_option_time("audit", "--nat-timeout", optarg, &nat) < 0)
				return -1;
			break;
		case OPT_HOST:
			if (ss_buf_add(&a->names, optarg, strlen(optarg) + 1) < 0)
				return -1;
			break;
		case OPT_HOST_FILE: {
			ss_diag hd = SS_DIAG_INIT;
			int hr = cli_read_names(optarg, &a->names, &hd);
			if (hr < 0)
				cli_fail(&hd);
			ss_diag_clear(&hd);
			if (hr < 0)
				return -1;
			break;
		}
		case OPT_CONNECTION:
			if (ss_strlist_push(&a->connections, optarg) < 0)
				return -1;
			break;
		case OPT_FORMAT:
			if (ss_format_parse(optarg, &a->format) < 0) {
				cli_usage_error(
				    "audit", "--format: '%s' is not text, json or junit", optarg);
				return -1;
			}
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case OPT_FAILURES:
			a->failures = 1;
			break;
		case OPT_SYSTEM:
			break; /* audit reads system files anyway */
		case OPT_POLICY:
			g->policy_file = optarg;
			break;
		case 'h':
			cli_print_help("audit");
			return 1;
		default:
			cli_usage_error("audit", "unknown option or missing value '%s'",
					argv[optind - 1]);
			return -1;
		}
	}
	if (list_names(a) < 0)
		return -1;
	ss_diag d = SS_DIAG_INIT;
	if (cli_load_policy(g, &a->policy, &d) < 0) {
		cli_fail(&d);
		ss_diag_clear(&d);
		return -1;
	}
	if (interval != SS_UNSET)
		a->policy.interval = interval;
	if (nat != SS_UNSET)
		a->policy.nat_timeout = nat;
	return 0;
}

static int use_color(const audit_args *a)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
	return a->format == SS_FORMAT_TEXT && !a->output && ss_os_is_terminal(stdout) &&
	       !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}

/* The JSON report on standard output goes out while it is written: a fleet's
 * report never sits whole in memory. (With -o it is one safe write.) */
static int to_stdout(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)ctx;
	return ss_engine_write_output(NULL, data, len, d);
}

static int is_stdout(const char *output)
{
	return !output || strcmp(output, "-") == 0;
}

/* What the report says for the exit status: EXIT_TROUBLE when a file
 * could not be audited (an error scope), else EXIT_AUDIT_FAILED when a
 * scope fails; and the error scopes' messages, for stderr when the report
 * does not go to the terminal as a table. */
typedef struct verdict {
	int *status;
	int note; /* the messages are noted */
	ss_strlist errors;
} verdict;

static int count_scope(verdict *v, const ss_scope *sc)
{
	if (sc->error) {
		*v->status = EXIT_TROUBLE;
		if (v->note && ss_strlist_push(&v->errors, sc->reasons.v[0]) < 0)
			return -1;
	} else if (ss_scope_failed(sc) && *v->status == EXIT_OK) {
		*v->status = EXIT_AUDIT_FAILED;
	}
	return 0;
}

/* The JSON report on stdout, the text table and the JUnit document take
 * each scope as it is made (the engine's sink): a fleet's scopes are never
 * all held. */
typedef struct streaming {
	ss_json_stream js;
	ss_text_report *table;
	ss_junit_report *junit;
	verdict *v;
} streaming;

static int stream_scope(void *ctx, ss_scope *sc, ss_diag *d)
{
	streaming *st = ctx;
	if (count_scope(st->v, sc) < 0)
		return ss_diag_oom(d);
	return st->table   ? ss_report_text_scope(st->table, sc, d)
	       : st->junit ? ss_report_junit_scope(st->junit, sc, d)
			   : ss_report_json_scope(&st->js, sc, d);
}

/* The table also takes scopes in parts, on the threads that make them
 * (ss_scope_sink_parts): the table's part, and what the verdict learns. */
typedef struct stream_part {
	ss_text_part *table;
	int status;
	verdict v; /* v.status is &status */
} stream_part;

static void stream_part_free(void *ctx, void *part)
{
	streaming *st = ctx;
	stream_part *p = part;
	if (!p)
		return;
	ss_report_text_part_free(st->table, p->table);
	ss_strlist_release(&p->v.errors);
	free(p);
}

static void *stream_part_new(void *ctx)
{
	streaming *st = ctx;
	stream_part *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->status = EXIT_OK;
	p->v = (verdict){&p->status, st->v->note, SS_STRLIST_INIT};
	if (!(p->table = ss_report_text_part_new())) {
		stream_part_free(ctx, p);
		return NULL;
	}
	return p;
}

static int stream_take_part(void *ctx, void *part, ss_scope *sc, ss_diag *d)
{
	const streaming *st = ctx;
	stream_part *p = part;
	if (count_scope(&p->v, sc) < 0)
		return ss_diag_oom(d);
	return ss_report_text_part_scope(st->table, p->table, sc, d);
}

/* What `from` learnt after what `to` knows, as count_scope on each scope
 * in turn would have; `from` is empty then. */
static int merge_verdict(verdict *to, verdict *from)
{
	if (*from->status == EXIT_TROUBLE)
		*to->status = EXIT_TROUBLE;
	else if (*from->status == EXIT_AUDIT_FAILED && *to->status == EXIT_OK)
		*to->status = EXIT_AUDIT_FAILED;
	*from->status = EXIT_OK;
	int r = 0;
	for (size_t i = 0; i < from->errors.n; i++) {
		if (r == 0)
			r = ss_strlist_push_owned(&to->errors, from->errors.v[i]);
		else
			free(from->errors.v[i]);
	}
	from->errors.n = 0;
	return r;
}

static int stream_merge(void *ctx, void *part, ss_diag *d)
{
	streaming *st = ctx;
	stream_part *p = part;
	if (merge_verdict(st->v, &p->v) < 0)
		return ss_diag_oom(d);
	return ss_report_text_part_merge(st->table, p->table, d);
}

static const ss_scope_sink_parts table_parts = {stream_part_new, stream_take_part, stream_merge,
						stream_part_free};

/* The audit through the sink: the JSON stream, the table or JUnit. */
static int audit_streaming(const ss_targets *targets, const ss_query *q, const audit_args *a,
			   const ss_report_opts *ro, streaming *st, ss_scopes *scopes, ss_buf *out,
			   ss_diag *d)
{
	ss_scope_sink sink = {stream_scope, st, st->table ? &table_parts : NULL};
	scopes->sink = &sink;
	int r = st->table || st->junit ? 0 : ss_report_json_begin(&st->js, ro, out, d);
	if (r == 0)
		r = ss_engine_audit(targets, q, &a->policy, scopes, d);
	scopes->sink = NULL;
	if (st->table) {
		if (r == 0)
			return ss_report_text_end(st->table, d);
		ss_report_text_free(st->table);
		return r;
	}
	if (st->junit) {
		if (r == 0)
			return ss_report_junit_end(st->junit, d);
		ss_report_junit_free(st->junit);
		return r;
	}
	/* After a failure the document stays without its end. */
	if (r == 0)
		return ss_report_json_end(&st->js, d);
	ss_report_json_stream_free(&st->js);
	return r;
}

/* *status: see verdict. */
static int run(const audit_args *a, char **targets_argv, int ntargets, ss_diag *d, int *status)
{
	ss_targets targets = SS_TARGETS_INIT;
	ss_scopes scopes = SS_SCOPES_INIT;
	ss_buf out = SS_BUF_INIT;
	ss_query q = {&a->hosts, &a->connections};
	ss_report_opts ro = {
	    .format = a->format, .nat_timeout = a->policy.nat_timeout, .color = use_color(a)};
	char *cwd = cli_text_layout(&ro, a->output);
	ro.verbose = a->verbose;
	ro.quiet = a->quiet;
	ro.failures = a->failures;
	/* The table shows an error scope; a report file or JSON is not read
	 * by whoever watches the terminal: the message also goes to stderr. */
	verdict v = {status, a->output || a->format != SS_FORMAT_TEXT, SS_STRLIST_INIT};
	streaming st = {.v = &v};
	int table = a->format == SS_FORMAT_TEXT, junit = a->format == SS_FORMAT_JUNIT;
	int stream = table || junit || is_stdout(a->output);
	if (stream && is_stdout(a->output))
		ro.flush = to_stdout;
	int r = cli_targets(targets_argv, ntargets, 1, 0, &targets, d);
	if (r == 0 && table)
		r = ss_report_text_begin(&st.table, &ro, &out, d);
	else if (r == 0 && junit)
		r = ss_report_junit_begin(&st.junit, &ro, &out, d);
	if (r == 0 && stream) {
		r = audit_streaming(&targets, &q, a, &ro, &st, &scopes, &out, d);
	} else if (r == 0) {
		r = ss_engine_audit(&targets, &q, &a->policy, &scopes, d);
		if (r == 0)
			r = ss_report_audit(&scopes, &ro, &out, d);
		for (size_t i = 0; i < scopes.n; i++)
			if (count_scope(&v, &scopes.v[i]) < 0 && r == 0)
				r = ss_diag_oom(d);
	}
	if (r == 0)
		r = ss_engine_write_output(a->output, out.data, out.len, d);
	for (size_t i = 0; i < v.errors.n; i++)
		cli_note_error(v.errors.v[i]);
	ss_strlist_release(&v.errors);
	free(cwd);
	ss_buf_release(&out);
	ss_scopes_free(&scopes);
	ss_targets_free(&targets);
	return r;
}

int cmd_audit(int argc, char **argv, const cli_globals *g)
{
	audit_args a;
	memset(&a, 0, sizeof(a));
	cli_globals mine = *g;
	int p = parse_args(argc, argv, &a, &mine);
	int status = EXIT_OK;
	if (p != 0) {
		status = p > 0 ? EXIT_OK : EXIT_TROUBLE;
	} else {
		ss_diag d = SS_DIAG_INIT;
		if (run(&a, argv + optind, argc - optind, &d, &status) < 0)
			status = cli_fail(&d);
		ss_diag_clear(&d);
	}
	free(a.hosts.v); /* its strings are in names */
	ss_buf_release(&a.names);
	ss_strlist_release(&a.connections);
	return status;
}
