#!/usr/bin/env bash
# bench/webhook.sh — how much does a durable inlet webhook cost compared with
# the HTTP stack underneath it?
#
#   (a) daemon  inlet, answering only after the SQLite commit:
#               generic  `POST /hooks/site` (generic channel, bearer token) → 201 {"id":…}
#               mango    `POST /hooks/mango/events/summary` (mango-office channel,
#                        signed form) → 200 {}
#   (b) bare    Hummingbird 2 handler that collects the body and answers 204
#               (bench/bare-hummingbird)
#   (h) hop     optional (BENCH_TARGETS="daemon hop bare"): the same handler, but
#               its answer waits for a do-nothing serial queue, as a durable
#               answer waits for the SQLite writer, and is 201 {"id":…} —
#               what the stack costs before any work of inlet's own
#   (c) nginx   nginx-light, one worker, `return 204;`
#
# All three run side by side on 127.0.0.1 and are loaded with the same wrk
# script in rounds, alternating a→b→c, so the ratios come from one run on one
# machine state. The scenario picks the requests:
#   generic  bench/webhook.lua: a distinct ~300-byte JSON lead + Idempotency-Key
#            per request
#   mango    bench/mango.lua: a distinct signed Mango Office `events/summary` per
#            request, from a pool bench/gen_mango.py makes before each wrk run
# See bench/README.md.
#
# Environment:
#   BENCH_SCENARIO     generic (default) or mango
#   BENCH_DURATION     wrk duration per run (default 10s; 30, 30s, 1m are valid)
#   BENCH_CONNECTIONS  wrk connections (default 32 generic, 64 mango)
#   BENCH_ROUNDS       rounds of a→b→c (default 3)
#   BENCH_WARMUP       warm-up run per target before round 1 (default 2s, 0 = none)
#   BENCH_TARGETS      subset/order of "daemon bare nginx" (default: all three; "hop"
#                      may be added)
#   BENCH_SKIP_BUILD   1 = use existing release binaries, do not run swift build
#   BENCH_INLET_BIN    daemon binary to use instead of building .build/release/inlet
#   BENCH_BARE_BIN     bare binary to use instead of building bench/.build-bare/release/bare
#   BENCH_KEEP_TMP     1 = keep the temp dir (config, database, logs) afterwards
#   BENCH_MANGO_RATE   mango: req/s a target's first pool is sized for (default 300000)
#   BENCH_MANGO_HEADROOM  mango: later pools hold duration × this × the best req/s the
#                      target has shown so far (default 1.5)
set -euo pipefail

BENCH_SCENARIO=${BENCH_SCENARIO:-generic}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-} # default per scenario, below
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_WARMUP=${BENCH_WARMUP:-2s}
BENCH_TARGETS=${BENCH_TARGETS:-daemon bare nginx}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_KEEP_TMP=${BENCH_KEEP_TMP:-0}
BENCH_MANGO_RATE=${BENCH_MANGO_RATE:-300000}
BENCH_MANGO_HEADROOM=${BENCH_MANGO_HEADROOM:-1.5}
WRK_THREADS=1

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
BARE_PKG="$SCRIPT_DIR/bare-hummingbird"
BARE_SCRATCH="$SCRIPT_DIR/.build-bare"
OUT_DIR="$SCRIPT_DIR/out"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ----------------------------------------------------------------- scenario --
# What the daemon is sent. Besides these settings, the scenario decides
# channel_yaml, probe_args and the pool handling in run_wrk below.
case $BENCH_SCENARIO in
  generic)
    BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
    LUA="$SCRIPT_DIR/webhook.lua"
    CHANNEL=site
    HOOK_PATH=/hooks/site
    CONTENT_TYPE=application/json
    DAEMON_STATUS=201
    REPORT_TITLE="inlet webhook benchmark"
    REPORT_NAME=webhook
    BODY_DESC="JSON lead + Idempotency-Key"
    TARGET_RATIO="" TARGET_P99_MS="" # no stated target
    ;;
  mango)
    BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
    LUA="$SCRIPT_DIR/mango.lua"
    CHANNEL=mango
    HOOK_PATH=/hooks/mango/events/summary
    CONTENT_TYPE=application/x-www-form-urlencoded
    DAEMON_STATUS=200
    REPORT_TITLE="inlet telephony benchmark (Mango Office events/summary)"
    REPORT_NAME=mango
    BODY_DESC="signed Mango \`events/summary\` form (own entry_id and caller)"
    TARGET_RATIO=0.8 TARGET_P99_MS=10 # issue "Telephony channel"
    ;;
  *) die "unknown BENCH_SCENARIO '$BENCH_SCENARIO' (generic or mango)" ;;
esac

# ---------------------------------------------------------------- arguments --

# "10s" / "10" / "2m" / "1h" -> seconds
duration_seconds() {
  local d=$1
  [[ $d =~ ^([0-9]+)([smh]?)$ ]] || die "bad duration '$d' (want e.g. 10s, 30, 1m)"
  local n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
  case $unit in
    m) echo $((n * 60)) ;;
    h) echo $((n * 3600)) ;;
    *) echo "$n" ;;
  esac
}

DURATION_S=$(duration_seconds "$BENCH_DURATION")
WARMUP_S=$(duration_seconds "$BENCH_WARMUP")
((DURATION_S > 0)) || die "BENCH_DURATION must be > 0"
if ! [[ $BENCH_CONNECTIONS =~ ^[0-9]+$ ]] || ((BENCH_CONNECTIONS < WRK_THREADS)); then
  die "BENCH_CONNECTIONS must be an integer >= $WRK_THREADS"
fi
if ! [[ $BENCH_ROUNDS =~ ^[0-9]+$ ]] || ((BENCH_ROUNDS < 1)); then
  die "BENCH_ROUNDS must be an integer >= 1"
fi
if ! [[ $BENCH_MANGO_RATE =~ ^[0-9]+$ ]] || ((BENCH_MANGO_RATE < 1)); then
  die "BENCH_MANGO_RATE must be an integer >= 1"
fi
[[ $BENCH_MANGO_HEADROOM =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_MANGO_HEADROOM must be a number, e.g. 2 or 1.5"

read -r -a TARGETS <<<"$BENCH_TARGETS"
((${#TARGETS[@]} > 0)) || die "BENCH_TARGETS is empty"
for t in "${TARGETS[@]}"; do
  case $t in daemon | bare | hop | nginx) ;; *) die "unknown target '$t' in BENCH_TARGETS" ;; esac
done
has_target() {
  local t
  for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
  return 1
}

# ------------------------------------------------------------ cleanup trap --

TMP=$(mktemp -d "${TMPDIR:-/tmp}/inlet-bench.XXXXXX")
PIDS=()

stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for 5s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ $BENCH_KEEP_TMP == 1 ]]; then
    log "kept temp dir $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------ dependencies --

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root (or sudo) to run: $*"
  fi
}

have_nginx() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }
nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if has_target nginx && ! have_nginx && ! dpkg -s nginx-light >/dev/null 2>&1; then
  missing+=(nginx-light)
fi
if has_target daemon && ! command -v sqlite3 >/dev/null; then missing+=(sqlite3); fi
if [[ $BENCH_SCENARIO == mango ]] && ! command -v python3 >/dev/null; then missing+=(python3); fi
if ((${#missing[@]} > 0)); then
  log "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
has_target nginx && ! have_nginx && die "nginx not found after installing nginx-light"

# ------------------------------------------------------------------- build --

if [[ $BENCH_SKIP_BUILD != 1 ]] && { has_target daemon || has_target bare || has_target hop; }; then
  command -v swift >/dev/null || die "swift not in PATH"
fi

INLET_BIN=${BENCH_INLET_BIN:-$REPO/.build/release/inlet}
BARE_BIN=${BENCH_BARE_BIN:-$BARE_SCRATCH/release/bare}
if has_target daemon; then
  if [[ $BENCH_SKIP_BUILD != 1 && -z ${BENCH_INLET_BIN:-} ]]; then
    log "building inlet (release)"
    (cd "$REPO" && swift build -c release --product inlet)
  fi
  [[ -x $INLET_BIN ]] || die "no daemon binary at $INLET_BIN"
fi
if has_target bare || has_target hop; then
  if [[ $BENCH_SKIP_BUILD != 1 && -z ${BENCH_BARE_BIN:-} ]]; then
    log "building bench/bare-hummingbird (release, scratch ${BARE_SCRATCH#"$REPO"/})"
    swift build -c release --package-path "$BARE_PKG" --scratch-path "$BARE_SCRATCH" --product bare
  fi
  [[ -x $BARE_BIN ]] || die "no bare binary at $BARE_BIN"
fi

# --------------------------------------------------------------- utilities --

USED_PORTS=" "
free_port() {
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]]; then
      USED_PORTS+="$p "
      echo "$p"
      return 0
    fi
  done
  die "could not find a free port"
}

# wait_http NAME PID METHOD URL EXPECTED_CODE LOGFILE  (30 s max)
wait_http() {
  local name=$1 pid=$2 method=$3 url=$4 want=$5 logfile=$6 code i
  for ((i = 0; i < 300; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during startup; last log lines:"
      tail -n 30 "$logfile" >&2 || true
      die "$name did not start"
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X "$method" "$url" 2>/dev/null) || true
    [[ $code == "$want" ]] && return 0
    sleep 0.1
  done
  log "$name: $method $url never answered $want (last: ${code:-none}); last log lines:"
  tail -n 30 "$logfile" >&2 || true
  die "$name not ready"
}

# median of numbers on stdin ("" if none)
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit
    if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
    else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2
  }'
}

# ratio A B -> "0.42" or "–"
ratio() {
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) { printf "–"; exit }
    r = a / b
    printf (r >= 0.1 ? "%.2f" : "%.2g"), r
  }'
}

# Sum of all samples of a Prometheus metric (any labels) from URL; "" if absent.
metric_sum() {
  local url=$1 name=$2
  curl -s --max-time 5 "$url" 2>/dev/null | awk -v name="$name" '
    index($0, name) == 1 {
      rest = substr($0, length(name) + 1)
      if (rest !~ /^[ {]/) next
      if (substr(rest, 1, 1) == "{") sub(/^.*\}/, "", rest)
      split(rest, f, " ")
      sum += f[1]; found = 1
    }
    END { if (found) printf "%.0f", sum }' || true
}

raw_items_count() {
  sqlite3 -cmd '.timeout 10000' "$DB" "SELECT count(*) FROM raw_items WHERE channel = '$CHANNEL';" 2>/dev/null || echo ""
}

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
TOKEN=$(random_hex 24)
# Short random run id: keys only need to be unique within this run (fresh database).
RUN_ID=$(printf '%04x' "$RANDOM")

# The body bench/webhook.lua sends, for request id N (keep the two in sync).
lead_body() {
  printf '{"name":"Анна Петрова","phone":"+7 912 345-67-89","email":"anna.petrova+%s@example.ru","message":"Здравствуйте! Нужна консультация, заявка %s","utm_source":"yandex","utm_medium":"cpc","utm_campaign":"spring_sale","utm_content":"banner_1"}' "$1" "$1"
}

# mango: the VPBX's key and salt, which the daemon reads as channel secrets.
if [[ $BENCH_SCENARIO == mango ]]; then
  random_hex 16 >"$TMP/mango-key"
  random_hex 24 >"$TMP/mango-salt"
  chmod 600 "$TMP/mango-key" "$TMP/mango-salt"
fi

# channel_yaml -> the daemon's `channels:` entry (secret files next to the config)
channel_yaml() {
  case $BENCH_SCENARIO in
    generic) printf '  - name: site\n    definition: generic\n    token_file: site-token\n' ;;
    mango) printf '  - name: mango\n    definition: mango-office\n    secrets:\n%s\n%s\n' \
      '      api_key_file: mango-key' '      api_salt_file: mango-salt' ;;
  esac
}

# make_pool TARGET RUN COUNT -> path of $TMP/pool-TARGET-RUN: COUNT signed
# bodies, one a line, with entry_ids (run id, target initial, RUN, counter)
# that no other pool of this database has.
make_pool() {
  local pool="$TMP/pool-$1-$2"
  python3 "$SCRIPT_DIR/gen_mango.py" --key-file "$TMP/mango-key" --salt-file "$TMP/mango-salt" \
    --prefix "${RUN_ID}${1:0:1}${2}n" --count "$3" "$pool" || die "gen_mango.py failed"
  echo "$pool"
}

# Best req/s each target has shown so far (warm-up included).
declare -A RATE_SEEN=()
# pool_count TARGET SECONDS -> bodies for SECONDS of load on TARGET: at
# BENCH_MANGO_RATE for its first run, then HEADROOM × its best rate.
pool_count() {
  awk -v seen="${RATE_SEEN[$1]:-}" -v first="$BENCH_MANGO_RATE" -v h="$BENCH_MANGO_HEADROOM" -v s="$2" \
    'BEGIN { r = (seen == "" ? first : seen * h); printf "%d", r * s + 1000 }'
}

# probe_args TARGET -> PROBE_ARGS: curl arguments (headers besides
# Content-Type, then the body) for one request of the benchmark's shape.
probe_args() {
  local n="$RUN_ID-${1:0:1}p-1-1"
  case $BENCH_SCENARIO in
    generic)
      PROBE_ARGS=(-H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: bench-$n" --data-binary "$(lead_body "$n")")
      ;;
    mango)
      PROBE_ARGS=(--data-binary "$(head -n 1 "$(make_pool "$1" p 1)")")
      BODY_BYTES=$(printf '%s' "${PROBE_ARGS[-1]}" | wc -c)
      ;;
  esac
}
BODY_BYTES=$(lead_body "$RUN_ID-d1-1-100000" | wc -c) # mango: set by probe_args

# ------------------------------------------------------------------ start --

declare -A URL=() LABEL=()
# Backticks below are Markdown code spans, not command substitution.
# shellcheck disable=SC2016
{
  LABEL[daemon]='(a) inlet `POST '"$HOOK_PATH"'` → '"$DAEMON_STATUS"' after SQLite commit'
  LABEL[bare]='(b) bare Hummingbird 2, collect body → 204'
  LABEL[hop]='(h) bare + a wait for a do-nothing writer queue → 201 `{"id":…}`'
  LABEL[nginx]='(c) nginx-light, 1 worker, `return 204`'
}

DB="$TMP/bench.sqlite"
DAEMON_PORT=""
if has_target daemon; then
  DAEMON_PORT=$(free_port)
  printf '%s\n' "$TOKEN" >"$TMP/site-token"
  chmod 600 "$TMP/site-token"
  cat >"$TMP/inlet.yaml" <<EOF
database:
  path: $DB
channels_dir: $REPO/channels
http:
  host: 127.0.0.1
  port: $DAEMON_PORT
channels:
$(channel_yaml)
EOF
  log "starting inlet on 127.0.0.1:$DAEMON_PORT"
  "$INLET_BIN" serve --config "$TMP/inlet.yaml" >"$TMP/inlet.log" 2>&1 &
  PIDS+=("$!")
  wait_http inlet "$!" GET "http://127.0.0.1:$DAEMON_PORT/health/ready" 200 "$TMP/inlet.log"
  URL[daemon]="http://127.0.0.1:$DAEMON_PORT$HOOK_PATH"
fi

if has_target bare; then
  port=$(free_port)
  log "starting bare Hummingbird on 127.0.0.1:$port"
  "$BARE_BIN" --port "$port" >"$TMP/bare.log" 2>&1 &
  PIDS+=("$!")
  wait_http bare "$!" POST "http://127.0.0.1:$port$HOOK_PATH" 204 "$TMP/bare.log"
  URL[bare]="http://127.0.0.1:$port$HOOK_PATH"
fi

if has_target hop; then
  port=$(free_port)
  log "starting bare Hummingbird --hop on 127.0.0.1:$port"
  "$BARE_BIN" --port "$port" --hop >"$TMP/hop.log" 2>&1 &
  PIDS+=("$!")
  wait_http hop "$!" POST "http://127.0.0.1:$port$HOOK_PATH" 201 "$TMP/hop.log"
  URL[hop]="http://127.0.0.1:$port$HOOK_PATH"
fi

if has_target nginx; then
  port=$(free_port)
  mkdir -p "$TMP/nginx/logs"
  cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    # wrk keeps its connections open; Hummingbird has no per-connection request
    # cap, so lift nginx's default of 1000 to compare like with like.
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$port;
        location / {
            return 204;
        }
    }
}
EOF
  log "starting nginx on 127.0.0.1:$port"
  "$(nginx_bin)" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx/" -g 'daemon off;' >"$TMP/nginx/stdout.log" 2>&1 &
  PIDS+=("$!")
  wait_http nginx "$!" GET "http://127.0.0.1:$port/" 204 "$TMP/nginx/stdout.log"
  URL[nginx]="http://127.0.0.1:$port$HOOK_PATH"
fi

# One request with exactly the benchmark's shape, so a misconfiguration (bad
# token, missing channel) fails loudly here instead of as 100 % non-2xx.
for t in "${TARGETS[@]}"; do
  case $t in daemon) want=$DAEMON_STATUS ;; hop) want=201 ;; *) want=204 ;; esac
  probe_args "$t"
  resp=$(curl -s --max-time 10 -o "$TMP/probe-$t.out" -w '%{http_code}' -X POST \
    -H "Content-Type: $CONTENT_TYPE" "${PROBE_ARGS[@]}" "${URL[$t]}") || true
  if [[ $resp != "$want" ]]; then
    log "$t: probe POST ${URL[$t]} answered '${resp:-no response}', expected $want:"
    head -c 500 "$TMP/probe-$t.out" >&2 || true
    echo >&2
    [[ $t == daemon ]] && tail -n 30 "$TMP/inlet.log" >&2
    die "$t probe failed"
  fi
  if [[ $t == daemon && $BENCH_SCENARIO == generic ]] && ! grep -q '"id"' "$TMP/probe-$t.out"; then
    die "daemon answered 201 without an \"id\": $(head -c 200 "$TMP/probe-$t.out")"
  fi
done
log "probe requests OK"

# -------------------------------------------------------------------- load --

RESULTS="$TMP/results.tsv" # target round rps p99_ms requests non2xx seconds sockerr
: >"$RESULTS"

# run_wrk TARGET ROUND DURATION -> raw wrk output in $TMP/wrk-TARGET-ROUND.txt
run_wrk() {
  local t=$1 round=$2 dur=$3 out="$TMP/wrk-$1-$2.txt" secs pool="" rps
  secs=$(duration_seconds "$dur")
  if [[ $BENCH_SCENARIO == mango ]]; then
    # A fresh pool per run, loaded by mango.lua's init() before wrk's clock starts.
    pool=$(make_pool "$t" "${round/warmup/w}" "$(pool_count "$t" "$secs")")
  fi
  # generic: Idempotency keys <run>-<target initial><round|w>-<wrk thread>-<counter>
  BENCH_TOKEN="$TOKEN" BENCH_RUN_ID="$RUN_ID-${t:0:1}${round/warmup/w}" \
    BENCH_POOL="$pool" BENCH_THREADS="$WRK_THREADS" \
    timeout --kill-after=5 "$((secs + 60))" \
    wrk -t"$WRK_THREADS" -c"$BENCH_CONNECTIONS" -d"$dur" --latency -s "$LUA" "${URL[$t]}" >"$out" 2>&1 || {
    cat "$out" >&2
    grep -q '^mango.lua: .* used all' "$out" &&
      log "the pool was too small for $t: raise BENCH_MANGO_RATE (first run) or BENCH_MANGO_HEADROOM"
    die "wrk against $t failed (round $round)"
  }
  if [[ -n $pool ]]; then
    rm -f "$pool"
    rps=$(awk '/Requests\/sec:/ { print $2 }' "$out")
    RATE_SEEN[$t]=$(awk -v a="$rps" -v b="${RATE_SEEN[$t]:-0}" 'BEGIN { print (a + 0 > b + 0 ? a : b) }')
  fi
}

# parse_wrk FILE -> "rps p99_ms requests non2xx seconds sockerr"
parse_wrk() {
  awk '
    function to_ms(v) {
      if (v ~ /us$/) return (v + 0) / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/)  return (v + 0) * 1000
      if (v ~ /m$/)  return (v + 0) * 60000
      if (v ~ /h$/)  return (v + 0) * 3600000
      return v + 0
    }
    /Requests\/sec:/            { rps = $2 }
    / requests in /             { reqs = $1; d = $4; sub(/,$/, "", d); secs = to_ms(d) / 1000 }
    /^ *99% /                   { p99 = to_ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/            { gsub(/,/, ""); sockerr = $4 + $6 + $8 + $10 }
    END {
      if (rps == "" || reqs == "") exit 1
      printf "%s %.3f %d %d %.2f %d\n", rps, p99, reqs, non2xx + 0, secs, sockerr + 0
    }' "$1"
}

per_run=$(((BENCH_ROUNDS * DURATION_S + WARMUP_S) * ${#TARGETS[@]}))
log "load: wrk -t$WRK_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency, $BENCH_ROUNDS round(s) of: ${TARGETS[*]} (~${per_run}s)"

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if ((WARMUP_S > 0)); then
  for t in "${TARGETS[@]}"; do
    log "warm-up $t ($BENCH_WARMUP)"
    run_wrk "$t" warmup "$BENCH_WARMUP"
  done
  sleep 0.5
fi

ROWS_BEFORE="" COMMITS_BEFORE=""
if has_target daemon; then
  ROWS_BEFORE=$(raw_items_count)
  COMMITS_BEFORE=$(metric_sum "http://127.0.0.1:$DAEMON_PORT/metrics" inlet_store_commits_total)
fi

for ((round = 1; round <= BENCH_ROUNDS; round++)); do
  for t in "${TARGETS[@]}"; do
    run_wrk "$t" "$round" "$BENCH_DURATION"
    parsed=$(parse_wrk "$TMP/wrk-$t-$round.txt") || {
      cat "$TMP/wrk-$t-$round.txt" >&2
      die "could not parse wrk output for $t round $round"
    }
    printf '%s %s %s\n' "$t" "$round" "$parsed" >>"$RESULTS"
    read -r rps p99 reqs non2xx secs sockerr <<<"$parsed"
    log "round $round/$BENCH_ROUNDS $t: $rps req/s, p99 ${p99} ms, $reqs requests in ${secs}s, $non2xx non-2xx, $sockerr socket errors"
  done
done

# ----------------------------------------------------------------- results --

col() { # col TARGET FIELD -> values of FIELD (3=rps 4=p99 ...) for TARGET
  awk -v t="$1" -v f="$2" '$1 == t { print $f }' "$RESULTS"
}
total() { col "$1" "$2" | awk '{ s += $1 } END { printf "%.2f", s + 0 }'; }

declare -A RPS=() P99=() NON2XX=() SOCKERR=()
for t in "${TARGETS[@]}"; do
  RPS[$t]=$(col "$t" 3 | median)
  P99[$t]=$(col "$t" 4 | median)
  NON2XX[$t]=$(total "$t" 6 | cut -d. -f1)
  SOCKERR[$t]=$(total "$t" 8 | cut -d. -f1)
done

fmt_int() { awk -v v="${1:-}" 'BEGIN { if (v == "") printf "–"; else printf "%.0f", v }'; }

STAMP=$(date +%Y%m%d-%H%M%S)
DURABILITY_FAILED=0
REPORT="$TMP/report.md"
{
  echo "# $REPORT_TITLE — $(date '+%Y-%m-%d %H:%M:%S %Z')"
  echo
  echo "- host: $(uname -srm), $(nproc) cores; $(swift --version 2>/dev/null | head -n 1 || echo 'swift ?')"
  echo "- load: \`wrk -t$WRK_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION --latency -s bench/${LUA##*/}\`," \
    "$BENCH_ROUNDS round(s) alternating ${TARGETS[*]}, warm-up $BENCH_WARMUP each;" \
    "every request a distinct ~${BODY_BYTES}-byte $BODY_DESC"
  echo "- $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)$(has_target nginx && echo "; $("$(nginx_bin)" -v 2>&1)")"
  echo "- load average (1/5/15 min) before the load: $LOADAVG_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)" \
    "(above ~1 before means something else shares the cores)"
  echo
  echo "| target | req/s (median) | p99 ms (median) | non-2xx | socket errors | ÷ bare | ÷ nginx |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "$(fmt_int "${RPS[$t]}")" \
      "${P99[$t]}" "${NON2XX[$t]}" "${SOCKERR[$t]}" \
      "$(ratio "${RPS[$t]}" "${RPS[bare]:-}")" "$(ratio "${RPS[$t]}" "${RPS[nginx]:-}")"
  done
  echo
  echo "Throughput ratios (median req/s):" \
    "daemon/bare **$(ratio "${RPS[daemon]:-}" "${RPS[bare]:-}")**," \
    "daemon/nginx **$(ratio "${RPS[daemon]:-}" "${RPS[nginx]:-}")**," \
    "bare/nginx **$(ratio "${RPS[bare]:-}" "${RPS[nginx]:-}")**"
  if has_target hop; then
    echo
    echo "With the wait for a writer thread that does nothing (hop): hop/bare" \
      "**$(ratio "${RPS[hop]:-}" "${RPS[bare]:-}")**, daemon/hop **$(ratio "${RPS[daemon]:-}" "${RPS[hop]:-}")**"
  fi

  durable=""
  if has_target daemon; then
    rows_after=$(raw_items_count)
    commits_after=$(metric_sum "http://127.0.0.1:$DAEMON_PORT/metrics" inlet_store_commits_total)
    ok_2xx=$(awk -v t=daemon '$1 == t { s += $5 - $6 } END { printf "%d", s }' "$RESULTS")
    daemon_secs=$(total daemon 7)
    echo
    echo "## Durability (daemon, measured rounds only)"
    echo
    echo "- 2xx responses reported by wrk: $ok_2xx in ${daemon_secs}s"
    if [[ -n $ROWS_BEFORE && -n $rows_after ]]; then
      rows=$((rows_after - ROWS_BEFORE))
      if ((rows >= ok_2xx)); then
        durable=yes
      else
        durable="**NO — $((ok_2xx - rows)) acknowledged leads missing**"
        DURABILITY_FAILED=1
      fi
      if ((rows >= ok_2xx)); then
        echo "- new rows in \`raw_items\` for channel \`$CHANNEL\`: $rows (+$((rows - ok_2xx)) over 2xx: committed, but wrk stopped before reading the response)"
      else
        echo "- new rows in \`raw_items\` for channel \`$CHANNEL\`: $rows"
      fi
      echo "- every 2xx durable (rows ≥ 2xx): $durable"
      echo "- SQLite commits/s (rows ÷ daemon seconds): $(awk -v r="$rows" -v s="$daemon_secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')"
      if [[ -n $COMMITS_BEFORE && -n $commits_after ]]; then
        tx=$((commits_after - COMMITS_BEFORE))
        echo "- \`inlet_store_commits_total\` (counter now $commits_after): $tx transactions in the measured rounds" \
          "($(awk -v x="$tx" -v s="$daemon_secs" 'BEGIN { printf "%.0f", (s > 0 ? x / s : 0) }')/s," \
          "$(awk -v r="$rows" -v x="$tx" 'BEGIN { if (x > 0) printf "%.1f", r / x; else printf "–" }') rows per transaction)"
      else
        echo "- \`inlet_store_commits_total\`: not exported on /metrics"
      fi
    else
      echo "- could not count \`raw_items\` in $DB (sqlite3 failed); durability not checked"
    fi
  fi

  if [[ -n $TARGET_RATIO ]] && has_target daemon && has_target bare; then
    r=$(ratio "${RPS[daemon]}" "${RPS[bare]}")
    echo
    echo "## Target: daemon/bare ≥ $TARGET_RATIO, p99 ≤ $TARGET_P99_MS ms at $BENCH_CONNECTIONS connections, every 2xx durable"
    echo
    echo "- daemon/bare $r: $(awk -v r="$r" -v t="$TARGET_RATIO" 'BEGIN { print (r + 0 >= t + 0 ? "met" : "**missed**") }')"
    echo "- daemon p99 ${P99[daemon]} ms: $(awk -v p="${P99[daemon]}" -v t="$TARGET_P99_MS" 'BEGIN { print (p + 0 <= t + 0 ? "met" : "**missed**") }')"
    echo "- every 2xx durable: ${durable:-not checked}"
  fi

  echo
  echo "## Per round"
  echo
  echo "| round | target | req/s | p99 ms | requests | non-2xx | seconds | socket errors |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|"
  awk '{ printf "| %s | %s | %.0f | %s | %s | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7, $8 }' "$RESULTS"
} >"$REPORT"

mkdir -p "$OUT_DIR"
cp "$REPORT" "$OUT_DIR/$REPORT_NAME-$STAMP.md"
echo
cat "$REPORT"
echo
log "written to ${OUT_DIR#"$REPO"/}/$REPORT_NAME-$STAMP.md"

# A lead that got a 2xx but is not in the database is a bug, not a slow run.
if [[ $DURABILITY_FAILED == 1 ]]; then
  log "FAILED: some 2xx responses have no row in raw_items"
  exit 2
fi
