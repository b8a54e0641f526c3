#!/usr/bin/env python3
"""Signed Mango Office `events/summary` bodies for bench/webhook.sh (BENCH_SCENARIO=mango).

    gen_mango.py --key-file K --salt-file S --prefix P --count N OUT

Writes N request bodies to OUT, one per line, exactly as the VPBX posts them:
`application/x-www-form-urlencoded` fields `vpbx_api_key`, `sign`, `json`, where
`sign = lowercase hex sha256(api_key + json + api_salt)` over the `json` text
(docs: channels-reference.md, "Mango Office"). Each body is the summary of a
different incoming call: its own `entry_id` (P + a counter, so P must be unique
per wrk run and per database), its own caller number and times. No line repeats.

wrk's Lua has no SHA-256, which is why the bodies are made here ahead of time;
bench/mango.lua reads OUT and sends its lines in order.
"""

import argparse
import hashlib
import re
import sys
import time
import urllib.parse

# One realistic summary (the reference's example, field for field), filled with
# (entry_id, caller, extension, employee number, create_time, forward_time,
# talk_time, end_time, entry_result, disconnect_reason). The %s values are
# [0-9A-Za-z] only, so the urlencoded template can be filled directly instead of
# urlencoding every body (checked against urlencode() on the first one).
SUMMARY = (
    '{"entry_id":"%s","call_direction":1,"from":{"number":"%s"},'
    '"to":{"extension":"%s","number":"%s"},"line_number":"74951234567",'
    '"create_time":%d,"forward_time":%d,"talk_time":%d,"end_time":%d,'
    '"entry_result":%d,"disconnect_reason":%d}'
)


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        value = f.read().strip()
    if not value:
        sys.exit(f"gen_mango.py: {path} is empty")
    return value


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--key-file", required=True, help="file holding vpbx_api_key")
    p.add_argument("--salt-file", required=True, help="file holding vpbx_api_salt")
    p.add_argument("--prefix", required=True, help="entry_id prefix, [0-9A-Za-z]+, unique per run")
    p.add_argument("--count", type=int, required=True, help="number of bodies")
    p.add_argument("out", help="output file, one urlencoded body per line")
    a = p.parse_args()
    if not re.fullmatch(r"[0-9A-Za-z]+", a.prefix):
        sys.exit("gen_mango.py: --prefix must be [0-9A-Za-z]+")
    if a.count < 1:
        sys.exit("gen_mango.py: --count must be >= 1")

    key = read_secret(a.key_file)
    salt = read_secret(a.salt_file).encode()
    head = urllib.parse.urlencode({"vpbx_api_key": key}) + "&sign="
    # urlencode the literal parts of SUMMARY, keep its placeholders
    parts = re.split(r"(%[sd])", SUMMARY)
    encoded = "".join(
        part if i % 2 else urllib.parse.quote_plus(part).replace("%", "%%")
        for i, part in enumerate(parts))
    keyed = hashlib.sha256(key.encode())  # sha256(api_key + json + api_salt)
    base = int(time.time()) - 86400  # calls of the last day

    with open(a.out, "w", encoding="ascii", newline="\n") as out:
        chunk = []
        for n in range(a.count):
            answered = n % 5 != 0  # one call in five missed: talk_time 0
            create = base + n % 86400
            forward = create + 2 + n % 7
            talk = forward + 3 + n % 11 if answered else 0
            end = (talk or forward) + 15 + n % 600
            v = (f"{a.prefix}{n:08d}", f"79{(n * 7919 + 100000000) % 1000000000:09d}",
                 str(101 + n % 40), f"7495{2000000 + n % 40:07d}",
                 create, forward, talk, end, answered, 1100 if answered else 1110)
            json_text = SUMMARY % v
            h = keyed.copy()
            h.update(json_text.encode())
            h.update(salt)
            sign = h.hexdigest()
            body = f"{head}{sign}&json={encoded % v}"
            if n == 0:
                expected = urllib.parse.urlencode(
                    {"vpbx_api_key": key, "sign": sign, "json": json_text})
                if body != expected:
                    sys.exit("gen_mango.py: the urlencoded template differs from urlencode()")
            chunk.append(body)
            if len(chunk) == 65536:
                out.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            out.write("\n".join(chunk) + "\n")


if __name__ == "__main__":
    main()
