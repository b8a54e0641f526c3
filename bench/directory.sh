#!/usr/bin/env bash
# bench/directory.sh — how fast does the client directory load, and what does matching cost?
#
# Generates (bench/gen_directory.py) a directory of 300,000 clients, 1,000,000 contacts and
# 100,000 interests as 1C-style `;` CSV, and 100,000 inquiry senders. In one run, on one
# machine state:
#   import   `inlet directory import` of clients and contacts (rows/s, wall clock including
#            start-up, parsing, normalising, indexing, fsync) against the sqlite3 shell's
#            `.import` of the same CSV files into tables indexed on what matching looks up
#            (the ceiling: no parsing of lists, no normalisation);
#   match    per-inquiry matching latency (`inlet directory bench-match`: every criterion,
#            open interests, outcome) against one indexed SQLite point lookup per inquiry
#            in the same process and transaction (the floor);
#   rss      the daemon's resident memory after start-up on the loaded database and 2,000
#            matched webhook leads.
#
# Environment:
#   BENCH_CLIENTS / BENCH_CONTACTS / BENCH_INTERESTS / BENCH_INQUIRIES   sizes
#   BENCH_SKIP_BUILD   1 = use the existing .build/release/inlet
#   BENCH_INLET_BIN    binary to use instead of .build/release/inlet
#   BENCH_KEEP_TMP     1 = keep the temp dir afterwards
set -euo pipefail

BENCH_CLIENTS=${BENCH_CLIENTS:-300000}
BENCH_CONTACTS=${BENCH_CONTACTS:-1000000}
BENCH_INTERESTS=${BENCH_INTERESTS:-100000}
BENCH_INQUIRIES=${BENCH_INQUIRIES:-100000}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_KEEP_TMP=${BENCH_KEEP_TMP:-0}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
OUT_DIR="$SCRIPT_DIR/out"
INLET=${BENCH_INLET_BIN:-$REPO/.build/release/inlet}

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

command -v sqlite3 >/dev/null || die "sqlite3 is needed (apt-get install sqlite3)"
command -v python3 >/dev/null || die "python3 is needed"
if [[ $BENCH_SKIP_BUILD != 1 && -z ${BENCH_INLET_BIN:-} ]]; then
  log "building the release binary"
  (cd "$REPO" && swift build -c release --product inlet >&2)
fi
[[ -x $INLET ]] || die "no binary at $INLET"

TMP=$(mktemp -d /tmp/inlet-dirbench.XXXXXX)
DAEMON_PID=
cleanup() {
  if [[ -n $DAEMON_PID ]]; then kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi
  if [[ $BENCH_KEEP_TMP == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(int(int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))" "$@"; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$@"; }

log "generating $BENCH_CLIENTS clients, $BENCH_CONTACTS contacts, $BENCH_INTERESTS interests, $BENCH_INQUIRIES inquiries"
python3 "$SCRIPT_DIR/gen_directory.py" "$TMP/data" "$BENCH_CLIENTS" "$BENCH_CONTACTS" \
  "$BENCH_INTERESTS" "$BENCH_INQUIRIES"
ROWS=$((BENCH_CLIENTS + BENCH_CONTACTS))

# --------------------------------------------------------------- ceiling --
log "sqlite3 .import (ceiling)"
cat >"$TMP/ceiling.sql" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE clients (id TEXT PRIMARY KEY, name TEXT, inn TEXT, kpp TEXT, domains TEXT,
  emails TEXT, phones TEXT, potential TEXT);
CREATE INDEX clients_inn ON clients (inn);
CREATE INDEX clients_domains ON clients (domains);
CREATE INDEX clients_phones ON clients (phones);
CREATE TABLE contacts (id TEXT PRIMARY KEY, client_id TEXT, name TEXT, emails TEXT,
  phones TEXT, messengers TEXT);
CREATE INDEX contacts_client ON contacts (client_id);
CREATE INDEX contacts_emails ON contacts (emails);
CREATE INDEX contacts_phones ON contacts (phones);
.mode csv
.separator ;
.import --skip 1 $TMP/data/clients.csv clients
.import --skip 1 $TMP/data/contacts.csv contacts
SQL
# Each timed step starts with nothing left to write back from the one before (the generated
# files, the other database): otherwise the kernel's write-back of those slows whichever runs next.
sync
t0=$(now)
sqlite3 "$TMP/ceiling.sqlite" <"$TMP/ceiling.sql" >/dev/null
t1=$(now)
CEIL_ROWS=$(sqlite3 "$TMP/ceiling.sqlite" "SELECT (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM contacts)")
[[ $CEIL_ROWS == "$ROWS" ]] || die "sqlite3 imported $CEIL_ROWS rows, expected $ROWS"
CEIL_RATE=$(rate "$ROWS" "$t0" "$t1")
CEIL_SECS=$(secs "$t0" "$t1")

# ---------------------------------------------------------------- inlet --
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$TMP/credentials"
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$TMP/credentials/site-token"
cat >"$TMP/inlet.yaml" <<YAML
database:
  path: $TMP/inlet.sqlite
channels_dir: $REPO/channels
secrets_dir: credentials
http: { host: 127.0.0.1, port: $PORT }
logging: { level: warning }
channels:
  - { name: site, definition: generic, token_file: site-token }
YAML

log "inlet directory import (clients, contacts)"
sync
t0=$(now)
"$INLET" directory import --quiet --config "$TMP/inlet.yaml" --kind clients "$TMP/data/clients.csv" >&2
t1=$(now)
"$INLET" directory import --quiet --config "$TMP/inlet.yaml" --kind contacts "$TMP/data/contacts.csv" >&2
t2=$(now)
"$INLET" directory import --quiet --config "$TMP/inlet.yaml" --kind interests "$TMP/data/interests.csv" >&2
INLET_ROWS=$(sqlite3 "$TMP/inlet.sqlite" "SELECT (SELECT COUNT(*) FROM clients) + (SELECT COUNT(*) FROM contacts)")
[[ $INLET_ROWS == "$ROWS" ]] || die "inlet imported $INLET_ROWS rows, expected $ROWS"
KEYS=$(sqlite3 "$TMP/inlet.sqlite" "SELECT COUNT(*) FROM directory_keys")
INLET_RATE=$(rate "$ROWS" "$t0" "$t2")
INLET_SECS=$(secs "$t0" "$t2")
CLIENT_RATE=$(rate "$BENCH_CLIENTS" "$t0" "$t1")
CONTACT_RATE=$(rate "$BENCH_CONTACTS" "$t1" "$t2")

log "matching $BENCH_INQUIRIES inquiries"
MATCH_JSON=$("$INLET" directory bench-match --config "$TMP/inlet.yaml" "$TMP/data/inquiries.jsonl")

log "daemon RSS"
"$INLET" serve --config "$TMP/inlet.yaml" >"$TMP/daemon.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 200); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.05
done
RSS_START=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
python3 - "$PORT" "$TMP/credentials/site-token" "$TMP/data/inquiries.jsonl" <<'PY'
import http.client, json, sys
port, token = int(sys.argv[1]), open(sys.argv[2]).read().strip()
conn = http.client.HTTPConnection("127.0.0.1", port)
with open(sys.argv[3]) as f:
    for n, line in zip(range(2000), f):
        sender = json.loads(line)
        body = json.dumps({"name": "Bench", "message": "bench", **{
            {"email": "email", "phone": "phone", "inn": "инн"}[k]: v for k, v in sender.items()}})
        conn.request("POST", "/hooks/site", body, {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        r = conn.getresponse(); r.read()
        assert r.status in (200, 201), (r.status, body)
PY
RSS_AFTER=$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
OUTCOMES=$(sqlite3 "$TMP/inlet.sqlite" \
  "SELECT group_concat(a || ' ' || n, ', ') FROM (SELECT json_extract(document, '\$.match.suggested_action') a, COUNT(*) n FROM inquiry_documents GROUP BY a)")

# ---------------------------------------------------------------- report --
mkdir -p "$OUT_DIR"
REPORT="$OUT_DIR/directory-$(date -u +%Y%m%d-%H%M%S).md"
python3 - "$MATCH_JSON" >"$REPORT" <<PY
import json, sys
m = json.loads(sys.argv[1])
mu, pu = m["match_us"], m["point_lookup_us"]
print(f"""# directory benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)

Directory: $BENCH_CLIENTS clients + $BENCH_CONTACTS contacts ($ROWS rows, $KEYS keys), $BENCH_INTERESTS interests.

| import | rows | seconds | rows/s |
|---|---|---|---|
| sqlite3 \`.import\` into indexed tables (ceiling) | $ROWS | $CEIL_SECS | $CEIL_RATE |
| \`inlet directory import\` clients + contacts | $ROWS | $INLET_SECS | $INLET_RATE |
| — clients alone | $BENCH_CLIENTS | | $CLIENT_RATE |
| — contacts alone | $BENCH_CONTACTS | | $CONTACT_RATE |

| per inquiry ({m['inquiries']} inquiries), µs | p50 | p90 | p99 | max | mean |
|---|---|---|---|---|---|
| match (all criteria, interests, outcome) | {mu['p50']} | {mu['p90']} | {mu['p99']} | {mu['max']} | {mu['mean']} |
| one indexed point lookup (floor) | {pu['p50']} | {pu['p90']} | {pu['p99']} | {pu['max']} | {pu['mean']} |

Outcomes of the bench-match run: {', '.join(f'{k} {v}' for k, v in sorted(m['outcomes'].items()))}.

Daemon RSS on the loaded database: $RSS_START kB after start-up, $RSS_AFTER kB after 2,000 matched
webhook leads (outcomes: $OUTCOMES).
""")
PY
cat "$REPORT"
log "report: $REPORT"
