/* Export files: a registry plan as .reg (v5 or REGEDIT4) or Registry.xml. */
#include <string.h>

#include "sshsync/gpp.h"
#include "sshsync/regfile.h"
#include "sshsync/report.h"

int ss_export_format_parse(const char *name, ss_export_format *out)
{
	if (strcmp(name, "reg") == 0)
		*out = SS_EXPORT_REG;
	else if (strcmp(name, "reg4") == 0)
		*out = SS_EXPORT_REG4;
	else if (strcmp(name, "gpp") == 0)
		*out = SS_EXPORT_GPP;
	else
		return -1;
	return 0;
}

int ss_report_export(const ss_regplan *plan, ss_export_format f, ss_buf *out, ss_diag *d)
{
	switch (f) {
	case SS_EXPORT_REG4:
		return ss_regplan_render(plan, SS_REG_V4, out, d);
	case SS_EXPORT_GPP:
		return ss_gpp_render(plan, out, d);
	case SS_EXPORT_REG:
		break;
	}
	return ss_regplan_render(plan, SS_REG_V5, out, d);
}
