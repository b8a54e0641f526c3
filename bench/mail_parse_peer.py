#!/usr/bin/env python3
"""Python peer of `inlet bench-mail`: the same extraction with the standard `email` package
(default policy) over the same folder of .eml files, timed the same way (files read first).

Extraction per letter: sender (Reply-To when From is a no-reply address), subject, the text
(text/plain, else HTML with tags stripped), attachment names, and phones by a regular
expression. Prints one JSON line.
"""
import email
import email.policy
import json
import os
import re
import sys
import time

PHONE = re.compile(r"(?<![\w+])(?:\+7|8|\+\d{1,3})[\s\-(]*\d{2,4}[\s\-)]*\d{2,3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
TAG = re.compile(r"<[^>]+>")
NO_REPLY = re.compile(r"^(no-?reply|robot|mailer|notify|wordpress|bitrix)", re.I)


def extract(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    sender = None
    try:
        addresses = msg["from"].addresses if msg["from"] else ()
        sender = addresses[0].addr_spec.lower() if addresses else None
        if sender and NO_REPLY.match(sender) and msg["reply-to"]:
            sender = msg["reply-to"].addresses[0].addr_spec.lower()
    except Exception:
        pass
    subject = str(msg["subject"] or "")
    text = ""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        if body is not None:
            text = body.get_content()
            if body.get_content_type() == "text/html":
                text = TAG.sub(" ", text)
    except Exception:
        pass
    names = []
    try:
        for part in msg.iter_attachments():
            names.append(part.get_filename() or "attachment")
            part.get_content()
    except Exception:
        pass
    phones = PHONE.findall(text)
    return sender, subject, text, names, phones


def main():
    folder = sys.argv[1]
    files = sorted(name for name in os.listdir(folder) if name.endswith(".eml"))
    letters = []
    for name in files:
        with open(os.path.join(folder, name), "rb") as handle:
            letters.append(handle.read())
    total = sum(len(raw) for raw in letters)
    cpu_start = time.process_time()
    start = time.perf_counter()
    phones = 0
    attachments = 0
    failures = 0
    for raw in letters:
        try:
            _, _, _, names, found = extract(raw)
            phones += len(found)
            attachments += len(names)
        except Exception:
            failures += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        "implementation": "python-email",
        "letters": len(letters), "bytes": total, "seconds": seconds,
        "letters_per_s": len(letters) / seconds, "mb_per_s": total / 1048576 / seconds,
        "cpu_seconds": cpu, "letters_per_cpu_s": len(letters) / cpu,
        "phones": phones, "attachments": attachments, "failures": failures,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
