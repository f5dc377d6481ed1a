#!/usr/bin/env python3
"""Reads a wire_relay.py log.

    wire_period.py period LOG DIRECTION
        The keepalive period of the side that sends DIRECTION ("c>s" or
        "s>c") on an idle connection: the median gap between its chunks,
        leaving out the connection's setup, the first gap after it (it
        starts wherever the setup ended) and the burst that ends the
        session. The median, not the longest gap: on a loaded machine one
        late wake-up of the client or of this relay stretches one gap
        (CI saw 3.2 s for a 2 s period), and sshd's rare early probe, when
        its wait ends just past a second boundary, shortens one. Prints
        "PERIOD GAPS".
    wire_period.py dead LOG DIRECTION
        Seconds from the last chunk relayed in DIRECTION (the peer that
        then went silent) to the end of the connection ("hup" or an eof).
    wire_period.py count LOG WHAT
        How many lines of the log have WHAT as their direction.
"""
import statistics
import sys

QUIET = 0.4  # seconds: chunks closer than this belong to one burst


def read(path):
    rows = []
    with open(path) as f:
        for line in f:
            t, what, n = line.split()
            rows.append((float(t), what, int(n)))
    return rows


def period(rows, direction):
    relayed = [r for r in rows if r[1] in ("c>s", "s>c")]
    if not relayed:
        sys.exit("nothing relayed")
    end = relayed[-1][0]
    times = [t for t, what, _ in relayed if what == direction and t < end - QUIET]
    gaps = [b - a for a, b in zip(times, times[1:]) if b - a >= QUIET]
    steady = gaps[1:]
    if len(steady) < 2:
        sys.exit(f"too few keepalives to measure: gaps {gaps}")
    return statistics.median(steady), steady


def dead(rows, direction):
    last = [t for t, what, _ in rows if what == direction]
    ends = [t for t, what, _ in rows if what in ("hup", "c-eof", "s-eof")]
    if not last or not ends:
        sys.exit("the connection did not end")
    return ends[0] - last[-1]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    verb, path, arg = sys.argv[1:]
    rows = read(path)
    if verb == "period":
        p, gaps = period(rows, arg)
        print(f"{p:.3f} {' '.join(f'{g:.3f}' for g in gaps)}")
    elif verb == "dead":
        print(f"{dead(rows, arg):.3f}")
    elif verb == "count":
        print(sum(1 for _, what, _ in rows if what == arg))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
