#!/usr/bin/env python3
"""The peer for bench/imap.sh: an ingester built the way Odoo's fetchmail works - imaplib,
UID SEARCH, batched UID FETCH (BODY.PEEK[]), each letter parsed with the `email` package
(default policy: subject, sender, Message-ID, text body decoded) and stored with one SQLite
insert and commit per letter. Odoo commits each message in PostgreSQL, durably; the SQLite
analogue is WAL with synchronous=FULL (an fsync per commit), the default here. With
SYNCHRONOUS=NORMAL in the environment the commits are not flushed (a weaker, faster peer that
pays for parsing and SQL only). Prints: peer <letters> <seconds> <bytes>.

    imap_peer.py HOST PORT USER PASSWORD DATABASE [BATCH]
"""
import os
import email
import email.policy
import imaplib
import sqlite3
import sys
import time


def main():
    host, port, user, password, database = sys.argv[1:6]
    batch = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    start = time.monotonic()
    db = sqlite3.connect(database)
    synchronous = os.environ.get("SYNCHRONOUS", "FULL")
    if synchronous not in ("FULL", "NORMAL"):
        sys.exit("SYNCHRONOUS must be FULL or NORMAL")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=" + synchronous)
    db.execute("CREATE TABLE IF NOT EXISTS mail (uid INTEGER PRIMARY KEY, message_id TEXT, "
               "sender TEXT, subject TEXT, body TEXT, raw BLOB)")
    imap = imaplib.IMAP4(host, int(port))
    imap.login(user, password)
    imap.select("INBOX", readonly=True)
    status, data = imap.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    letters = 0
    total = 0
    for index in range(0, len(uids), batch):
        chunk = uids[index:index + batch]
        status, data = imap.uid("FETCH", b",".join(chunk).decode(), "(UID BODY.PEEK[])")
        for item in data:
            if not isinstance(item, tuple):
                continue
            uid = int(item[0].split(b"UID ")[1].split()[0])
            raw = item[1]
            message = email.message_from_bytes(raw, policy=email.policy.default)
            part = message.get_body(preferencelist=("plain", "html"))
            body = part.get_content() if part is not None else ""
            db.execute("INSERT OR REPLACE INTO mail VALUES (?, ?, ?, ?, ?, ?)",
                       (uid, str(message["Message-ID"]), str(message["From"]),
                        str(message["Subject"]), body, raw))
            db.commit()
            letters += 1
            total += len(raw)
    seconds = time.monotonic() - start
    imap.logout()
    print("peer %d %.4f %d" % (letters, seconds, total))


if __name__ == "__main__":
    main()
