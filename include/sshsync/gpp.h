/* A registry plan as a Group Policy Preferences Registry.xml ([MS-GPPREF]
 * 2.2.1.17), the file a domain administrator drops into a GPO's
 * User\Preferences\Registry folder (or pastes into the Group Policy
 * Management Console).
 *
 * One <Collection> per key (named after the key's last component, as
 * written in the plan), holding one <Registry> item per value: a DWORD is
 * written as action="U" (update: create or overwrite only this value), a
 * deletion as action="D". Every item gets a fresh random uid and the
 * current UTC time as `changed`. */
#ifndef SSHSYNC_GPP_H
#define SSHSYNC_GPP_H

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/regplan.h"

/* The clsids of [MS-GPPREF] for the registry extension. */
#define SS_GPP_CLSID_SETTINGS "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
#define SS_GPP_CLSID_REGISTRY "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"
#define SS_GPP_CLSID_COLLECTION "{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}"

/* Appends the whole document (UTF-8, with its XML declaration) to `out`.
 * Every key path must start with a full hive name (HKEY_CURRENT_USER, ...);
 * names and strings must be valid UTF-8 without control characters other
 * than tab, LF and CR (XML 1.0 cannot carry them): anything else is an
 * error that names the key, and nothing is appended. */
int ss_gpp_render(const ss_regplan *plan, ss_buf *out, ss_diag *d);

/* A fresh random GUID in registry form, "{8-4-4-4-12}" upper-case hex
 * (version 4), into `out` (39 bytes with the NUL). From the system (ss_os_random). */
int ss_gpp_new_uid(char out[39], ss_diag *d);

#endif
