/* --help texts. The man page (doc/sshsync.1) says the same at length. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char general[] =
    "usage: sshsync [--policy FILE] COMMAND [OPTIONS] [TARGET...]\n"
    "\n"
    "Make every SSH client keep its connections alive the same way.\n"
    "\n"
    "commands:\n"
    "  discover   list the settings files found on this machine\n"
    "  audit      show the keepalive each host, session or site really gets\n"
    "  apply      give every scope of every target the same keepalive\n"
    "  export     write a .reg or Group Policy file that sets the keepalive\n"
    "  migrate    move whole sessions between OpenSSH, PuTTY, KiTTY and WinSCP\n"
    "  undo       put back the files of the latest apply (--list: the journal)\n"
    "  probe      measure the idle timeout of the network path to a host\n"
    "\n"
    "TARGET is [KIND:]PATH, KIND one of ssh, sshd, putty, kitty, winscp, gpp, winereg, reg.\n"
    "Without a TARGET, the files that 'discover' finds.\n"
    "\n"
    "options:\n"
    "  --policy FILE  read settings from a policy file (command-line options win)\n"
    "  --help         show this help ('sshsync COMMAND --help' for a command)\n"
    "  --version      show the version\n"
    "\n"
    "exit status: 0 done or audit clean, 1 audit found a failing scope,\n"
    "2 usage, parse or I/O error (nothing was written to the file that failed).\n";

static const char discover_help[] =
    "usage: sshsync discover\n"
    "\n"
    "Lists the settings files of every client on this machine, 'KIND PATH' a line:\n"
    "~/.ssh/config, /etc/ssh/ssh_config, /etc/ssh/sshd_config, PuTTY's session\n"
    "directory ($PUTTYSESSIONS, $PUTTYDIR, XDG, ~/.putty), KiTTY and WinSCP in\n"
    "the Wine prefix ($WINEPREFIX or ~/.wine).\n";

static const char audit_help[] =
    "usage: sshsync audit [OPTIONS] [TARGET...]\n"
    "\n"
    "One row per scope: the effective keepalive interval, count max, TCP\n"
    "keepalive, where it was set, and whether it passes.\n"
    "\n"
    "  --interval TIME     fail scopes whose interval setting is not TIME (seconds,\n"
    "                      or 90s, 1m30s, 2m as OpenSSH writes times)\n"
    "  --nat-timeout TIME  fail scopes whose keepalive period on the wire is not\n"
    "                      shorter than TIME (default 240); sshd probes an idle\n"
    "                      connection every 2 x ClientAliveInterval\n"
    "  --host NAME         evaluate OpenSSH client configs for NAME, as 'ssh -G NAME'\n"
    "                      (repeatable)\n"
    "  --host-file FILE    the same for each name in FILE, one a line ('-': stdin)\n"
    "  --connection SPEC   evaluate sshd configs for user=U,host=H,addr=A,lport=P,\n"
    "                      as 'sshd -T -C SPEC' (repeatable)\n"
    "  --format FORMAT     text (default), json or junit\n"
    "  -o, --output FILE   write the report to FILE\n"
    "  --system            with no TARGET, include system files (default for audit)\n"
    "  -v, --verbose       the text table's explanations whole (else cut to fit)\n"
    "  -q, --quiet         the summary line only\n"
    "  --failures          only the scopes that fail\n"
    "\n"
    "The text table fits $COLUMNS, else the terminal (80 columns in a pipe or a\n"
    "file), with the rows under their file; colour only on a terminal.\n";

static const char apply_help[] =
    "usage: sshsync apply --interval TIME [OPTIONS] [TARGET...]\n"
    "\n"
    "Gives every host, session and site of every target the keepalive interval\n"
    "TIME, changing only keepalive values. A backup is kept as\n"
    "FILE.sshsync-bak (.sshsync-bak/NAME beside included files, DIR.sshsync-bak/\n"
    "for session directories).\n"
    "\n"
    "  --interval TIME         the keepalive interval: seconds, or 90s, 1m30s, 2m\n"
    "                          (required unless the policy file sets it)\n"
    "  --count-max N           also set ServerAliveCountMax/ClientAliveCountMax\n"
    "  --tcp-keepalive yes|no  also set TCP keepalives where the client has them\n"
    "  --winscp-ping null|dummy  WinSCP's keepalive kind (default: null, keeping\n"
    "                          sites that already use dummy commands)\n"
    "  --dry-run               write nothing; print the diff\n"
    "  --check                 write nothing; print the diff; exit 1 when something\n"
    "                          would change, 0 when nothing would\n"
    "  --format text|json      json: the files changed (with backups) and unchanged,\n"
    "                          and per scope the interval before and after\n"
    "  --diff                  print the diff of what is written\n"
    "  --no-backup             keep no backup\n"
    "  --system                with no TARGET, also change system files\n";

static const char export_help[] =
    "usage: sshsync export putty|kitty|winscp --interval TIME [OPTIONS]\n"
    "\n"
    "Writes a file that an administrator imports to set the keepalive of the\n"
    "sessions: a .reg merge file (regedit, 'reg import') or a Group Policy\n"
    "Preferences Registry.xml.\n"
    "\n"
    "  --interval TIME     the keepalive interval: seconds, or 90s, 1m30s, 2m\n"
    "  --from TARGET       the sessions of this file or directory (all of them,\n"
    "                      plus Default Settings)\n"
    "  --session NAME      this session (repeatable; instead of or with --from)\n"
    "  --format FORMAT     reg (default: regedit's UTF-16 v5), reg4 (REGEDIT4,\n"
    "                      ANSI) or gpp (Group Policy Registry.xml)\n"
    "  --ansi-codepage CP  the ANSI code page of a --from .reg file without a\n"
    "                      UTF-16 byte order mark, and of --format reg4\n"
    "                      (default 1252, Windows-1252; e.g. 1251, 932)\n"
    "  -o, --output FILE   write to FILE instead of standard output\n";

static const char undo_help[] =
    "usage: sshsync undo [--list] [--force]\n"
    "\n"
    "Puts back the files of the most recent apply that is not undone yet, as\n"
    "they were before it (run it again to go one apply further back). Every\n"
    "apply is kept in a journal in $XDG_STATE_HOME/sshsync/ (default\n"
    "~/.local/state/sshsync/) with the previous contents of each file.\n"
    "A file changed since that apply is left alone, and then nothing is written.\n"
    "\n"
    "  --list    show the journal: each apply and undo, its files and backups\n"
    "  --force   put back files changed since that apply as well\n";

static const char migrate_help[] =
    "usage: sshsync migrate --from SOURCE --to TARGET [--session NAME]...\n"
    "                       [--dry-run|--check] [--diff] [--strict] [--format text|json]\n"
    "                       [--keys DIR [--passphrase-file FILE] [--ppk-version 2|3]]\n"
    "                       [--host-keys [--known-hosts FILE]]\n"
    "\n"
    "Copies whole sessions from SOURCE to TARGET, both [KIND:]PATH with KIND ssh,\n"
    "putty, kitty or winscp (ssh:~/.ssh/config, putty:sessions.reg,\n"
    "putty:~/.putty/sessions, winscp:WinSCP.ini).\n"
    "An OpenSSH source gives one session per literal Host name, as 'ssh -G NAME'\n"
    "resolves it, plus one per ProxyJump hop; a PuTTY session never inherits\n"
    "Default Settings, a WinSCP site loads on the factory defaults. A session\n"
    "TARGET already has (by name) is updated in\n"
    "place, others are added; every byte that need not change stays. A name\n"
    "that cannot be an OpenSSH Host token is respelled with %XX (reported).\n"
    "What TARGET cannot express is listed per session, never dropped silently.\n"
    "Written like apply: journaled (undo reverts it), with backups.\n"
    "\n"
    "  --from SOURCE    where the sessions come from\n"
    "  --to TARGET      where they go (created when missing; give KIND:)\n"
    "  --session NAME   only this session (and its jump hops); repeatable\n"
    "  --dry-run        write nothing, show what would change\n"
    "  --check          the same; exit 1 when TARGET would change\n"
    "  --diff           show the unified diff of the changes\n"
    "  --strict         any loss is an error: exit 2, nothing written\n"
    "  --format FMT     text (default) or json: per session every field, its\n"
    "                   origin and place, and the losses\n"
    "  --no-backup      keep no backup of the files written\n"
    "  --keys DIR       convert each session's key into DIR for the target (.ppk\n"
    "                   or OpenSSH, with puttygen) and point the session at it;\n"
    "                   an existing different key file is an error\n"
    "  --passphrase-file FILE  the passphrase of encrypted keys (else asked on\n"
    "                   the terminal, without echo)\n"
    "  --ppk-version N  the .ppk format written: 3 (default) or 2 (old PuTTY)\n"
    "  --host-keys      also carry the migrated hosts' keys: known_hosts <->\n"
    "                   PuTTY's sshhostkeys / SshHostKeys, WinSCP's and KiTTY's\n"
    "                   SshHostKeys\n"
    "  --known-hosts FILE  the known_hosts file (default ~/.ssh/known_hosts)\n";
static const char probe_help[] =
    "usage: sshsync probe [OPTIONS] [USER@]HOST\n"
    "\n"
    "Measures how long the network path to HOST (a NAT or stateful firewall)\n"
    "keeps an idle SSH connection, with your own ssh (your config, keys and\n"
    "ProxyJump apply; BatchMode, so it never asks), and recommends a keepalive\n"
    "interval: half the longest idle time that survived, rounded down.\n"
    "Several connections at once run 'echo R; sleep T; echo A' on HOST with no\n"
    "keepalive, so that the server speaks first after T idle seconds; T doubles\n"
    "(15, 30, 60 ... up to --max), then the first failing bracket is split in\n"
    "four. It takes about twice the timeout. A failure is 'drop' (nothing\n"
    "arrives), 'reset' (the path answers with a reset) or 'late' (the answer\n"
    "comes only after the client writes: the router made a new mapping).\n"
    "Server keepalives (ClientAliveInterval) are detected: the result is then a\n"
    "lower bound. A server that runs no command is probed client first, with a\n"
    "warning.\n"
    "\n"
    "  -F FILE             ssh's configuration file (ssh -F)\n"
    "  -o OPTION           an ssh option, as ssh -o (repeatable)\n"
    "  --max TIME          the longest idle time tried (default 7440, 2h4m)\n"
    "  --connections N     at most N connections at once (default 10)\n"
    "  --format text|json  json: host, survived_s, failed_s, estimate_s, failure,\n"
    "                      server_keepalive_s, recommended_interval, elapsed_s\n"
    "  --apply             then give every target the recommended interval, as\n"
    "                      'sshsync apply' does without a TARGET\n"
    "\n"
    "exit status: 0 measured, 2 bad input or ssh cannot reach, log in to or run\n"
    "a command on HOST (found within seconds).\n";

void cli_print_help(const char *command)
{
	const char *text = general;
	if (command && strcmp(command, "discover") == 0)
		text = discover_help;
	else if (command && strcmp(command, "audit") == 0)
		text = audit_help;
	else if (command && strcmp(command, "apply") == 0)
		text = apply_help;
	else if (command && strcmp(command, "export") == 0)
		text = export_help;
	else if (command && strcmp(command, "undo") == 0)
		text = undo_help;
	else if (command && strcmp(command, "migrate") == 0)
		text = migrate_help;
	else if (command && strcmp(command, "probe") == 0)
		text = probe_help;
	fputs(text, stdout);
}
