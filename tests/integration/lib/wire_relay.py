#!/usr/bin/env python3
"""A ProxyCommand that watches the wire.

    wire_relay.py LOG [--drop-after SECONDS] -- SERVER-COMMAND...

Runs SERVER-COMMAND (an `sshd -i`) with pipes and relays the bytes between
it and the client on stdin/stdout. Every chunk is logged to LOG as
"MONOTONIC-SECONDS DIRECTION BYTES" with DIRECTION "c>s" (client to server)
or "s>c"; with --drop-after, chunks after that many seconds are thrown away
instead (logged as "c>s-drop"/"s>c-drop"), as a NAT that forgot the
connection would: each side then hears nothing from the other. When a side
closes, "c-eof" or "s-eof" is logged; "hup" when the client ends the relay
with a signal (ssh sends its ProxyCommand SIGHUP when it exits).
"""
import os
import select
import signal
import subprocess
import sys
import time


def parse_args(argv):
    if len(argv) < 4 or "--" not in argv:
        sys.exit("usage: wire_relay.py LOG [--drop-after S] -- COMMAND...")
    sep = argv.index("--")
    opts, command = argv[1:sep], argv[sep + 1:]
    drop_after = None
    if len(opts) == 3 and opts[1] == "--drop-after":
        drop_after = float(opts[2])
    elif len(opts) != 1:
        sys.exit("usage: wire_relay.py LOG [--drop-after S] -- COMMAND...")
    return opts[0], drop_after, command


def write_all(fd, data):
    while data:
        n = os.write(fd, data)
        data = data[n:]


def main():
    log_path, drop_after, command = parse_args(sys.argv)
    start = time.monotonic()
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    to_server, from_server = server.stdin.fileno(), server.stdout.fileno()
    routes = {0: (to_server, "c>s", "c-eof"), from_server: (1, "s>c", "s-eof")}
    with open(log_path, "w", buffering=1) as log:

        def hangup(signum, frame):
            log.write(f"{time.monotonic():.6f} hup 0\n")
            server.kill()
            sys.exit(0)

        signal.signal(signal.SIGHUP, hangup)
        signal.signal(signal.SIGTERM, hangup)
        live = set(routes)
        while from_server in live:
            ready, _, _ = select.select(sorted(live), [], [])
            for fd in ready:
                dst, direction, eof = routes[fd]
                data = os.read(fd, 65536)
                now = time.monotonic()
                if not data:
                    log.write(f"{now:.6f} {eof} 0\n")
                    live.discard(fd)
                    os.close(dst)
                    continue
                if drop_after is not None and now - start >= drop_after:
                    log.write(f"{now:.6f} {direction}-drop {len(data)}\n")
                    continue
                log.write(f"{now:.6f} {direction} {len(data)}\n")
                try:
                    write_all(dst, data)
                except BrokenPipeError:
                    live.discard(fd)
    server.wait()


if __name__ == "__main__":
    main()
