/* The policy file (iniparser): whatever it holds, loading either fails
 * with a message or gives values in range. The input is the file. */
#include <limits.h>
#include <stdlib.h>

#include "fuzz.h"
#include "sshsync/policyfile.h"

int fuzz_policy(const uint8_t *data, size_t size)
{
	fuzz_workdir();
	fuzz_write("policy.ini", data, size);
	char *path = fuzz_path("policy.ini");
	ss_policy p;
	ss_policy_init(&p);
	ss_diag d = SS_DIAG_INIT;
	if (ss_policy_load(path, &p, &d) == 0) {
		FUZZ_CHECK(!d.message, "the policy loaded with an error set: %s", d.message);
		FUZZ_CHECK(p.interval == SS_UNSET || (p.interval >= 1 && p.interval <= INT_MAX),
			   "interval %ld", p.interval);
		FUZZ_CHECK(p.count_max == SS_UNSET || (p.count_max >= 0 && p.count_max <= INT_MAX),
			   "count_max %ld", p.count_max);
		FUZZ_CHECK(p.tcp_keepalive == SS_UNSET || p.tcp_keepalive == 0 ||
			       p.tcp_keepalive == 1,
			   "tcp_keepalive %ld", p.tcp_keepalive);
		FUZZ_CHECK(p.nat_timeout >= 1, "nat_timeout %ld", p.nat_timeout);
		FUZZ_CHECK(p.winscp_ping == SS_PING_KEEP || p.winscp_ping == SS_PING_NULL ||
			       p.winscp_ping == SS_PING_DUMMY,
			   "ping type %d", (int)p.winscp_ping);
	} else {
		FUZZ_CHECK(d.message, "the policy failed without saying why");
	}
	fuzz_diag_done(&d);
	free(path);
	return 0;
}
