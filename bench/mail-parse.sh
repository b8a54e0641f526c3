#!/usr/bin/env bash
# Mail parse-and-normalise throughput: inlet (release build) against Python's `email` package
# (default policy) doing the same extraction, over the fixture corpus replicated to LETTERS
# letters (default 10,000), in the same run. Target: inlet at least 20x Python.
#
# Each side runs ROUNDS times (default 3), alternating, and its best round counts, so that a
# burst of other work on the machine does not decide the ratio. Both wall-clock and process
# CPU time are reported.
#
#   bench/mail-parse.sh            # builds `inlet` in release first
#   INLET=path/to/inlet bench/mail-parse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
letters="${LETTERS:-10000}"
rounds="${ROUNDS:-3}"
corpus=Tests/InletMailTests/Fixtures/mail
inlet="${INLET:-}"
if [ -z "$inlet" ]; then
  swift build -c release --product inlet >&2
  inlet="$(swift build -c release --show-bin-path)/inlet"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/letters"
mapfile -t sources < <(ls "$corpus"/*.eml | sort)
for ((i = 0; i < letters; i++)); do
  source="${sources[$((i % ${#sources[@]}))]}"
  cp "$source" "$work/letters/$(printf '%05d' "$i").eml"
done
for ((round = 1; round <= rounds; round++)); do
  "$inlet" bench-mail "$work/letters" >>"$work/inlet.jsonl"
  python3 bench/mail_parse_peer.py "$work/letters" >>"$work/python.jsonl"
done
python3 - "$work/inlet.jsonl" "$work/python.jsonl" <<'PY'
import json, sys
def best(path):
    runs = [json.loads(line) for line in open(path)]
    return max(runs, key=lambda r: r["letters_per_s"]), max(runs, key=lambda r: r["letters_per_cpu_s"])
(ours, ours_cpu), (theirs, theirs_cpu) = best(sys.argv[1]), best(sys.argv[2])
print("letters: %d, %.1f MB" % (ours["letters"], ours["bytes"] / 1048576))
for name, wall, cpu in (("inlet", ours, ours_cpu), ("python", theirs, theirs_cpu)):
    print("%-7s %8.0f letters/s %7.2f MB/s (wall)   %8.0f letters/s (cpu)"
          % (name, wall["letters_per_s"], wall["mb_per_s"], cpu["letters_per_cpu_s"]))
print("ratio   %.1fx wall, %.1fx cpu (target >= 20x)" % (
    ours["letters_per_s"] / theirs["letters_per_s"],
    ours_cpu["letters_per_cpu_s"] / theirs_cpu["letters_per_cpu_s"]))
PY
