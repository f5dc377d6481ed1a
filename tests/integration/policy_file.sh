#!/usr/bin/env bash
# The policy file (--policy FILE, DESIGN.md): a good file sets the audit's
# and apply's settings; command-line options override it; every bad value,
# unknown key or section, and an unreadable file is an error that names the
# file (and the key) and exits 2 without writing anything.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
probe_kinds
cd "$scratch"

item() { # session value-name dword
	printf '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="%s"><Properties action="U" hive="HKEY_CURRENT_USER" key="Software\\SimonTatham\\PuTTY\\Sessions\\%s" name="%s" type="REG_DWORD" value="%s"/></Registry>\n' "$2" "$1" "$2" "$3"
}
{
	echo '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'
	item s90 PingInterval 00000001
	item s90 PingIntervalSecs 0000001E
	echo '</RegistrySettings>'
} >R.xml
json_field() { # file python-expression-on-j
	"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

cat >good.ini <<'INI'
; a team's keepalive policy
[keepalive]
interval = 60
count_max = 3
tcp_keepalive = yes
nat_timeout = 90

[winscp]
ping_type = dummy
INI

# audit: nat_timeout and interval come from the file, before or after the command.
for where in before after; do
	if [ $where = before ]; then
		"$SSHSYNC" --policy good.ini audit --format json gpp:R.xml >a.json
	else
		"$SSHSYNC" audit --policy good.ini --format json gpp:R.xml >a.json
	fi
	check "policy $where the command: nat_timeout from the file" \
		test "$(json_field a.json 'j["nat_timeout"]')" = 90
	check "policy $where the command: 90 s fails the file's interval and NAT timeout" \
		test "$(json_field a.json '"|".join(j["scopes"][0]["reasons"])')" = \
		"interval 90s is not shorter than the NAT timeout 90s|interval 90s differs from the required 60s"
done
# Options on the command line win over the file.
"$SSHSYNC" --policy good.ini audit --format json --nat-timeout 240 --interval 90 gpp:R.xml >b.json
check "--nat-timeout and --interval override the file" \
	test "$(json_field b.json 'j["nat_timeout"], j["scopes"][0]["status"]')" = "(240, 'pass')"
expect_status 0 "audit passes with the overrides" \
	"$SSHSYNC" --policy good.ini audit --nat-timeout 240 --interval 90 gpp:R.xml >/dev/null
expect_status 1 "audit fails with the file's settings" "$SSHSYNC" --policy good.ini audit gpp:R.xml >/dev/null

# apply: the interval and WinSCP's ping type come from the file.
if has_kind winscp; then
	printf '[Sessions\\a]\r\nHostName=a\r\n' >WinSCP.ini
	cp WinSCP.ini orig.ini
	expect_status 0 "apply takes --interval from the policy file" \
		"$SSHSYNC" --policy good.ini apply --no-backup winscp:WinSCP.ini >/dev/null
	check "policy interval 60 and ping_type dummy are written" \
		bash -c 'grep -q "^PingType=2" WinSCP.ini && grep -q "^PingInterval=1" WinSCP.ini && grep -q "^PingIntervalSecs=0" WinSCP.ini'
	cp orig.ini WinSCP.ini
	"$SSHSYNC" --policy good.ini apply --no-backup --interval 45 --winscp-ping null winscp:WinSCP.ini >/dev/null
	check "--interval and --winscp-ping override the file" \
		bash -c 'grep -q "^PingType=1" WinSCP.ini && grep -q "^PingInterval=0" WinSCP.ini && grep -q "^PingIntervalSecs=45" WinSCP.ini'
else
	skip "no winscp client in this build: apply with a policy file"
fi
printf '[keepalive]\nnat_timeout = 200\n' >nointerval.ini
expect_status 2 "apply without an interval anywhere exits 2" \
	"$SSHSYNC" --policy nointerval.ini apply gpp:R.xml 2>err.txt
check "and says that --interval is required" grep -q -- "--interval N is required" err.txt

# Bad files: each names the file and the key, exits 2, writes nothing.
bad() { # name key expected-part contents
	local name=$1 key=$2 part=$3
	printf '%b' "$4" >"$name.ini"
	rm -f out.json
	"$SSHSYNC" --policy "$name.ini" audit --format json -o out.json gpp:R.xml >/dev/null 2>err.txt
	local status=$?
	if [ $status -eq 2 ]; then pass; else fail "$name: exit $status, expected 2"; fi
	check "$name: the error names the file" grep -qF "$name.ini" err.txt
	[ -z "$key" ] || check "$name: the error names the key $key" grep -qF "$key" err.txt
	[ -z "$part" ] || check "$name: the error says what was expected ($part)" grep -qF "$part" err.txt
	check "$name: one line of error" test "$(wc -l <err.txt)" -eq 1
	check "$name: no report written" test ! -e out.json
}
bad interval-word keepalive:interval "a time of 1 second or more" '[keepalive]\ninterval = sixty\n'
bad interval-zero keepalive:interval "1 second or more" '[keepalive]\ninterval = 0\n'
bad interval-units keepalive:interval "a time of" '[keepalive]\ninterval = 60x\n'
bad interval-huge keepalive:interval "too large (at most 2147483647)" '[keepalive]\ninterval = 99999999999\n'
bad interval-negative keepalive:interval "a time of" '[keepalive]\ninterval = -5\n'
bad interval-empty keepalive:interval "a time of" '[keepalive]\ninterval =\n'
bad count-negative keepalive:count_max "0 or more" '[keepalive]\ncount_max = -1\n'
bad tcp-maybe keepalive:tcp_keepalive "yes or no" '[keepalive]\ntcp_keepalive = maybe\n'
bad nat-zero keepalive:nat_timeout "1 second or more" '[keepalive]\nnat_timeout = 0\n'
bad ping-off winscp:ping_type "null or dummy" '[winscp]\nping_type = off\n'
bad unknown-key keepalive:intervall "unknown key" '[keepalive]\nintervall = 60\n'
bad unknown-section putty "[keepalive]" '[putty]\ninterval = 60\n'
bad not-ini "" "" 'interval 60\n[keepalive\n'
# "[section:key]" is a section for iniparser (a key without a value): an error, not a crash.
bad section-as-key winscp:ping_type "section header" '[winscp]\n[winscp:ping_type]\n'
bad section-as-interval keepalive:interval "section header" '[keepalive]\n[keepalive:interval]\n'
rm -f missing.ini
expect_status 2 "a missing policy file exits 2" \
	"$SSHSYNC" --policy missing.ini audit gpp:R.xml 2>err.txt
check "and names it" grep -qF "missing.ini" err.txt
# A bad policy file stops apply before anything is written.
if has_kind winscp; then
	cp orig.ini WinSCP.ini
	expect_status 2 "apply with a bad policy file exits 2" \
		"$SSHSYNC" --policy interval-word.ini apply --interval 60 winscp:WinSCP.ini 2>/dev/null
	check "and leaves the target as it was" cmp -s orig.ini WinSCP.ini
fi
finish
