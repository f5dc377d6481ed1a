/* Wine prefixes on Windows (see os_wine.h): no wineserver runs there. */
#ifdef _WIN32
#include "sshsync/os_wine.h"

#include <stddef.h>

int ss_os_wineserver_running(const char *prefix, char **evidence)
{
	(void)prefix;
	if (evidence)
		*evidence = NULL;
	return 0;
}
#endif
