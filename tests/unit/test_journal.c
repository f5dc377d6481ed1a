/* The journal: a run that only adds an entry (apply, migrate) reads the
 * journal's last records alone; the id it takes must be the one a reading
 * of the whole journal gives, on journals drawn from a generator. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sshsync/journal.h"
#include "sshsync/os_file.h"
#include "testutil.h"

#define HEX "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* A journal directory (`sub`, in a fresh temporary `dir`), its journal
 * file holding `len` bytes of `data` (NULL: none yet). */
typedef struct jdir {
	char *dir, *sub, *path;
} jdir;

static jdir jdir_make(const char *sub, const void *data, size_t len)
{
	jdir j;
	j.dir = tu_tempdir();
	j.sub = tu_path(j.dir, sub);
	j.path = tu_path(j.sub, "journal");
	if (data) {
		assert_int_equal(ss_os_mkdir_p(j.sub), 0);
		tu_write(j.path, len ? data : "", len);
	}
	return j;
}

static void jdir_free(jdir *j)
{
	tu_rmtree(j->dir);
	free(j->path);
	free(j->sub);
	free(j->dir);
}

/* A new journal in `sub` (its folders not made yet), opened for a run. */
static jdir new_journal(const char *sub, ss_journal *j, ss_diag *d)
{
	jdir jd = jdir_make(sub, NULL, 0);
	*j = (ss_journal)SS_JOURNAL_INIT;
	assert_int_equal(ss_journal_open_append(j, jd.sub, d), 0);
	return jd;
}

/* A begin record of `files` files (some names long, so that a record
 * may be longer than what the tail reader looks at first). */
static void add_begin(ss_buf *b, long id, unsigned files, unsigned *seed)
{
	assert_int_equal(
	    ss_buf_addf(b,
			"{\"id\":%ld,\"op\":\"apply\",\"time\":\"2026-12-05T00:00:00Z\","
			"\"files\":[",
			id),
	    0);
	for (unsigned f = 0; f < files; f++) {
		unsigned name = 8 + tu_pick(seed, 4) * tu_pick(seed, 600);
		assert_int_equal(ss_buf_addf(b, "%s{\"path\":\"/home/u/", f ? "," : ""), 0);
		for (unsigned k = 0; k < name; k++)
			assert_int_equal(ss_buf_addc(b, (char)('a' + k % 26)), 0);
		assert_int_equal(
		    ss_buf_addf(b,
				"\",\"backup\":null,\"backup_dir\":null,\"before\":\"%s\","
				"\"after\":\"%s\"}",
				HEX, HEX),
		    0);
	}
	assert_int_equal(ss_buf_adds(b, "]}\n"), 0);
}

/* A journal as sshsync writes it: ids that grow (with gaps, where runs
 * failed before their entry), most entries ended, some records cut by a
 * crash (a line without its end, and the next record on a line of its
 * own); the largest id into *max. */
static void make_journal(ss_buf *b, unsigned *seed, long *max)
{
	unsigned n = tu_pick(seed, 4) == 0 ? tu_pick(seed, 4) : tu_pick(seed, 2500);
	long id = 0;
	*max = 0;
	for (unsigned i = 0; i < n; i++) {
		id += 1 + (tu_pick(seed, 10) == 0 ? tu_pick(seed, 5) : 0);
		unsigned files =
		    1 + (tu_pick(seed, 200) == 0 ? tu_pick(seed, 150) : tu_pick(seed, 3));
		add_begin(b, id, files, seed);
		*max = id;
		unsigned end = tu_pick(seed, 8);
		if (end == 0)
			continue; /* interrupted */
		assert_int_equal(ss_buf_addf(b, "{\"id\":%ld,\"end\":\"%s\"}\n", id,
					     end == 1 ? "rolled-back" : "done"),
				 0);
		if (tu_pick(seed, 40) == 0)
			assert_int_equal(ss_buf_addf(b, "{\"id\":%ld,\"op\":\"ap\n", id + 1), 0);
	}
	if (n && tu_pick(seed, 3) == 0) { /* the last run interrupted, its record long */
		add_begin(b, ++id, 5 + tu_pick(seed, 40), seed);
		*max = id;
	}
	if (tu_pick(seed, 3) == 0) /* the last record cut */
		assert_int_equal(ss_buf_addf(b, "{\"id\":%ld,\"op\":\"apply\",\"ti", id + 7), 0);
}

/* One file in a run: what a begin records. */
static void begin_one(ss_journal *j, long *id)
{
	ss_journal_file f = {"/home/u/.ssh/config", NULL, NULL, {0}, {0}, {0}, {{0}, 0, 0}};
	memcpy(f.before, HEX, SS_SHA256_HEX);
	memcpy(f.after, HEX, SS_SHA256_HEX);
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_journal_begin(j, "apply", 0, &f, 1, id, &d), 0);
	assert_int_equal(ss_journal_end(j, *id, SS_JOURNAL_DONE, &d), 0);
	ss_diag_clear(&d);
}

static void test_appending_reads_the_tail_alone(void **state)
{
	(void)state;
	unsigned seed = 16;
	size_t longest = 0;
	for (int round = 0; round < 40; round++) {
		ss_buf b = SS_BUF_INIT;
		long max;
		make_journal(&b, &seed, &max);
		jdir jd = jdir_make("sshsync", b.data ? b.data : "", b.len);
		const char *sub = jd.sub;
		if (b.len > longest)
			longest = b.len;

		/* What a reading of the whole journal says, before and after. */
		ss_journal whole = SS_JOURNAL_INIT;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_journal_open(&whole, sub, &d), 0);
		assert_int_equal(whole.last_id, max);
		size_t entries = whole.n;
		ss_journal_close(&whole);

		ss_journal j = SS_JOURNAL_INIT;
		assert_int_equal(ss_journal_open_append(&j, sub, &d), 0);
		if (entries > 100) /* its last records alone */
			assert_true(j.n < entries / 2);
		assert_int_equal(j.last_id, max);
		long id;
		begin_one(&j, &id);
		assert_int_equal(id, max + 1);
		begin_one(&j, &id); /* two runs in one process: two ids */
		assert_int_equal(id, max + 2);
		ss_journal_close(&j);

		assert_int_equal(ss_journal_open(&whole, sub, &d), 0);
		assert_int_equal(whole.n, entries + 2);
		assert_int_equal(whole.v[whole.n - 1].id, max + 2);
		assert_int_equal(whole.v[whole.n - 1].state, SS_JOURNAL_DONE);
		assert_int_equal(whole.v[whole.n - 2].id, max + 1);
		const ss_journal_entry *last = ss_journal_last_undoable(&whole);
		assert_non_null(last);
		assert_int_equal(last->id, max + 2);
		ss_journal_close(&whole);
		ss_diag_clear(&d);
		ss_buf_release(&b);
		jdir_free(&jd);
	}
	/* The generator reached journals of a few MB, and records longer than
	 * the first look at the tail. */
	assert_true(longest > (size_t)1 << 20);
}

/* A new journal (its folders made): the first run takes id 1. Contents
 * kept as objects: the temporary files on their way there (and those a
 * killed run left) are in a folder of their own, so that a run never
 * lists the objects; a killed run's file of the same contents is removed
 * when they are kept again. */
static void test_new_journal_and_kept_contents(void **state)
{
	(void)state;
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("state/sshsync", &j, &d);
	assert_int_equal(j.last_id, 0);
	long id;
	begin_one(&j, &id);
	assert_int_equal(id, 1);
	ss_buf b = tu_read(jd.path);
	const char *end = "{\"id\":1,\"end\":\"done\"}\n";
	assert_true(b.len > strlen(end));
	assert_string_equal(ss_buf_str(&b) + b.len - strlen(end), end);
	ss_buf_release(&b);

	char *temps = tu_path(jd.sub, "objects/.tmp");
	char *stale = ss_asprintf("%s/.%s.sshsync-Ab12Cd", temps, HEX);
	char *other = ss_asprintf("%s/.%.63s0.sshsync-Ab12Cd", temps, HEX);
	assert_non_null(stale);
	assert_non_null(other);
	tu_write_str(stale, "cut sho");
	tu_write_str(other, "another run's");

	ss_source src = {NULL, NULL, "old contents\n", 13, NULL};
	assert_int_equal(ss_journal_keep_from(&j, &src, HEX, &d), 0);
	ss_buf kept = SS_BUF_INIT;
	assert_int_equal(ss_journal_load(&j, HEX, &kept, &d), -1); /* not its SHA-256 */
	ss_diag_clear(&d);
	char *object = tu_path(jd.sub, "objects/" HEX);
	b = tu_read(object);
	assert_int_equal(b.len, 13);
	assert_memory_equal(b.data, "old contents\n", 13);
	ss_buf_release(&b);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);

	/* Kept already: left as it is. */
	ss_source again = {NULL, NULL, "new contents\n", 13, NULL};
	assert_int_equal(ss_journal_keep_from(&j, &again, HEX, &d), 0);
	b = tu_read(object);
	assert_memory_equal(b.data, "old contents\n", 13);
	ss_buf_release(&b);
	ss_buf_release(&kept);
	ss_journal_close(&j);
	ss_diag_clear(&d);
	jdir_free(&jd);
	free(object);
	free(stale);
	free(other);
	free(temps);
}

/* A reader that fails at its first read, as a rendering that runs out of
 * memory does. */
static int no_rewind(void *ctx, ss_diag *d)
{
	(void)ctx, (void)d;
	return 0;
}

static long long failing_read(void *ctx, void *buf, size_t cap, ss_diag *d)
{
	(void)ctx, (void)buf, (void)cap;
	return ss_diag_set(d, NULL, 0, 0, "cannot render");
}

/* The .pack files of a journal's objects/. */
static size_t count_packs(const char *objects)
{
	ss_strlist names = tu_list_dir(objects);
	size_t packs = 0;
	for (size_t i = 0; i < names.n; i++) {
		size_t len = strlen(names.v[i]);
		packs += len == 64 + 5 && strcmp(names.v[i] + 64, ".pack") == 0;
	}
	ss_strlist_release(&names);
	return packs;
}

/* Kept contents read whole through where they are: 0, or -1 (damaged). */
static int read_kept(ss_journal *j, const char *hex, const ss_journal_place *where, ss_buf *out)
{
	ss_journal_object o;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_journal_object_open(j, hex, where, &o, &d), 0);
	ss_source src = {NULL, NULL, NULL, 0, &o.reader};
	ss_sink sink = {ss_sink_buf_put, out};
	ss_buf_reset(out);
	int r = ss_source_emit(&src, &sink, &d);
	if (r < 0)
		assert_non_null(strstr(d.message, "are damaged"));
	ss_journal_object_close(&o);
	ss_diag_clear(&d);
	return r;
}

/* A run's previous contents kept at once: the same bytes twice, an object
 * kept already (left where it is); the others in one pack, each found
 * where the run was told, and no file of their own nor temporary file
 * left. Bytes changed in the pack, or the pack cut, damage what they
 * touch alone. A failure among them leaves no pack and no temporary file,
 * and says where nothing is. */
static void test_many_kept_at_once(void **state)
{
	(void)state;
	enum { N = 150 };
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("sshsync", &j, &d);
	char *text[N], hex[N][SS_SHA256_HEX];
	const char *names[N];
	ss_source src[N];
	ss_journal_place where[N];
	for (size_t i = 0; i < N; i++) {
		/* Every tenth the same bytes as the one before it. */
		text[i] = ss_asprintf("HostName=h%zu.example.org\n", i % 10 == 9 ? i - 1 : i);
		assert_non_null(text[i]);
		src[i] = (ss_source){NULL, NULL, text[i], strlen(text[i]), NULL};
		assert_int_equal(ss_sha256_hex(text[i], strlen(text[i]), hex[i]), 0);
		names[i] = hex[i];
	}
	char *objects = tu_path(jd.sub, "objects");
	char *kept = ss_asprintf("%s/%s", objects, hex[3]);
	assert_non_null(kept);
	tu_write_str(kept, "kept already");
	assert_int_equal(ss_journal_keep_all(&j, src, names, N, where, &d), 0);
	assert_int_equal(count_packs(objects), 1);
	ss_buf got = SS_BUF_INIT;
	for (size_t i = 0; i < N; i++) {
		char *path = ss_asprintf("%s/%s", objects, hex[i]);
		assert_non_null(path);
		assert_int_equal(access(path, F_OK), i == 3 ? 0 : -1);
		free(path);
		assert_int_equal(where[i].pack[0] == '\0', i == 3);
		if (i != 3)
			assert_string_equal(where[i].pack, where[0].pack); /* one pack */
		if (i % 10 == 9)
			assert_memory_equal(&where[i], &where[i - 1], sizeof(where[i]));
		if (i == 3)
			continue; /* read it through objects/HEX: not its bytes */
		assert_int_equal(read_kept(&j, hex[i], &where[i], &got), 0);
		assert_int_equal(got.len, strlen(text[i]));
		assert_memory_equal(got.data, text[i], got.len);
	}
	char *temps = tu_path(jd.sub, "objects/.tmp");
	ss_strlist left = tu_list_dir(temps);
	assert_int_equal(left.n, 0);
	ss_strlist_release(&left);

	/* One byte of object 40 changed, then the last object cut. */
	char *pack = ss_asprintf("%s/%s.pack", objects, where[0].pack);
	assert_non_null(pack);
	ss_buf bytes = tu_read(pack);
	size_t last = 0;
	for (size_t i = 0; i < N; i++)
		if (where[i].pack[0] && where[i].at > where[last].at)
			last = i;
	bytes.data[where[40].at + 5] ^= 0x20;
	tu_write(pack, bytes.data, bytes.len);
	assert_int_equal(read_kept(&j, hex[40], &where[40], &got), -1);
	assert_int_equal(read_kept(&j, hex[41], &where[41], &got), 0);
	tu_write(pack, bytes.data, bytes.len - 1);
	assert_int_equal(read_kept(&j, hex[last], &where[last], &got), -1);
	ss_buf_release(&bytes);

	/* New contents, one of which cannot be rendered. */
	ss_reader bad = {no_rewind, failing_read, NULL};
	char *fresh[N];
	for (size_t i = 0; i < N; i++) {
		fresh[i] = ss_asprintf("HostName=new%zu.example.org\n", i);
		assert_non_null(fresh[i]);
		src[i] = (ss_source){NULL, NULL, fresh[i], strlen(fresh[i]), NULL};
		assert_int_equal(ss_sha256_hex(fresh[i], strlen(fresh[i]), hex[i]), 0);
	}
	src[77] = (ss_source){NULL, NULL, NULL, 0, &bad};
	assert_int_equal(ss_journal_keep_all(&j, src, names, N, where, &d), -1);
	assert_non_null(strstr(d.message, "cannot keep the previous contents"));
	assert_int_equal(count_packs(objects), 1);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(where[i].pack[0], '\0');
	left = tu_list_dir(temps);
	assert_int_equal(left.n, 0);
	ss_strlist_release(&left);
	for (size_t i = 0; i < N; i++) {
		free(text[i]);
		free(fresh[i]);
	}
	ss_buf_release(&got);
	free(pack);
	free(temps);
	free(kept);
	free(objects);
	ss_journal_close(&j);
	ss_diag_clear(&d);
	jdir_free(&jd);
}

/* Where a file's previous contents are kept goes into its record and
 * comes back when the journal is read; a record whose place is not one
 * sshsync writes is no entry to undo. */
static void test_place_in_the_record(void **state)
{
	(void)state;
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("sshsync", &j, &d);
	ss_journal_file f[2] = {{"/home/u/a", NULL, NULL, {0}, {0}, {0}, {{0}, 0, 0}},
				{"/home/u/b", NULL, NULL, {0}, {0}, {0}, {{0}, 12345, 678}}};
	for (int i = 0; i < 2; i++) {
		memcpy(f[i].before, HEX, SS_SHA256_HEX);
		memcpy(f[i].after, HEX, SS_SHA256_HEX);
	}
	memcpy(f[1].kept.pack, HEX, SS_SHA256_HEX);
	f[1].kept.pack[0] = 'a';
	long id;
	assert_int_equal(ss_journal_begin(&j, "apply", 0, f, 2, &id, &d), 0);
	ss_journal_close(&j);
	assert_int_equal(ss_journal_open(&j, jd.sub, &d), 0);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.v[0].nfiles, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(j.v[0].files[i].kept.pack, f[i].kept.pack);
		assert_int_equal(j.v[0].files[i].kept.at, f[i].kept.at);
		assert_int_equal(j.v[0].files[i].kept.size, f[i].kept.size);
	}
	ss_journal_close(&j);
	jdir_free(&jd);

	const char *bad[] = {"\"pack\":\"abc\",\"at\":0,\"size\":1",
			     "\"pack\":null,\"at\":0,\"size\":1",
			     "\"pack\":\"" HEX "\",\"size\":1",
			     "\"pack\":\"" HEX "\",\"at\":-1,\"size\":1",
			     "\"pack\":\"" HEX "\",\"at\":0,\"size\":\"1\"",
			     "\"pack\":\"" HEX "\",\"at\":9223372036854775807,\"size\":1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *text =
		    ss_asprintf("{\"id\":1,\"op\":\"apply\",\"time\":\"t\",\"files\":[{"
				"\"path\":\"/a\",\"before\":\"%s\",\"after\":\"%s\",%s}]}\n",
				HEX, HEX, bad[i]);
		assert_non_null(text);
		jd = jdir_make("sshsync", text, strlen(text));
		assert_int_equal(ss_journal_open(&j, jd.sub, &d), 0);
		assert_int_equal(j.n, 0);
		assert_int_equal(j.last_id, 1);
		ss_journal_close(&j);
		jdir_free(&jd);
		free(text);
	}
	ss_diag_clear(&d);
}

/* A file's fingerprint after, as xxhsum -H2 prints it, is recorded and read
 * back beside an older entry's SHA-256 after; a malformed one makes the
 * record no entry sshsync wrote. */
static void test_fingerprint_after(void **state)
{
	(void)state;
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("sshsync", &j, &d);
	ss_journal_file f = {"/home/u/a", NULL, NULL, {0}, {0}, {0}, {{0}, 0, 0}};
	memcpy(f.before, HEX, SS_SHA256_HEX);
	assert_false(ss_journal_file_has_after(&f));
	assert_int_equal(ss_fingerprint_hex("abc", 3, f.after_xxh), 0);
	assert_string_equal(f.after_xxh, "06b05ab6733a618578af5f94892f3950");
	assert_true(ss_journal_file_has_after(&f));
	long id;
	assert_int_equal(ss_journal_begin(&j, "apply", 0, &f, 1, &id, &d), 0);
	ss_journal_close(&j);
	assert_int_equal(ss_journal_open(&j, jd.sub, &d), 0);
	assert_int_equal(j.n, 1);
	assert_string_equal(j.v[0].files[0].after_xxh, f.after_xxh);
	assert_string_equal(j.v[0].files[0].after, "");
	ss_journal_close(&j);
	jdir_free(&jd);

	static const struct {
		const char *field;
		size_t entries;
	} cases[] = {{"\"after\":\"" HEX "\"", 1},
		     {"\"after\":null,\"after_xxh128\":null", 1},
		     {"\"after\":null,\"after_xxh128\":\"06b05ab6733a618578af5f94892f3950\"", 1},
		     {"\"after\":null,\"after_xxh128\":\"06B05AB6733A618578AF5F94892F3950\"", 0},
		     {"\"after\":null,\"after_xxh128\":\"06b05ab6733a618578af5f94892f395\"", 0},
		     {"\"after\":null,\"after_xxh128\":\"" HEX "\"", 0},
		     {"\"after\":null,\"after_xxh128\":32", 0}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *text = ss_asprintf("{\"id\":1,\"op\":\"apply\",\"time\":\"t\",\"files\":[{"
					 "\"path\":\"/a\",\"before\":\"%s\",%s}]}\n",
					 HEX, cases[i].field);
		assert_non_null(text);
		jd = jdir_make("sshsync", text, strlen(text));
		assert_int_equal(ss_journal_open(&j, jd.sub, &d), 0);
		assert_int_equal(j.n, cases[i].entries);
		if (j.n)
			assert_int_equal(ss_journal_file_has_after(&j.v[0].files[0]),
					 strstr(cases[i].field, "\"0") ||
					     strstr(cases[i].field, HEX));
		ss_journal_close(&j);
		jdir_free(&jd);
		free(text);
	}
	ss_diag_clear(&d);
}

/* What a run kept and then could not record is removed by its hash:
 * only objects/HEX, never a name that is no SHA-256. */
static void test_kept_and_removed(void **state)
{
	(void)state;
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("sshsync", &j, &d);
	const char *text = "HostName=kept.example.org\n";
	char hex[SS_SHA256_HEX];
	assert_int_equal(ss_sha256_hex(text, strlen(text), hex), 0);
	assert_int_equal(ss_journal_has(&j, hex), 0);
	ss_source src = {NULL, NULL, text, strlen(text), NULL};
	assert_int_equal(ss_journal_keep_from(&j, &src, hex, &d), 0);
	assert_int_equal(ss_journal_has(&j, hex), 1);
	char *beside = tu_path(jd.sub, "objects/../journal-beside");
	tu_write_str(beside, "not the journal's");
	errno = 0;
	assert_int_equal(ss_journal_unkeep(&j, "../journal-beside"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ss_journal_has(&j, "../journal-beside"), -1);
	assert_int_equal(access(beside, F_OK), 0);
	assert_int_equal(ss_journal_unkeep(&j, hex), 0);
	assert_int_equal(ss_journal_has(&j, hex), 0);
	assert_int_equal(ss_journal_unkeep(&j, hex), -1);
	free(beside);
	ss_journal_close(&j);
	jdir_free(&jd);
	ss_diag_clear(&d);
}

/* Kept contents read back piece by piece (undo's): the same bytes at
 * every reading, and a reading that reaches the end of damaged or cut
 * contents fails. */
static void emit_kept(ss_journal_object *o, ss_buf *out, int want, ss_diag *d)
{
	ss_source src = {NULL, NULL, NULL, 0, &o->reader};
	ss_sink sink = {ss_sink_buf_put, out};
	ss_buf_reset(out);
	assert_int_equal(ss_source_emit(&src, &sink, d), want);
}

static void test_kept_contents_read_in_pieces(void **state)
{
	(void)state;
	ss_journal j;
	ss_diag d = SS_DIAG_INIT;
	jdir jd = new_journal("sshsync", &j, &d);
	/* Three pieces and a part of one, then what no piece boundary cuts. */
	unsigned seed = 7;
	size_t sizes[] = {3 * SS_CHUNK_SIZE + 777, SS_CHUNK_SIZE, 1, 0};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		ss_buf data = SS_BUF_INIT, got = SS_BUF_INIT;
		for (size_t i = 0; i < sizes[k]; i++)
			assert_int_equal(ss_buf_addc(&data, (char)tu_pick(&seed, 256)), 0);
		ss_source src = {NULL, NULL, data.data ? data.data : "", data.len, NULL};
		char hex[SS_SHA256_HEX];
		assert_int_equal(ss_journal_store_from(&j, &src, hex, &d), 0);
		ss_journal_object o;
		assert_int_equal(ss_journal_object_open(&j, hex, NULL, &o, &d), 0);
		for (int again = 0; again < 2; again++) {
			emit_kept(&o, &got, 0, &d);
			assert_int_equal(got.len, data.len);
			assert_true(data.len == 0 || memcmp(got.data, data.data, data.len) == 0);
		}
		ss_journal_object_close(&o);
		ss_journal_object_close(&o); /* closing twice is safe */

		/* One byte changed, or the last one cut: damaged. */
		char *path = ss_asprintf("%s/objects/%s", jd.sub, hex);
		assert_non_null(path);
		for (int cut = 0; cut < 2 && data.len > 0; cut++) {
			ss_buf bad = tu_read(path);
			if (cut)
				bad.len--;
			else
				bad.data[tu_pick(&seed, (unsigned)bad.len)] ^= 0x20;
			tu_write(path, bad.data, bad.len);
			assert_int_equal(ss_journal_object_open(&j, hex, NULL, &o, &d), 0);
			emit_kept(&o, &got, -1, &d);
			assert_non_null(strstr(d.message, "are damaged"));
			ss_diag_clear(&d);
			ss_journal_object_close(&o);
			tu_write(path, data.data, data.len);
			ss_buf_release(&bad);
		}
		free(path);
		ss_buf_release(&data);
		ss_buf_release(&got);
	}
	/* Contents the journal does not keep. */
	ss_journal_object o;
	assert_int_equal(ss_journal_object_open(&j, HEX, NULL, &o, &d), -1);
	assert_non_null(strstr(d.message, "cannot read the kept contents"));
	ss_diag_clear(&d);
	ss_journal_object_close(&o);
	ss_journal_close(&j);
	jdir_free(&jd);
}

/* A journal of applies, migrates and undos as sshsync makes them: an
 * undo reverts the last entry not undone yet; runs end done, rolled back
 * or not at all. Long runs of undos at the end put what is left to undo
 * far back. */
static void make_history(ss_buf *b, unsigned *seed)
{
	long stack[4096], id = 0; /* the entries that may be undone, in order */
	size_t depth = 0;
	unsigned n = tu_pick(seed, 3000), undos = tu_pick(seed, 3) == 0 ? tu_pick(seed, 900) : 0;
	for (unsigned i = 0; i < n + undos; i++) {
		int undo = i >= n || tu_pick(seed, 4) == 0;
		unsigned end = tu_pick(seed, 10); /* 0: interrupted, 1: rolled back */
		id++;
		if (undo && depth) {
			assert_int_equal(
			    ss_buf_addf(b,
					"{\"id\":%ld,\"op\":\"undo\",\"of\":%ld,\"time\":"
					"\"2026-12-05T00:00:00Z\",\"files\":[]}\n",
					id, stack[depth - 1]),
			    0);
			if (end > 1)
				depth--;
		} else if (!undo) {
			add_begin(b, id, 1 + tu_pick(seed, 2), seed);
			if (end != 1 && depth < sizeof(stack) / sizeof(*stack))
				stack[depth++] = id;
		}
		if (end == 0)
			continue;
		assert_int_equal(ss_buf_addf(b, "{\"id\":%ld,\"end\":\"%s\"}\n", id,
					     end == 1 ? "rolled-back" : "done"),
				 0);
	}
}

/* undo reads the journal from its end, and finds the entry a reading of
 * the whole journal finds, with the same largest id. */
static void test_undo_reads_the_tail(void **state)
{
	(void)state;
	unsigned seed = 61, deep = 0;
	for (int round = 0; round < 40; round++) {
		ss_buf b = SS_BUF_INIT;
		make_history(&b, &seed);
		jdir jd = jdir_make("sshsync", b.data ? b.data : "", b.len);
		const char *sub = jd.sub;

		ss_journal whole = SS_JOURNAL_INIT, tail = SS_JOURNAL_INIT;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_journal_open(&whole, sub, &d), 0);
		const ss_journal_entry *want = ss_journal_last_undoable(&whole);
		long want_id = want ? want->id : 0, last = whole.last_id;
		size_t entries = whole.n;
		ss_journal_close(&whole);
		assert_int_equal(ss_journal_open_to_undo(&tail, sub, &d), 0);
		const ss_journal_entry *got = ss_journal_last_undoable(&tail);
		assert_int_equal(got ? got->id : 0, want_id);
		assert_int_equal(tail.last_id, last);
		deep += tail.n < entries / 2 && last - want_id > 100;
		ss_journal_close(&tail);
		ss_diag_clear(&d);
		ss_buf_release(&b);
		jdir_free(&jd);
	}
	/* Some of what was left to undo lay far back. */
	assert_true(deep > 0);
}

/* Records sshsync never wrote (a user's edit): no entry to undo, but their
 * ids stay taken. */
static void test_edited_records(void **state)
{
	(void)state;
	const char *text = "{\"id\":1,\"op\":\"apply\",\"time\":\"t\",\"files\":[]}\n"
			   "{\"id\":1,\"end\":\"done\"}\n"
			   "{\"id\":2,\"time\":\"t\",\"files\":[]}\n"
			   "{\"id\":3,\"op\":\"apply\",\"time\":\"t\",\"files\":7}\n"
			   "{\"id\":99999999999999999999,\"op\":\"apply\",\"time\":\"t\"}\n";
	jdir jd = jdir_make("sshsync", text, strlen(text));
	const char *sub = jd.sub;
	ss_diag d = SS_DIAG_INIT;
	ss_journal j = SS_JOURNAL_INIT;
	assert_int_equal(ss_journal_open(&j, sub, &d), 0);
	assert_int_equal(j.n, 1);
	assert_int_equal(j.last_id, 3);
	ss_journal_close(&j);
	assert_int_equal(ss_journal_open_to_undo(&j, sub, &d), 0);
	const ss_journal_entry *e = ss_journal_last_undoable(&j);
	assert_non_null(e);
	assert_int_equal(e->id, 1);
	ss_journal_close(&j);
	assert_int_equal(ss_journal_open_append(&j, sub, &d), 0);
	long id;
	begin_one(&j, &id);
	assert_int_equal(id, 4);
	ss_journal_close(&j);
	ss_diag_clear(&d);
	jdir_free(&jd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_appending_reads_the_tail_alone),
	    cmocka_unit_test(test_new_journal_and_kept_contents),
	    cmocka_unit_test(test_many_kept_at_once),
	    cmocka_unit_test(test_place_in_the_record),
	    cmocka_unit_test(test_fingerprint_after),
	    cmocka_unit_test(test_kept_and_removed),
	    cmocka_unit_test(test_kept_contents_read_in_pieces),
	    cmocka_unit_test(test_undo_reads_the_tail),
	    cmocka_unit_test(test_edited_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
