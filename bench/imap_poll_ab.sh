#!/usr/bin/env bash
# bench/imap_poll_ab.sh — compare two `inlet` binaries on the same Dovecot folder, alternating
# round by round in one bench/imap.sh run (odd rounds A, even rounds B), so both meet the same
# machine. An INLET_POLL_BENCH hook for bench/imap.sh; each round's wall and CPU time (user +
# system, from /usr/bin/time) is appended to AB_LOG.
#
#   cp .build/release/inlet /tmp/inlet-before      # … change, swift build -c release …
#   AB_A=/tmp/inlet-before AB_B=.build/release/inlet AB_LOG=/tmp/ab.log \
#     INLET_POLL_BENCH=bench/imap_poll_ab.sh ROUNDS=10 PEER_ROUNDS=0 BENCH_SKIP_BUILD=1 \
#     bench/imap.sh
#   bench/imap_poll_ab.sh --summary /tmp/ab.log   # medians per binary
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${1:-} == --summary ]]; then
  python3 - "$2" <<'PY'
import statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    tag, letters, _bytes, seconds, cpu = line.split()
    rounds.setdefault(tag, []).append((int(letters), float(seconds), float(cpu)))
for tag, runs in sorted(rounds.items()):
    wall = statistics.median(r[1] for r in runs)
    print(f"{tag}  {len(runs)} rounds  median {wall:.3f} s ({runs[0][0] / wall:,.0f} letters/s)"
          f"  median CPU {statistics.median(r[2] for r in runs):.2f} s"
          f"  walls {' '.join(f'{r[1]:.2f}' for r in runs)}")
PY
  exit 0
fi
: "${AB_A:?the first binary}" "${AB_B:?the second binary}" "${AB_LOG:?a log file}"
round=${4##*-}
if ((round % 2)); then tag=A bin=$AB_A; else tag=B bin=$AB_B; fi
times=$(mktemp)
line=$(BENCH_INLET_BIN=$bin BENCH_WRAP="/usr/bin/time -o $times -f %U+%S" "$here/imap_poll.sh" "$@")
cpu=$(python3 -c "print(f'{$(cat "$times"):.2f}')")
rm -f "$times"
# The log: tag, letters, bytes, seconds, CPU seconds.
set -- $line
echo "$tag $2 $4 $3 $cpu" >>"$AB_LOG"
echo "$line"
