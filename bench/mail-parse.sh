#!/usr/bin/env bash
# Mail parse-and-normalise throughput: inlet (release build) against Python's `email` package
# (default policy) doing the same extraction, over the fixture corpus replicated to LETTERS
# letters (default 10,000), in the same run. Target: inlet at least 20x Python.
#
#   bench/mail-parse.sh            # builds `inlet` in release first
#   INLET=path/to/inlet bench/mail-parse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
letters="${LETTERS:-10000}"
corpus=Tests/InletMailTests/Fixtures/mail
inlet="${INLET:-}"
if [ -z "$inlet" ]; then
  swift build -c release --product inlet >&2
  inlet="$(swift build -c release --show-bin-path)/inlet"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t sources < <(ls "$corpus"/*.eml | sort)
for ((i = 0; i < letters; i++)); do
  source="${sources[$((i % ${#sources[@]}))]}"
  ln "$source" "$work/$(printf '%05d' "$i").eml" 2>/dev/null || cp "$source" "$work/$(printf '%05d' "$i").eml"
done
ours="$("$inlet" bench-mail "$work")"
theirs="$(python3 bench/mail_parse_peer.py "$work")"
echo "inlet:  $ours"
echo "python: $theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("inlet  %8.0f letters/s %7.1f MB/s" % (ours["letters_per_s"], ours["mb_per_s"]))
print("python %8.0f letters/s %7.1f MB/s" % (theirs["letters_per_s"], theirs["mb_per_s"]))
ratio = ours["letters_per_s"] / theirs["letters_per_s"]
print("ratio  %.1fx (target >= 20x)" % ratio)
PY
