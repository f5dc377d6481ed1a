#!/usr/bin/python
# -*- coding: utf-8 -*-
# The sshsync module: runs the sshsync binary (it never reimplements it) to
# audit or apply SSH keepalive settings, with check mode and diff.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: sshsync
short_description: Audit and apply SSH keepalive settings with sshsync
version_added: "0.1.0"
description:
  - Runs the C(sshsync) binary on the target to give every OpenSSH host
    (ssh_config), sshd (sshd_config), PuTTY/KiTTY session and WinSCP site the
    keepalive interval, changing only keepalive values and keeping a backup.
  - With C(state=applied) it runs C(sshsync apply --format json); in check
    mode C(sshsync apply --check --format json), which writes nothing.
  - With C(state=audit) it runs C(sshsync audit --format json), returns the
    report and fails when a scope fails.
  - sshsync computes what the clients use (Include, Match, first value wins)
    and validates sshd_config with C(sshd -t) before writing.
options:
  state:
    description:
      - C(applied) writes the settings; C(audit) only reports them.
    type: str
    choices: [applied, audit]
    default: applied
  interval:
    type: raw
    description:
      - The keepalive interval, in seconds or as OpenSSH writes times
        (C(90s), C(1m30s), C(2m)); a number is seconds.
      - Required with C(state=applied). With C(state=audit), scopes whose
        interval differs fail.
  count_max:
    description:
      - Also set C(ServerAliveCountMax)/C(ClientAliveCountMax).
    type: int
  tcp_keepalive:
    description:
      - Also set TCP keepalives where the client has them.
    type: bool
  winscp_ping:
    description:
      - WinSCP's keepalive kind; sshsync's default keeps sites that already
        use dummy commands.
    type: str
    choices: ['null', dummy]
  targets:
    description:
      - The targets, as sshsync takes them (C(ssh:FILE), C(sshd:FILE),
        C(putty:DIR), C(winscp:FILE), ...).
      - Empty means the files sshsync discovers for the user the module runs as.
    type: list
    elements: str
    default: []
  system:
    description:
      - With no C(targets), also the system files (C(/etc/ssh/ssh_config),
        C(/etc/ssh/sshd_config)).
    type: bool
    default: false
  backup:
    description:
      - Keep a backup of every changed file (C(FILE.sshsync-bak)).
    type: bool
    default: true
  nat_timeout:
    description:
      - With C(state=audit), fail scopes whose keepalive period on the wire is
        not shorter than this time.
    type: raw
  binary:
    description:
      - The sshsync program, a name looked up in C(PATH) or an absolute path.
    type: path
    default: sshsync
notes:
  - Check mode and diff mode are supported.
  - The module needs the sshsync binary on the target; the role
    C(sshsync.keepalive.keepalive) installs it from the project's .deb.
requirements:
  - sshsync on the target
author:
  - sshsync developers
"""

EXAMPLES = r"""
- name: Keepalive every 60 s for ssh and sshd
  sshsync.keepalive.sshsync:
    interval: 60
    system: true

- name: Only these files, with a count max
  sshsync.keepalive.sshsync:
    interval: 2m
    count_max: 3
    targets:
      - ssh:/home/deploy/.ssh/config
      - sshd:/etc/ssh/sshd_config

- name: Audit, failing when a scope does not use 60 s
  sshsync.keepalive.sshsync:
    state: audit
    interval: 60
  register: keepalive_report
"""

RETURN = r"""
changed_files:
  description: The files written (or that would be in check mode), each with its kind and backup.
  returned: state=applied
  type: list
  elements: dict
  sample: [{"file": "/etc/ssh/sshd_config", "kind": "sshd", "backup": "/etc/ssh/sshd_config.sshsync-bak"}]
backups:
  description: The backups kept, one per changed file that had a previous version.
  returned: state=applied
  type: list
  elements: str
  sample: ["/etc/ssh/sshd_config.sshsync-bak"]
unchanged:
  description: The targets left as they were.
  returned: state=applied
  type: list
  elements: str
scopes:
  description:
    - Per scope (host block, session, site), with C(state=applied) the interval
      before and after and whether it changes; with C(state=audit) the audit row.
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "ssh", "file": "/root/.ssh/config", "scope": "*", "before": 0, "after": 60, "changed": true}]
take_effect:
  description: What it takes for each client to use the new values.
  returned: state=applied
  type: list
  elements: str
report:
  description: sshsync's whole JSON output.
  returned: always
  type: dict
failed_scopes:
  description: With C(state=audit), the scopes that fail, with their reasons.
  returned: state=audit
  type: list
  elements: dict
command:
  description: The sshsync command line run.
  returned: always
  type: list
  elements: str
"""

import json

from ansible.module_utils.basic import AnsibleModule


def common_args(params):
    args = []
    if params["count_max"] is not None:
        args += ["--count-max", str(params["count_max"])]
    if params["tcp_keepalive"] is not None:
        args += ["--tcp-keepalive", "yes" if params["tcp_keepalive"] else "no"]
    if params["winscp_ping"] is not None:
        args += ["--winscp-ping", params["winscp_ping"]]
    return args


def parse_json(out):
    try:
        return json.loads(out)
    except ValueError:
        return None


def sshsync_message(report, err, rc):
    if isinstance(report, dict) and report.get("error"):
        return report["error"]
    lines = [line for line in (err or "").splitlines() if line.strip()]
    if lines:
        return "\n".join(lines)
    return "sshsync exited with status %d" % rc


def run_apply(module, binary):
    params = module.params
    cmd = [binary, "apply", "--format", "json", "--interval", str(params["interval"])]
    cmd += common_args(params)
    if module.check_mode:
        cmd.append("--check")
    if module._diff:
        cmd.append("--diff")
    if not params["backup"]:
        cmd.append("--no-backup")
    if params["system"]:
        cmd.append("--system")
    cmd += ["--"] + params["targets"] if params["targets"] else []
    rc, out, err = module.run_command(cmd)
    report = parse_json(out)
    # apply: 0 done; --check: 0 nothing to change, 1 something would.
    ok_codes = (0, 1) if module.check_mode else (0,)
    if rc not in ok_codes or not isinstance(report, dict) or "error" in report:
        module.fail_json(msg=sshsync_message(report, err, rc), rc=rc,
                         stdout=out, stderr=err, command=cmd, report=report)
    changed_files = report.get("changed", [])
    result = dict(
        changed=bool(changed_files),
        changed_files=changed_files,
        backups=[c["backup"] for c in changed_files if c.get("backup")],
        unchanged=report.get("unchanged", []),
        scopes=report.get("scopes", []),
        take_effect=report.get("take_effect", []),
        report=report,
        command=cmd,
    )
    if module._diff and report.get("diff"):
        result["diff"] = dict(prepared=report["diff"])
    for warning in report.get("warnings", []):
        module.warn(warning if isinstance(warning, str) else json.dumps(warning))
    module.exit_json(**result)


def run_audit(module, binary):
    params = module.params
    cmd = [binary, "audit", "--format", "json"]
    if params["interval"] is not None:
        cmd += ["--interval", str(params["interval"])]
    if params["nat_timeout"] is not None:
        cmd += ["--nat-timeout", str(params["nat_timeout"])]
    if params["system"]:
        cmd.append("--system")
    cmd += ["--"] + params["targets"] if params["targets"] else []
    rc, out, err = module.run_command(cmd)
    report = parse_json(out)
    # audit: 0 every scope passes, 1 some fail, 2 an error.
    if rc not in (0, 1) or not isinstance(report, dict):
        module.fail_json(msg=sshsync_message(report, err, rc), rc=rc,
                         stdout=out, stderr=err, command=cmd, report=report)
    scopes = report.get("scopes", [])
    failed = [s for s in scopes if s.get("status") != "pass"]
    result = dict(changed=False, scopes=scopes, failed_scopes=failed,
                  report=report, command=cmd)
    if rc != 0 or failed:
        names = ", ".join("%s %s %s" % (s.get("kind"), s.get("file"), s.get("scope"))
                          for s in failed[:10])
        module.fail_json(msg="sshsync audit: %d of %d scopes fail: %s"
                         % (len(failed), len(scopes), names), rc=rc, **result)
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="applied", choices=["applied", "audit"]),
            interval=dict(type="raw"),
            count_max=dict(type="int"),
            tcp_keepalive=dict(type="bool"),
            winscp_ping=dict(type="str", choices=["null", "dummy"]),
            targets=dict(type="list", elements="str", default=[]),
            system=dict(type="bool", default=False),
            backup=dict(type="bool", default=True),
            nat_timeout=dict(type="raw"),
            binary=dict(type="path", default="sshsync"),
        ),
        required_if=[("state", "applied", ["interval"])],
        supports_check_mode=True,
    )
    binary = module.params["binary"]
    if "/" not in binary:
        binary = module.get_bin_path(binary, required=True)
    if module.params["state"] == "audit":
        run_audit(module, binary)
    else:
        run_apply(module, binary)


if __name__ == "__main__":
    main()
