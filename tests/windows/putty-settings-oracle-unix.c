/* What a Unix PuTTY program supplies itself and the settings code calls:
 * the platform defaults (here those of Unix plink, unix/plink.c, none of
 * which touches the keepalive settings) and X resources (none). Linked
 * into the native putty-settings-oracle only (scripts/build-putty-oracle
 * --native). */
#include <stdlib.h>
#include <string.h>

#include "putty.h"

char *platform_default_s(const char *name)
{
	if (!strcmp(name, "TermType")) {
		const char *term = getenv("TERM");
		return term ? dupstr(term) : NULL;
	}
	if (!strcmp(name, "SerialLine"))
		return dupstr("/dev/ttyS0");
	return NULL;
}

bool platform_default_b(const char *name, bool def)
{
	return def;
}

int platform_default_i(const char *name, int def)
{
	return def;
}

FontSpec *platform_default_fontspec(const char *name)
{
	return fontspec_new("");
}

Filename *platform_default_filename(const char *name)
{
	return filename_from_str(!strcmp(name, "LogFileName") ? "putty.log" : "");
}

char *x_get_default(const char *key)
{
	return NULL;
}
