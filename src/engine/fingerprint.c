/* XXH3-128 fingerprints (see sshsync/fingerprint.h). libxxhash's header
 * is used whole (XXH_INLINE_ALL): no library to link on any platform,
 * and the hash inlined where it is called. */
#include "sshsync/fingerprint.h"

#include "sshsync/buf.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

static int put_fingerprint(void *ctx, const void *data, size_t len, ss_diag *d)
{
	if (XXH3_128bits_update(ctx, data, len) != XXH_OK)
		return ss_diag_set(d, NULL, 0, 0, "cannot compute a fingerprint");
	return 0;
}

int ss_fingerprint_sink_begin(ss_fingerprint_sink *s, ss_diag *d)
{
	XXH3_state_t *st = XXH3_createState();
	s->sink.put = put_fingerprint;
	s->sink.ctx = st;
	if (!st || XXH3_128bits_reset(st) != XXH_OK) {
		XXH3_freeState(st);
		s->sink.ctx = NULL;
		return ss_diag_oom(d);
	}
	return 0;
}

/* The canonical form (big-endian), as xxhsum -H2 prints it. */
static void to_hex(XXH128_hash_t h, char out[SS_FINGERPRINT_HEX])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, h);
	ss_hex_lower(c.digest, sizeof(c.digest), out);
}

int ss_fingerprint_sink_end(ss_fingerprint_sink *s, char out[SS_FINGERPRINT_HEX])
{
	XXH3_state_t *st = s->sink.ctx;
	s->sink.ctx = NULL;
	if (!st)
		return -1;
	if (out)
		to_hex(XXH3_128bits_digest(st), out);
	XXH3_freeState(st);
	return 0;
}

int ss_fingerprint_hex(const void *data, size_t len, char out[SS_FINGERPRINT_HEX])
{
	to_hex(XXH3_128bits(data, len), out);
	return 0;
}

int ss_fingerprint_source(const ss_source *src, char out[SS_FINGERPRINT_HEX], ss_diag *d)
{
	ss_fingerprint_sink s;
	if (ss_fingerprint_sink_begin(&s, d) < 0)
		return -1;
	int r = ss_source_emit(src, &s.sink, d);
	ss_fingerprint_sink_end(&s, r == 0 ? out : NULL);
	return r;
}
