/* sshsync migrate */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sshsync/engine.h"
#include "sshsync/os_proc.h"
#include "sshsync/report.h"
#include "sshsync/text.h"

typedef struct migrate_args {
	const char *from, *to;
	ss_strlist sessions;
	ss_migrate_opts opts;
	int check, json;
} migrate_args;

enum {
	OPT_FROM = 256,
	OPT_TO,
	OPT_SESSION,
	OPT_DRY_RUN,
	OPT_CHECK,
	OPT_DIFF,
	OPT_STRICT,
	OPT_FORMAT,
	OPT_NO_BACKUP,
	OPT_KEYS,
	OPT_PPK_VERSION,
	OPT_PASSPHRASE_FILE,
	OPT_HOST_KEYS,
	OPT_KNOWN_HOSTS
};

static int parse_option(int c, migrate_args *a)
{
	switch (c) {
	case OPT_FROM:
		a->from = optarg;
		return 0;
	case OPT_TO:
		a->to = optarg;
		return 0;
	case OPT_SESSION:
		return ss_strlist_push(&a->sessions, optarg) < 0 ? -1 : 0;
	case OPT_DRY_RUN:
		a->opts.dry_run = 1;
		return 0;
	case OPT_CHECK:
		a->check = a->opts.dry_run = 1;
		return 0;
	case OPT_DIFF:
		a->opts.want_diff = 1;
		return 0;
	case OPT_STRICT:
		a->opts.strict = 1;
		return 0;
	case OPT_NO_BACKUP:
		a->opts.backup = 0;
		return 0;
	case OPT_KEYS:
		a->opts.keys_dir = optarg;
		return 0;
	case OPT_PASSPHRASE_FILE:
		a->opts.passphrase_file = optarg;
		return 0;
	case OPT_HOST_KEYS:
		a->opts.host_keys = 1;
		return 0;
	case OPT_KNOWN_HOSTS:
		a->opts.known_hosts = optarg;
		return 0;
	case OPT_PPK_VERSION:
		if (strcmp(optarg, "2") == 0 || strcmp(optarg, "3") == 0) {
			a->opts.ppk_version = optarg[0] - '0';
			return 0;
		}
		cli_usage_error("migrate", "--ppk-version: '%s' is not 2 or 3", optarg);
		return -1;
	case OPT_FORMAT:
		if (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0) {
			a->json = strcmp(optarg, "json") == 0;
			return 0;
		}
		cli_usage_error("migrate", "--format: '%s' is not text or json", optarg);
		return -1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, migrate_args *a)
{
	static const struct option options[] = {
	    {"from", required_argument, NULL, OPT_FROM},
	    {"to", required_argument, NULL, OPT_TO},
	    {"session", required_argument, NULL, OPT_SESSION},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"diff", no_argument, NULL, OPT_DIFF},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"no-backup", no_argument, NULL, OPT_NO_BACKUP},
	    {"keys", required_argument, NULL, OPT_KEYS},
	    {"ppk-version", required_argument, NULL, OPT_PPK_VERSION},
	    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
	    {"host-keys", no_argument, NULL, OPT_HOST_KEYS},
	    {"known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	a->opts.backup = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help("migrate");
			return 1;
		}
		if (c == '?' || c == ':') {
			cli_usage_error("migrate", "unknown option or missing value '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (parse_option(c, a) < 0)
			return -1;
	}
	if (optind < argc) {
		cli_usage_error("migrate",
				"unexpected argument '%s': the files are named by "
				"--from and --to",
				argv[optind]);
		return -1;
	}
	if (!a->from || !a->to) {
		cli_usage_error("migrate", "--from SOURCE and --to TARGET are both required");
		return -1;
	}
	if (!a->opts.keys_dir && (a->opts.passphrase_file || a->opts.ppk_version)) {
		cli_usage_error("migrate",
				"--passphrase-file and --ppk-version go with --keys DIR");
		return -1;
	}
	if (!a->opts.host_keys && a->opts.known_hosts) {
		cli_usage_error("migrate", "--known-hosts goes with --host-keys");
		return -1;
	}
	a->opts.sessions = &a->sessions;
	return 0;
}

/* The passphrases asked on the terminal, each kept in a file only the
 * user can read (puttygen reads it) until migrate ends; asked once per key
 * although the key is read more than once. */
typedef struct asked {
	ss_strlist keys, files;
} asked;

static int ask_passphrase(void *ctx, const char *key, const char **file, ss_diag *d)
{
	asked *a = ctx;
	for (size_t i = 0; i < a->keys.n; i++)
		if (strcmp(a->keys.v[i], key) == 0) {
			*file = a->files.v[i];
			return 0;
		}
	ss_buf prompt = SS_BUF_INIT, secret = SS_BUF_INIT;
	char *path = NULL;
	int rc = ss_buf_addf(&prompt, "Passphrase of %s: ", key) ? ss_diag_oom(d) : 0;
	if (rc == 0 && ss_os_read_secret(ss_buf_str(&prompt), &secret) < 0)
		rc = errno == ENXIO
			 ? ss_diag_set(d, key, 0, 0,
				       "the key is encrypted and there is no terminal to ask its "
				       "passphrase on: give it with --passphrase-file FILE")
			 : ss_diag_errno(d, key, "cannot read the passphrase of");
	if (rc == 0 && ss_os_secret_file(secret.data ? secret.data : "", secret.len, &path) < 0)
		rc = ss_diag_errno(d, NULL, "cannot create a private temporary file");
	if (secret.data)
		memset(secret.data, 0, secret.len);
	ss_buf_release(&secret);
	ss_buf_release(&prompt);
	if (rc == 0 && (ss_strlist_push(&a->keys, key) < 0 || ss_strlist_push(&a->files, path) < 0))
		rc = ss_diag_oom(d);
	if (rc == 0)
		*file = a->files.v[a->files.n - 1];
	else if (path)
		ss_os_remove_path(path);
	free(path);
	return rc;
}

static void asked_release(asked *a)
{
	for (size_t i = 0; i < a->files.n; i++)
		ss_os_remove_path(a->files.v[i]);
	ss_strlist_release(&a->keys);
	ss_strlist_release(&a->files);
}

/* A target as KIND:PATH (or a recognised file); the target may be missing
 * (migrate creates it), then KIND: is needed. */
static int parse_target(const char *arg, ss_target *t, ss_diag *d)
{
	int r = ss_target_parse(arg, t, d);
	if (r == -2)
		return -1;
	if (r < 0)
		return -1;
	return ss_target_check_kind(t, d);
}

static const char *mode_name(const migrate_args *a)
{
	return a->check ? "check" : a->opts.dry_run ? "dry-run" : "migrate";
}

/* The text report on standard output as it is written. */
static int put_text(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)ctx;
	(void)d;
	cli_put(stdout, data, len, SS_PRINT_KEEP_LF, 0);
	return 0;
}

/* The JSON report on standard output as it is written. */
static int put_json(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)ctx;
	return ss_engine_write_output(NULL, data, len, d);
}

static int print_report(const migrate_args *a, const ss_target *from, const ss_target *to,
			const ss_migrate_result *res, ss_diag *d)
{
	ss_report_opts stream;
	memset(&stream, 0, sizeof(stream));
	stream.flush = a->json ? put_json : put_text;
	ss_migrate_report r = {mode_name(a),
			       from->client->kind,
			       from->path,
			       to->client->kind,
			       to->path,
			       &res->sessions,
			       &res->changed,
			       &res->backups,
			       &res->warnings,
			       a->opts.want_diff ? &res->diff : NULL,
			       res->written,
			       a->opts.strict && res->losses > 0,
			       a->opts.keys_dir ? &res->key_from : NULL,
			       &res->key_to,
			       &res->key_action,
			       a->opts.host_keys ? &res->host_key_notes : NULL,
			       &stream};
	ss_buf out = SS_BUF_INIT;
	int rc;
	if (a->json) {
		rc = ss_report_migrate_json(&r, &out, d);
		if (rc == 0)
			rc = ss_engine_write_output(NULL, out.data, out.len, d);
	} else {
		if (a->opts.want_diff && res->diff.len)
			cli_put(stdout, res->diff.data, res->diff.len,
				SS_PRINT_KEEP_LF | SS_PRINT_KEEP_TAB, 0);
		rc = ss_report_migrate_text(&r, &out, d);
		if (rc == 0)
			cli_put(stdout, out.data, out.len, SS_PRINT_KEEP_LF, 0);
	}
	ss_buf_release(&out);
	return rc;
}

/* --check: a key file still to be converted is a change too. */
static int keys_to_convert(const ss_migrate_result *res)
{
	for (size_t i = 0; i < res->key_action.n; i++)
		if (strcmp(res->key_action.v[i], "convert") == 0)
			return 1;
	return 0;
}

int cmd_migrate(int argc, char **argv, const cli_globals *g)
{
	(void)g;
	migrate_args a;
	memset(&a, 0, sizeof(a));
	int p = parse_args(argc, argv, &a);
	if (p != 0) {
		ss_strlist_release(&a.sessions);
		return p > 0 ? EXIT_OK : EXIT_TROUBLE;
	}
	ss_diag d = SS_DIAG_INIT;
	ss_target from, to;
	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	ss_migrate_result res = SS_MIGRATE_RESULT_INIT;
	asked secrets = {SS_STRLIST_INIT, SS_STRLIST_INIT};
	a.opts.ask = ask_passphrase;
	a.opts.ask_ctx = &secrets;
	a.opts.fields_unread = !a.json; /* the JSON report shows every field */
	int status = EXIT_OK;
	if (parse_target(a.from, &from, &d) < 0 || parse_target(a.to, &to, &d) < 0 ||
	    ss_engine_migrate(&from, &to, &a.opts, &res, &d) < 0 ||
	    print_report(&a, &from, &to, &res, &d) < 0)
		status = cli_fail(&d);
	else if (a.opts.strict && res.losses)
		status = EXIT_TROUBLE;
	else if (a.check && (res.changed.n || keys_to_convert(&res)))
		status = EXIT_CHECK_CHANGES;
	asked_release(&secrets);
	ss_migrate_result_free(&res);
	ss_target_free(&from);
	ss_target_free(&to);
	ss_strlist_release(&a.sessions);
	ss_diag_clear(&d);
	return status;
}
