/* The table of harnesses, by name (the name of the regression folder and of
 * the fuzzer binary fuzz_NAME). */
#include <string.h>

#include "fuzz.h"

/* clang-format off */
const fuzz_harness fuzz_harnesses[] = {
    {"ssh", fuzz_ssh},
    {"sshd", fuzz_sshd},
    {"reg", fuzz_reg},
    {"winini", fuzz_winini},
    {"sessfile", fuzz_sessfile},
    {"names", fuzz_names},
    {"gppxml", fuzz_gppxml},
    {"policy", fuzz_policy},
    {"report", fuzz_report},
    {"export", fuzz_export},
    {"winereg", fuzz_winereg},
    {"journal", fuzz_journal},
    {NULL, NULL},
};
/* clang-format on */

const fuzz_harness *fuzz_find(const char *name)
{
	for (const fuzz_harness *h = fuzz_harnesses; h->name; h++)
		if (strcmp(h->name, name) == 0)
			return h;
	return NULL;
}
