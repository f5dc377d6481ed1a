/* The journal: sshsync's own file, but a crash or a full disk cuts its
 * records and a user may edit it. Whatever it holds, it opens (read whole,
 * read from its end for a run, read from its end for undo); what the end
 * says is part of what the whole says; and a run appends a record that a
 * reading of the whole journal then finds last. The input is the
 * journal. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshsync/journal.h"

/* What a reading of the whole journal says: its entries (id, op, time)
 * and its largest id. The journal is locked while open: each reading is
 * closed before the next. */
typedef struct whole_says {
	ss_buf entries; /* "id op time\n" each */
	long last, to_undo;
} whole_says;

static void add_entry_line(ss_buf *b, const ss_journal_entry *e)
{
	FUZZ_CHECK(ss_buf_addf(b, "%ld %s %s\n", e->id, e->op, e->time) == 0, "out of memory");
}

/* Whether the whole journal has an entry like e. */
static int whole_has(const whole_says *w, const ss_journal_entry *e)
{
	ss_buf one = SS_BUF_INIT;
	add_entry_line(&one, e);
	const char *all = ss_buf_str(&w->entries);
	int found = 0;
	for (const char *p = all; !found && (p = strstr(p, ss_buf_str(&one))); p++)
		found = p == all || p[-1] == '\n';
	ss_buf_release(&one);
	return found;
}

static void open_or_fail(int r, ss_diag *d, const char *how)
{
	FUZZ_CHECK(r == 0, "the journal did not open (%s): %s", how,
		   d->message ? d->message : "no message");
}

int fuzz_journal(const uint8_t *data, size_t size)
{
	fuzz_workdir();
	fuzz_write("sshsync/journal", data, size);
	char *dir = fuzz_path("sshsync");
	ss_diag d = SS_DIAG_INIT;
	ss_journal whole = SS_JOURNAL_INIT, run = SS_JOURNAL_INIT, undo = SS_JOURNAL_INIT;
	whole_says w = {SS_BUF_INIT, 0, 0};
	open_or_fail(ss_journal_open(&whole, dir, &d), &d, "whole");
	for (size_t i = 0; i < whole.n; i++)
		add_entry_line(&w.entries, &whole.v[i]);
	w.last = whole.last_id;
	const ss_journal_entry *to_undo = ss_journal_last_undoable(&whole);
	w.to_undo = to_undo ? to_undo->id : 0;
	ss_journal_close(&whole);

	open_or_fail(ss_journal_open_to_undo(&undo, dir, &d), &d, "for undo");
	FUZZ_CHECK(undo.last_id <= w.last, "the end's largest id %ld, the whole's %ld",
		   undo.last_id, w.last);
	const ss_journal_entry *found = ss_journal_last_undoable(&undo);
	FUZZ_CHECK(!found || whole_has(&w, found), "undo found entry %ld, not in the journal",
		   found ? found->id : 0);
	FUZZ_CHECK(!w.to_undo || found, "the whole journal has entry %ld to undo, its end none",
		   w.to_undo);
	ss_journal_close(&undo);
	ss_buf_release(&w.entries);

	open_or_fail(ss_journal_open_append(&run, dir, &d), &d, "for a run");
	FUZZ_CHECK(run.last_id <= w.last, "the end's largest id %ld, the whole's %ld", run.last_id,
		   w.last);
	ss_journal_file f = {"/home/u/.ssh/config", NULL, NULL, {0}, {0}, {0}, {{0}, 0, 0}};
	long id = 0;
	int r = ss_journal_begin(&run, "apply", 0, &f, 1, &id, &d);
	FUZZ_CHECK(r == 0 || run.last_id == LONG_MAX, "begin failed: %s", d.message);
	if (r == 0)
		FUZZ_CHECK(ss_journal_end(&run, id, SS_JOURNAL_DONE, &d) == 0, "end failed: %s",
			   d.message);
	ss_journal_close(&run);
	ss_diag_clear(&d);
	if (r == 0) {
		open_or_fail(ss_journal_open(&whole, dir, &d), &d, "whole, after a run");
		const ss_journal_entry *e = whole.n ? &whole.v[whole.n - 1] : NULL;
		FUZZ_CHECK(e && e->id == id && e->state == SS_JOURNAL_DONE &&
			       strcmp(e->op, "apply") == 0,
			   "the run's entry %ld is not the journal's last", id);
		ss_journal_close(&whole);
	}
	fuzz_diag_done(&d);
	free(dir);
	return 0;
}
