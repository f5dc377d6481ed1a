/* The audit-apply cycle shared by the single-file store harnesses. */
#include "fuzz_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "sshsync/changeset.h"

int fuzz_unmasked_lines(const ss_text *t, fuzz_mask_fn mask, ss_strlist *out)
{
	unsigned char *m = calloc(t->nlines + 1, 1);
	FUZZ_CHECK(m, "out of memory");
	int r = mask(t, m);
	for (size_t i = 0; i < t->nlines && r == 0; i++)
		if (!m[i]) {
			/* Trailing blanks and CRs are nothing to .reg or INI readers. */
			size_t len = ss_text_line(t, i).len;
			while (len && (unsigned char)t->data[t->lines[i] + len - 1] <= ' ')
				len--;
			char *line = ss_strndup(t->data + t->lines[i], len);
			/* Blank lines are nothing to either reader either. */
			FUZZ_CHECK(len == 0 || ss_strlist_push_owned(out, line) == 0,
				   "out of memory");
			if (len == 0)
				free(line);
		}
	free(m);
	return r;
}

static int kept_items(const char *path, const void *bytes, size_t len, fuzz_items_fn items,
		      ss_strlist *out)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	FUZZ_CHECK(ss_text_from_bytes(&t, path, bytes, len, &d) == 0, "cannot read back %s", path);
	int r = items(&t, out);
	ss_text_free(&t);
	fuzz_diag_done(&d);
	return r;
}

static int is_extra(const char *line, const char *extra)
{
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return !*line || (extra && strchr(extra, *line));
}

int fuzz_is_insertion(const ss_strlist *a, const ss_strlist *b, const char *extra)
{
	size_t i = 0;
	for (size_t j = 0; j < b->n; j++) {
		if (i < a->n && strcmp(a->v[i], b->v[j]) == 0)
			i++;
		else if (!is_extra(b->v[j], extra))
			return 0;
	}
	return i == a->n;
}

static void check_others(const char *path, const ss_buf *old, const ss_buf *new,
			 fuzz_items_fn items, const char *extra)
{
	ss_strlist a = SS_STRLIST_INIT, b = SS_STRLIST_INIT;
	int ra = kept_items(path, old->data, old->len, items, &a);
	int rb = kept_items(path, new->data, new->len, items, &b);
	FUZZ_CHECK(ra == 0, "%s: apply worked on a file that does not parse", path);
	if (rb < 0 || !fuzz_is_insertion(&a, &b, extra)) {
		fuzz_show("before", old->data, old->len);
		fuzz_show("after", new->data, new->len);
		for (size_t i = 0; i < a.n; i++)
			fuzz_show("item before", a.v[i], strlen(a.v[i]));
		for (size_t i = 0; i < b.n; i++)
			fuzz_show("item after", b.v[i], strlen(b.v[i]));
		fuzz_fail(rb < 0 ? "%s: the file apply wrote does not parse"
				 : "%s: apply changed what is no keepalive",
			  path);
	}
	ss_strlist_release(&a);
	ss_strlist_release(&b);
}

static int audit(const ss_client *cl, const char *target, ss_scopes *out)
{
	ss_diag d = SS_DIAG_INIT;
	int r = cl->audit(target, NULL, out, &d);
	fuzz_diag_done(&d);
	return r;
}

static long plan(const ss_client *cl, const char *target, const ss_policy *p, ss_changeset *cs)
{
	ss_diag d = SS_DIAG_INIT;
	int r = cl->apply(target, p, cs, &d);
	if (r == 0)
		FUZZ_CHECK(ss_changeset_render(cs, &d) == 0, "render failed: %s",
			   d.message ? d.message : "");
	fuzz_diag_done(&d);
	return r < 0 ? -1 : (long)ss_changeset_count_changed(cs);
}

static void write_changes(const ss_changeset *cs, fuzz_items_fn items, const char *extra)
{
	const char *dir = fuzz_workdir_name();
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		FUZZ_CHECK(strncmp(c->text->path, dir, strlen(dir)) == 0,
			   "apply changes %s, outside the work folder", c->text->path);
		ss_buf old = SS_BUF_INIT;
		if (c->text->id.known)
			old = fuzz_read(c->text->path);
		check_others(c->text->path, &old, &c->rendered, items, extra);
		ss_buf_release(&old);
		FILE *f = fopen(c->text->path, "wb");
		FUZZ_CHECK(f &&
			       fwrite(c->rendered.data, 1, c->rendered.len, f) == c->rendered.len &&
			       fclose(f) == 0,
			   "cannot write %s", c->text->path);
	}
}

static const ss_scope *find_scope(const ss_scopes *s, const ss_scope *like)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, like->name) == 0)
			return &s->v[i];
	return NULL;
}

/* WinSCP's Default Settings when a site has its name in another case
 * ([Sessions\\DEfault%20Settings]): sshsync leaves it failing on purpose
 * (shared/repro/d20: the audit says to rename the site). */
static int shadowed_default(const ss_scopes *s, const ss_scope *sc)
{
	if (strcmp(sc->kind, "winscp") != 0 || strcmp(sc->name, "Default Settings") != 0)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i].name, sc->name) == 0 && strcmp(s->v[i].name, sc->name) != 0)
			return 1;
	return 0;
}

static void check_scopes(const ss_scopes *before, const ss_scopes *after, const ss_policy *p)
{
	for (size_t i = 0; i < before->n; i++)
		FUZZ_CHECK(find_scope(after, &before->v[i]), "scope '%s' is gone after apply",
			   before->v[i].name);
	for (size_t i = 0; i < after->n; i++) {
		const ss_scope *sc = &after->v[i];
		/* Never written: a site without a keepalive (WinSCP's WebDAV and
		 * S3), a PuTTY session listed but never loaded (n/a), or loaded
		 * from a key that depends on the ANSI code page (unknown). */
		if (shadowed_default(after, sc) || sc->not_applicable ||
		    (strcmp(sc->kind, "winscp") != 0 && sc->interval == SS_UNKNOWN))
			continue;
		FUZZ_CHECK(sc->interval == p->interval,
			   "scope '%s': interval %lld after apply, asked %ld", sc->name,
			   sc->interval, p->interval);
		FUZZ_CHECK(p->count_max == SS_UNSET || sc->count_max == SS_UNSET ||
			       sc->count_max == p->count_max,
			   "scope '%s': count max %ld after apply, asked %ld", sc->name,
			   sc->count_max, p->count_max);
		FUZZ_CHECK(p->tcp_keepalive == SS_UNSET || sc->tcp_keepalive == SS_UNSET ||
			       sc->tcp_keepalive == p->tcp_keepalive,
			   "scope '%s': TCP keepalive %ld after apply, asked %ld", sc->name,
			   sc->tcp_keepalive, p->tcp_keepalive);
	}
}

void fuzz_client_cycle(const ss_client *cl, const char *target, const ss_policy *p,
		       fuzz_items_fn items, const char *extra)
{
	ss_scopes before = SS_SCOPES_INIT, after = SS_SCOPES_INIT;
	if (audit(cl, target, &before) < 0) {
		ss_scopes_free(&before);
		return;
	}
	ss_changeset cs = SS_CHANGESET_INIT;
	if (plan(cl, target, p, &cs) >= 0) {
		write_changes(&cs, items, extra);
		FUZZ_CHECK(audit(cl, target, &after) == 0, "%s: no audit after apply", target);
		check_scopes(&before, &after, p);
		ss_changeset cs2 = SS_CHANGESET_INIT;
		long again = plan(cl, target, p, &cs2);
		FUZZ_CHECK(again == 0, "%s: a second apply changes %ld files", target, again);
		ss_changeset_free(&cs2);
	}
	ss_changeset_free(&cs);
	ss_scopes_free(&before);
	ss_scopes_free(&after);
}
