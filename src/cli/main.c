/* sshsync: the command line. Thin: parses arguments and calls the engine. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("sshsync %s\n", SSHSYNC_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: sshsync [--policy FILE] COMMAND [OPTIONS] [TARGET...]\n");
	return 2;
}
