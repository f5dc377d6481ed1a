/* audit: every scope of every target, judged. */
#include "sshsync/engine.h"

int ss_engine_audit(const ss_targets *targets, const ss_query *q, const ss_policy *p,
		    ss_scopes *out, ss_diag *d)
{
	for (size_t i = 0; i < targets->n; i++) {
		const ss_target *t = &targets->v[i];
		size_t first = out->n;
		if (t->client->audit(t->path, q, out, d) < 0)
			return -1;
		for (size_t j = first; j < out->n; j++)
			if (ss_scope_judge(&out->v[j], p) < 0)
				return ss_diag_oom(d);
	}
	return 0;
}
