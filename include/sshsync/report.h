/* Reports: the audit as a text table, JSON or JUnit XML. */
#ifndef SSHSYNC_REPORT_H
#define SSHSYNC_REPORT_H

#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/edit.h"
#include "sshsync/diag.h"
#include "sshsync/regplan.h"
#include "sshsync/scope.h"
#include "sshsync/session.h"

typedef enum ss_format { SS_FORMAT_TEXT, SS_FORMAT_JSON, SS_FORMAT_JUNIT } ss_format;

typedef struct ss_report_opts {
	ss_format format;
	long nat_timeout;
	int color; /* ANSI colours in the text table */
	/* The text table only (JSON and JUnit ignore these): */
	size_t width;	  /* the columns to fit; 0: no limit */
	const char *home; /* paths under it are shown as ~/...; NULL: none */
	const char *cwd;  /* paths under it are shown relative; NULL: none */
	int verbose;	  /* the whole explanation, however many lines */
	int quiet;	  /* the summary line only */
	int failures;	  /* only the scopes that fail (or could not be read) */
	/* JSON, JUnit and the text table: where the report goes while it is
	 * written. When set, the report so far is handed to it (and `out`
	 * emptied) each time it holds `flush_at` bytes (0: SS_REPORT_FLUSH_BYTES); what is left
	 * stays in `out`. It returns -1 with `d` set when it cannot write. NULL: all of it stays in
	 * `out`. */
	int (*flush)(void *ctx, const char *data, size_t len, ss_diag *d);
	void *flush_ctx;
	size_t flush_at;
	/* The text table: laid out in chunks of `split_at` rows (0:
	 * SS_REPORT_SPLIT_ROWS), on two threads when there are several
	 * (SIZE_MAX: never), the same bytes either way. */
	size_t split_at;
	/* The text table: every row wrapped cell by cell, also those whose
	 * cells fit their columns (tests: the same bytes either way). */
	int general_rows;
} ss_report_opts;

#define SS_REPORT_FLUSH_BYTES (256 * 1024)
#define SS_REPORT_SPLIT_ROWS 2048

/* Hands `out` to o->flush (and empties it) once it holds o->flush_at
 * bytes; -1 with `d` set when the flush cannot write. */
int ss_report_flush_if_full(const ss_report_opts *o, ss_buf *out, ss_diag *d);

/* `len` bytes of report after what `out` holds. With o->flush, `out` and
 * then the bytes are handed to it in pieces of o->flush_at, the bytes
 * where they are (a large part laid out apart is not copied); what is
 * left of them, less than a piece, stays in `out`. Else they are added to
 * `out`. -1 with `d` set when memory runs out or the flush cannot write. */
int ss_report_add_flushed(const ss_report_opts *o, ss_buf *out, const char *data, size_t len,
			  ss_diag *d);

typedef enum ss_export_format {
	SS_EXPORT_REG,	/* regedit's own: v5, UTF-16LE with BOM, CRLF */
	SS_EXPORT_REG4, /* REGEDIT4, ANSI */
	SS_EXPORT_GPP	/* Group Policy Preferences Registry.xml */
} ss_export_format;

/* Parses "reg", "reg4" or "gpp"; -1 for anything else. */
int ss_export_format_parse(const char *name, ss_export_format *out);
/* An export file for the plan in the given format. */
int ss_report_export(const ss_regplan *plan, ss_export_format f, ss_buf *out, ss_diag *d);

/* Parses "text", "json" or "junit"; -1 for anything else. */
int ss_format_parse(const char *name, ss_format *out);

int ss_report_audit(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_text(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_json(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_junit(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d);

/* The JSON audit one scope at a time, as the scopes are made (a fleet's
 * scopes are then never all held): begin, a call per scope, end; the
 * document is ss_report_json's, byte for byte. With o->flush it goes out
 * in pieces; after a failure (-1) only ss_report_json_stream_free is
 * called and the document stays without its end. */
typedef struct ss_json_stream {
	const ss_report_opts *o;
	ss_buf *out;
	size_t n, failed, errors, na;
	ss_buf memo_name, memo_json; /* the file of the scope before, as JSON */
} ss_json_stream;

int ss_report_json_begin(ss_json_stream *js, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_json_scope(ss_json_stream *js, const ss_scope *sc, ss_diag *d);
int ss_report_json_end(ss_json_stream *js, ss_diag *d); /* frees js too */
void ss_report_json_stream_free(ss_json_stream *js);

/* The text table one scope at a time (only its rows' cells are kept, not
 * the scopes): begin, a call per scope, end; the table is ss_report_text's,
 * byte for byte, written at the end (in pieces to o->flush when set).
 * After a failure (-1) only ss_report_text_free is called. */
typedef struct ss_text_report ss_text_report;
int ss_report_text_begin(ss_text_report **tr, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_text_scope(ss_text_report *tr, const ss_scope *sc, ss_diag *d);
int ss_report_text_end(ss_text_report *tr, ss_diag *d); /* frees tr too */
void ss_report_text_free(ss_text_report *tr);
/* A part of the table: rows kept on another thread (part_scope, as
 * ss_report_text_scope would; at once with other parts and with merge),
 * then merged in their order on the report's (part_merge, which empties
 * the part for the next run of scopes). The table is then byte for byte
 * what ss_report_text_scope on each scope would have made. part_free
 * gives what the merged rows point at to the report: before its end. */
typedef struct ss_text_part ss_text_part;
ss_text_part *ss_report_text_part_new(void); /* NULL when memory runs out */
int ss_report_text_part_scope(const ss_text_report *tr, ss_text_part *p, const ss_scope *sc,
			      ss_diag *d);
int ss_report_text_part_merge(ss_text_report *tr, ss_text_part *p, ss_diag *d);
void ss_report_text_part_free(ss_text_report *tr, ss_text_part *p);

/* The JUnit document one scope at a time: a suite (one file's scopes in a
 * row) is kept as compact records of its testcases and written when it ends; the
 * document is ss_report_junit's, byte for byte (in pieces to o->flush
 * when set). After a failure (-1) only ss_report_junit_free is called. */
typedef struct ss_junit_report ss_junit_report;
int ss_report_junit_begin(ss_junit_report **jr, const ss_report_opts *o, ss_buf *out, ss_diag *d);
int ss_report_junit_scope(ss_junit_report *jr, const ss_scope *sc, ss_diag *d);
int ss_report_junit_end(ss_junit_report *jr, ss_diag *d); /* frees jr too */
void ss_report_junit_free(ss_junit_report *jr);
/* `s` made printable (ss_report_add_printable) and escaped as the JUnit
 * report writes attribute values and text. -1 when memory runs out. */
int ss_report_xml_text(ss_buf *out, const char *s);

/* What apply did (or would do), for --format json. */
typedef struct ss_apply_report {
	const char *mode;			     /* "apply", "dry-run" or "check" */
	int written;				     /* files were written */
	long interval;				     /* the interval asked */
	const ss_strlist *changed, *backups, *kinds; /* per changed file; backup "" for none */
	const ss_strlist *unchanged;		     /* targets that needed no change */
	const ss_strlist *notes, *warnings, *take_effect;
	const ss_briefs *before; /* every scope before apply */
	const ss_pairing *after; /* read back after writing; NULL: planned values */
	/* The diff (NULL: none asked), made as it is written: `diff` hands its
	 * text to `to` in whole lines; it is called twice (once to tell
	 * whether it is strict UTF-8, up to a NUL), or once when `diff_plain`
	 * (NULL: none) says it is that and has no NUL. */
	int (*diff)(void *ctx, const ss_sink *to, ss_diag *d);
	int (*diff_plain)(void *ctx);
	void *diff_ctx;
	const ss_sink *flush; /* where `out` goes as it fills; NULL: kept whole */
} ss_apply_report;

/* One JSON object: the files changed (with their backups) and unchanged,
 * and per scope the interval before and after; -1 with `d` set when
 * memory runs out, or making the diff or a put to `flush` fails. What is
 * left in `out` is the caller's. */
int ss_report_apply_json(const ss_apply_report *r, ss_buf *out, ss_diag *d);
/* The object of an apply that failed: its mode and the error (which says
 * what was put back when a write failed midway). */
int ss_report_apply_json_error(const char *mode, const char *message, ss_buf *out, ss_diag *d);

/* What migrate did (or would do) and what it could not carry. */
typedef struct ss_migrate_report {
	const char *mode; /* "migrate", "dry-run" or "check" */
	const char *from_kind, *from, *to_kind, *to;
	const ss_sessions *sessions; /* with target_name and losses */
	const ss_strlist *changed, *backups, *warnings;
	const ss_buf *diff; /* NULL: none asked */
	int written;
	int strict; /* --strict refused to write because of losses */
	/* --keys: per key file (NULL: none); action "convert" or "reused" */
	const ss_strlist *key_from, *key_to, *key_action;
	const ss_strlist *host_key_notes; /* --host-keys (NULL: not asked) */
	/* Where the report goes while it is written (its flush and flush_at,
	 * as for the audit's); NULL: all of it stays in `out`. */
	const ss_report_opts *stream;
} ss_migrate_report;

/* Text: one line per session (name -> target name), its losses indented
 * under it, then the files. JSON: one object, per session every field's
 * value, origin and place, and the losses. */
int ss_report_migrate_text(const ss_migrate_report *r, ss_buf *out, ss_diag *d);
int ss_report_migrate_json(const ss_migrate_report *r, ss_buf *out, ss_diag *d);

/* PATH as short as the user would write it: ~/... under `home`, relative
 * under `cwd` (an absolute directory; a relative PATH is taken from it),
 * whichever is shorter, else PATH. Newly allocated, not escaped; NULL when
 * memory runs out. `home` and `cwd` may be NULL. */
char *ss_report_short_path(const char *path, const char *home, const char *cwd);

/* Appends `s` with control characters and invalid UTF-8 shown as \xNN, so
 * that a hostile name cannot forge a line of output (ss_text_add_printable). */
int ss_report_add_printable(ss_buf *out, const char *s);

/* Appends `s` as a JSON string, byte for byte what jansson's
 * json_dumps(json_string(s), JSON_ENCODE_ANY) writes; a name that is not
 * strict UTF-8 is first made printable (ss_report_add_printable). */
int ss_report_json_string(ss_buf *out, const char *s);

/* The result of `sshsync probe`: one JSON object (host, survived_s,
 * failed_s, estimate_s, failure, server_keepalive_s, recommended_interval,
 * elapsed_s), or a few lines of text. */
struct ss_probe_result;
int ss_report_probe_json(const struct ss_probe_result *r, const char *host, ss_buf *out,
			 ss_diag *d);
int ss_report_probe_text(const struct ss_probe_result *r, const char *host, int64_t max_s,
			 ss_buf *out, ss_diag *d);

#endif
