#!/usr/bin/env bash
# bench/imap_poll.sh — the `inlet poll` hook of bench/imap.sh: one first sync (`first_sync: all`)
# of the bench folder into a fresh database, end to end (connect, fetch, MIME normalisation,
# matching, durable SQLite commits). Called as: imap_poll.sh URL USER PASSWORD_FILE WORKDIR
# Prints: poll <letters> <seconds> <bytes>   (seconds from start to the last inquiry committed:
# `inlet poll` returns only after its last chunk's commit).
set -euo pipefail
url=$1 user=$2 password=$3 work=$4
repo=$(cd "$(dirname "$0")/.." && pwd)
inlet=${BENCH_INLET_BIN:-$repo/.build/release/inlet}
[[ -x $inlet ]] || { echo "no release binary at $inlet (swift build -c release --product inlet)" >&2; exit 1; }
mkdir -p "$work"
rm -f "$work"/inlet.sqlite*
cat >"$work/inlet.yaml" <<YAML
database: { path: $work/inlet.sqlite }
channels_dir: $repo/channels
logging: { level: warning }
mailboxes:
  - name: bench
    url: "$url"
    username: $user
    password_file: $password
    tls: none
    first_sync: all
    after_ingest: keep
YAML
start=$(date +%s.%N)
${BENCH_WRAP:-} "$inlet" poll ${BENCH_POLL_ARGS:-} --config "$work/inlet.yaml" >"$work/poll.out"
end=$(date +%s.%N)
letters=$(sqlite3 "$work/inlet.sqlite" "SELECT COUNT(*) FROM raw_items")
bytes=$(sqlite3 "$work/inlet.sqlite" "SELECT COALESCE(SUM(LENGTH(body)), 0) FROM raw_items")
echo "poll $letters $(python3 -c "print(f'{$end - $start:.3f}')") $bytes"
