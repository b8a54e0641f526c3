#!/usr/bin/env bash
# IMAP fetch benchmark against a real Dovecot on loopback, all measured in the same run:
#   raw     the ceiling: one pipelined UID FETCH 1:* (BODY.PEEK[]) through libcurl, no parsing
#           (bench/imap_raw.c)
#   client  inlet's IMAPClient.fetch (bench/imap_fetch.swift, built with swiftc -O)
#   peer    Python imaplib + email + sqlite3, one durable commit per letter (WAL,
#           synchronous=FULL), as Odoo's fetchmail commits each message (bench/imap_peer.py)
#   peer-normal  the same peer with synchronous=NORMAL: commits not flushed, so it pays for
#           parsing and SQL only (a stronger reference, reported beside the first)
#   poll    `inlet poll` end to end (bench/imap_poll.sh: a first sync into a fresh database)
# The folder: LETTERS letters of 0.5-7 KB, UTF-8 and windows-1251 bodies, written as Maildir
# files (bench/gen_imap_mail.py). Each line: letters/s and MB/s (of the folder's RFC822 bytes);
# the ratios to the ceiling and to the peer at the end (medians of ROUNDS alternating rounds).
#
#   bench/imap.sh            LETTERS=10000 ROUNDS=3 by default
#
# Hook for `inlet poll`: INLET_POLL_BENCH=path/to/script is run each round as
#   script URL USER PASSWORD_FILE WORKDIR
# and must print one line "poll <letters> <seconds> <bytes>" (time from start to the last
# inquiry committed); it is then reported like the others.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
exec > >(tee "bench/out/imap-$(date -u +%Y%m%d-%H%M%S).txt") 2>&1

LETTERS=${LETTERS:-10000}
ROUNDS=${ROUNDS:-3}
PEER_ROUNDS=${PEER_ROUNDS:-1}
BATCH=${BATCH:-500}

command -v /usr/sbin/dovecot >/dev/null || { echo "needs dovecot-imapd" >&2; exit 1; }
# `inlet poll` end to end is measured by default (INLET_POLL_BENCH= turns it off).
INLET_POLL_BENCH=${INLET_POLL_BENCH-bench/imap_poll.sh}
if [ -n "$INLET_POLL_BENCH" ] && [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product inlet >&2
fi

work=$(mktemp -d /tmp/inlet-imap-bench-XXXXXX)
chmod 755 "$work"
master=""
cleanup() {
  if [ -n "$master" ]; then
    kill -TERM "$master" 2>/dev/null || true
    sleep 0.5
    kill -KILL -- "-$master" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the ceiling (gcc) and the client (swiftc -O)"
gcc -O2 -Wall -o "$work/imap_raw" bench/imap_raw.c -lcurl
# The IMAP sources as one module, with the pieces they use beside them (InletMail's byte
# search, InletCore's CivilDate and UTF8Case).
mkdir -p "$work/imap-src"
for file in Sources/InletMail/IMAP/*.swift Sources/InletMail/MIME/String+UTF8Search.swift \
  Sources/InletCore/Values/CivilDate.swift Sources/InletCore/Values/UTF8Case.swift; do
  sed '/^import InletCore$/d' "$file" > "$work/imap-src/$(basename "$file")"
done
swiftc -O -parse-as-library -I Sources/CCurl "$work"/imap-src/*.swift \
  bench/imap_fetch.swift -o "$work/imap_fetch"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/run" "$work/state" "$work/mail/sales/Maildir"
echo 'sales:{PLAIN}secret' > "$work/users"
echo secret > "$work/password"
owner="nobody"; group="nogroup"
if [ "$(id -u)" -ne 0 ]; then owner=$(id -un); group=$(id -gn); fi
identity=""
if [ "$(id -u)" -ne 0 ]; then
  identity="default_login_user = $owner
default_internal_user = $owner"
fi
cat > "$work/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
base_dir = $work/run
state_dir = $work/state
log_path = $work/dovecot.log
mail_location = maildir:~/Maildir
first_valid_uid = 1
$identity
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $work/users
}
userdb {
  driver = static
  args = uid=$owner gid=$group home=$work/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
CONF

echo "== writing $LETTERS letters as Maildir files"
folder_bytes=$(python3 bench/gen_imap_mail.py "$work/mail/sales/Maildir" "$LETTERS")
chown -R "$owner:$group" "$work/mail"
echo "folder: $LETTERS letters, $folder_bytes bytes"

setsid /usr/sbin/dovecot -F -c "$work/dovecot.conf" >"$work/dovecot.out" 2>&1 </dev/null &
master=$!
disown "$master"
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

url="imap://127.0.0.1:$port/INBOX"
# Warm-up: Dovecot indexes the new folder on first open; nobody should pay for that.
"$work/imap_raw" "$url" sales secret "$LETTERS" >/dev/null

results="$work/results"
: > "$results"
report() {  # name letters seconds
  awk -v name="$1" -v n="$2" -v s="$3" -v b="$folder_bytes" \
    'BEGIN { printf "%-11s %6d letters %8.3f s %9.0f letters/s %8.1f MB/s\n", name, n, s, n / s, b / s / 1e6 }'
  echo "$1 $2 $3" >> "$results"
}
run() {  # name command...
  local name=$1; shift
  local line
  # What earlier rounds wrote is flushed first, so no round pays for another's write-back.
  sync
  line=$("$@")
  set -- $line
  [ "$2" -eq "$LETTERS" ] || { echo "$name fetched $2 of $LETTERS letters" >&2; exit 1; }
  report "$name" "$2" "$3"
}

echo "== $ROUNDS rounds (peer: $PEER_ROUNDS), alternating"
for round in $(seq "$ROUNDS"); do
  run raw "$work/imap_raw" "$url" sales secret "$LETTERS"
  run client "$work/imap_fetch" "$url" sales secret "$BATCH"
  if [ "$round" -le "$PEER_ROUNDS" ]; then
    rm -f "$work/peer.sqlite"*
    run peer python3 bench/imap_peer.py 127.0.0.1 "$port" sales secret "$work/peer.sqlite"
    rm -f "$work/peer.sqlite"*
    run peer-normal env SYNCHRONOUS=NORMAL \
      python3 bench/imap_peer.py 127.0.0.1 "$port" sales secret "$work/peer.sqlite"
  fi
  if [ -n "${INLET_POLL_BENCH:-}" ]; then
    # The previous round's database (≈ 0.3 GB with its log) is not needed any more.
    rm -rf "$work/poll-$((round - 1))"
    mkdir -p "$work/poll-$round"
    run poll "$INLET_POLL_BENCH" "$url" sales "$work/password" "$work/poll-$round"
  fi
done

echo "== medians"
median() { { grep "^$1 " "$results" || true; } | awk '{print $3}' | sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
raw=$(median raw); client=$(median client); peer=$(median peer); normal=$(median peer-normal)
for name in raw client peer peer-normal poll; do
  seconds=$(median "$name")
  if [ -n "$seconds" ]; then
    awk -v name="$name" -v n="$LETTERS" -v s="$seconds" -v b="$folder_bytes" \
      'BEGIN { printf "%-11s %9.0f letters/s %8.1f MB/s\n", name, n / s, b / s / 1e6 }'
  fi
done
# Per round, client against the ceiling measured right before it (the machine may be busy).
paired=$(awk '$1 == "raw" { r = $3 } $1 == "client" && r { print r / $3 }' "$results" | sort -g |
  awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}')
awk -v r="$raw" -v c="$client" -v p="$peer" -v q="$paired" \
  'BEGIN { printf "client/ceiling %.2f (median of per-round ratios %.2f)   client/peer %s   (targets: >= 0.6, >= 8x)\n", r / c, q, p == "" ? "-" : sprintf("%.1fx", p / c) }'
poll=$(median poll)
if [ -n "$poll" ]; then
  awk -v r="$raw" -v c="$poll" -v p="$peer" -v q="$normal" \
    'BEGIN { printf "poll/ceiling %.2f   poll/peer %s   poll/peer-normal %s   (targets: >= 0.6, >= 8x)\n", r / c, p == "" ? "-" : sprintf("%.1fx", p / c), q == "" ? "-" : sprintf("%.1fx", q / c) }'
fi
