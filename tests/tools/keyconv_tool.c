/* Drives keyconv.h for tests/integration/keys.sh:
 *   keyconv_tool convert DIR SRC [--ppk-version N] [--passphrase-file F] [--puttygen P]
 *       prints the new key's path, and "reused" when it existed already;
 *       an error as sshsync prints it, exit 2.
 *   keyconv_tool inspect FILE
 *       "FORMAT encrypted=N ppk=N fido=N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/keyconv.h"
#include "sshsync/text.h"

static int fail(ss_diag *d)
{
	char *m = ss_diag_format(d);
	fprintf(stderr, "error: %s\n", m ? m : "out of memory");
	free(m);
	ss_diag_clear(d);
	return 2;
}

int main(int argc, char **argv)
{
	ss_diag d = SS_DIAG_INIT;
	if (argc == 3 && strcmp(argv[1], "inspect") == 0) {
		ss_text t;
		if (ss_text_load(&t, argv[2], 0, &d))
			return fail(&d);
		ss_key_info ki = ss_key_inspect(t.data, t.len);
		static const char *const F[] = {"unknown", "openssh", "pem", "ppk"};
		printf("%s encrypted=%d ppk=%d fido=%d\n", F[ki.format], ki.encrypted,
		       ki.ppk_version, ki.fido);
		ss_text_free(&t);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "convert") != 0) {
		fprintf(stderr, "usage: keyconv_tool convert DIR SRC [--ppk-version N] "
				"[--passphrase-file F] [--puttygen P] | inspect FILE\n");
		return 2;
	}
	ss_keyconv k = {argv[2], 3, NULL, NULL, 0, NULL, NULL};
	for (int i = 4; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--ppk-version") == 0)
			k.ppk_version = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--passphrase-file") == 0)
			k.passphrase_file = argv[i + 1];
		else if (strcmp(argv[i], "--puttygen") == 0)
			k.puttygen = argv[i + 1];
	}
	char *out = NULL;
	int reused = 0;
	if (ss_key_convert(&k, argv[3], &out, &reused, &d))
		return fail(&d);
	printf("%s%s\n", out, reused ? " reused" : "");
	free(out);
	return 0;
}
