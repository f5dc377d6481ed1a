/* The result of `sshsync probe`, as text or JSON (fields fixed by issue 14). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/probe.h"
#include "sshsync/report.h"
#include "sshsync/text.h"

static json_t *optional(int64_t v)
{
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

int ss_report_probe_json(const ss_probe_result *r, const char *host, ss_buf *out, ss_diag *d)
{
	json_t *o = json_object();
	ss_buf h = SS_BUF_INIT;
	int bad = !o;
	if (!bad && !ss_utf8_valid(host, strlen(host)))
		bad = ss_report_add_printable(&h, host) < 0;
	bad =
	    bad || json_object_set_new(o, "host", json_string(h.len ? ss_buf_str(&h) : host)) < 0 ||
	    json_object_set_new(o, "survived_s", json_integer((json_int_t)r->survived_s)) < 0 ||
	    json_object_set_new(o, "failed_s", optional(r->failed_s)) < 0 ||
	    json_object_set_new(o, "estimate_s", optional(r->estimate_s)) < 0 ||
	    json_object_set_new(o, "failure", json_string(ss_probe_failure_name(r->failure))) < 0 ||
	    json_object_set_new(o, "server_keepalive_s", optional(r->server_keepalive_s)) < 0 ||
	    json_object_set_new(o, "recommended_interval",
				json_integer((json_int_t)r->recommended)) < 0 ||
	    json_object_set_new(o, "elapsed_s",
				json_integer((json_int_t)((r->elapsed_ms + 500) / 1000))) < 0;
	char *text = bad ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ss_buf_release(&h);
	json_decref(o);
	bad = !text || ss_buf_adds(out, text) < 0 || ss_buf_addc(out, '\n') < 0;
	free(text);
	return bad ? ss_diag_oom(d) : 0;
}

static const char *how(ss_probe_failure f)
{
	switch (f) {
	case SS_PROBE_DROP:
		return "dropped silently: nothing arrived, even after the client wrote";
	case SS_PROBE_RESET:
		return "reset: the path answered with a TCP reset";
	case SS_PROBE_LATE:
		return "re-created late: the server's words arrived only after the client "
		       "wrote (the router made a new mapping)";
	case SS_PROBE_NONE:
		break;
	}
	return "none";
}

int ss_report_probe_text(const ss_probe_result *r, const char *host, int64_t max_s, ss_buf *out,
			 ss_diag *d)
{
	int bad = ss_buf_adds(out, "probe ") < 0 || ss_report_add_printable(out, host) < 0 ||
		  ss_buf_adds(out, r->client_first ? " (client first)\n" : "\n") < 0;
	if (r->jump)
		bad = bad || ss_buf_adds(out, "  path:                  through ") < 0 ||
		      ss_report_add_printable(out, r->jump) < 0 ||
		      ss_buf_adds(out, ": this measures the path to the jump host\n") < 0;
	if (r->failed_s < 0)
		bad = bad || ss_buf_addf(out, "  result:                no drop up to %lld s\n",
					 (long long)max_s) < 0;
	else
		bad = bad || ss_buf_addf(out,
					 "  longest idle survived: %lld s\n"
					 "  shortest idle failed:  %lld s\n"
					 "  timeout:               about %lld s\n"
					 "  failure:               %s\n",
					 (long long)r->survived_s, (long long)r->failed_s,
					 (long long)r->estimate_s, how(r->failure)) < 0;
	if (r->server_keepalive_s >= 0)
		bad = bad ||
		      ss_buf_addf(out, "  server keepalives:     every %lld s (a lower bound)\n",
				  (long long)r->server_keepalive_s) < 0;
	else
		bad = bad || ss_buf_adds(out, "  server keepalives:     none seen\n") < 0;
	bad = bad || ss_buf_addf(out,
				 "  recommended interval:  %lld s (sshsync apply --interval %lld)\n"
				 "  took:                  %lld s\n",
				 (long long)r->recommended, (long long)r->recommended,
				 (long long)((r->elapsed_ms + 500) / 1000)) < 0;
	return bad ? ss_diag_oom(d) : 0;
}
