/* The files one apply changes. */
#include "sshsync/changeset.h"

#include <stdlib.h>
#include <string.h>

ss_change *ss_changeset_add(ss_changeset *cs, ss_text *text)
{
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 4;
		ss_change *v = realloc(cs->v, cap * sizeof(*v));
		if (!v) {
			ss_text_free(text);
			free(text);
			return NULL;
		}
		cs->v = v;
		cs->cap = cap;
	}
	ss_change *c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->text = text;
	if (cs->on_read)
		cs->on_read(cs->on_read_ctx, text);
	return c;
}

ss_change *ss_changeset_find(ss_changeset *cs, const char *path)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].text->path, path) == 0)
			return &cs->v[i];
	return NULL;
}

void ss_changeset_mark_changed(ss_changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		ss_change *c = &cs->v[i];
		/* A file sshsync creates is a change even when it comes out empty. */
		c->changed = ss_edits_change_anything(c->text, &c->edits) ||
			     (!c->text->id.known && !c->sink);
	}
}

int ss_changeset_render(ss_changeset *cs, ss_diag *d)
{
	ss_changeset_mark_changed(cs);
	for (size_t i = 0; i < cs->n; i++) {
		ss_change *c = &cs->v[i];
		ss_buf_reset(&c->rendered);
		/* A large file is rendered piece by piece as it is written. */
		if (c->changed && c->text->len <= SS_RENDER_KEEP_MAX &&
		    ss_edits_render_file(c->text, &c->edits, &c->rendered, d) < 0)
			return -1;
	}
	return 0;
}

size_t ss_changeset_count_changed(const ss_changeset *cs)
{
	size_t n = 0;
	for (size_t i = 0; i < cs->n; i++)
		n += cs->v[i].changed != 0;
	return n;
}

void ss_changeset_free(ss_changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		ss_text_free(cs->v[i].text);
		free(cs->v[i].text);
		ss_edits_free(&cs->v[i].edits);
		ss_buf_release(&cs->v[i].rendered);
		free(cs->v[i].backup_dir);
		if (cs->v[i].sink && cs->v[i].sink->free)
			cs->v[i].sink->free(cs->v[i].sink_ctx);
	}
	free(cs->v);
	if (cs->free_ctx)
		cs->free_ctx(cs->validate_ctx);
	memset(cs, 0, sizeof(*cs));
}
