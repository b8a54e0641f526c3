#!/usr/bin/env python3
"""Writes N letters of 0.5-7 KB into a Maildir folder's cur/ as Dovecot would store them
(LF line ends, ,S=<size>,W=<size with CRLF> in the name), half with UTF-8 and half with
windows-1251 bodies, in 8bit, quoted-printable and base64. Prints the folder's total
RFC822 size (CRLF) in bytes.

    gen_imap_mail.py MAILDIR COUNT [SEED]
"""
import base64
import os
import quopri
import random
import sys
import time

WORDS = (
    "здравствуйте нужна консультация по заказу прошу выставить счёт на оплату поставка "
    "оборудования срочно перезвоните пожалуйста наш телефон компания ООО Ромашка ИНН "
    "адрес доставки Москва Санкт-Петербург Новосибирск коммерческое предложение цена "
    "количество штук сроки договор спецификация менеджер отдел продаж склад наличие"
).split()
LATIN = "hello order invoice price quote delivery please call back regards".split()


def body_text(rng, size):
    words = []
    length = 0
    while length < size:
        word = rng.choice(WORDS) if rng.random() < 0.85 else rng.choice(LATIN)
        if rng.random() < 0.05:
            word = "+7 (9%02d) %03d-%02d-%02d" % (rng.randrange(100), rng.randrange(1000),
                                                  rng.randrange(100), rng.randrange(100))
        words.append(word)
        length += len(word.encode("utf-8")) + 1
    lines = []
    line = []
    for word in words:
        line.append(word)
        if len(" ".join(line)) > 66:
            lines.append(" ".join(line))
            line = []
    lines.append(" ".join(line))
    return "\n".join(lines) + "\n"


def encoded_word(text, charset):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def letter(rng, number, target):
    charset = "utf-8" if number % 2 else "windows-1251"
    encoding = ("8bit", "quoted-printable", "base64")[number % 3]
    subject = "Заявка №%d: %s" % (number, " ".join(rng.sample(WORDS, 3)))
    headers = [
        "Return-Path: <client%d@example.ru>" % number,
        "Received: from mx.example.ru (mx.example.ru [192.0.2.%d]) by imap.example.ru "
        "with ESMTPS id %08x for <sales@example.ru>; Thu, 7 Mar 2024 09:05:01 +0300"
        % (number % 250, number),
        "From: %s <client%d@example.ru>" % (encoded_word("Клиент %d" % number, charset), number),
        "To: sales@example.ru",
        "Subject: %s" % encoded_word(subject, charset),
        "Message-ID: <bench-%d-%08x@example.ru>" % (number, rng.getrandbits(32)),
        "Date: Thu, 7 Mar 2024 09:%02d:%02d +0300" % (number // 60 % 60, number % 60),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=%s" % charset,
        "Content-Transfer-Encoding: %s" % encoding,
    ]
    head = "\n".join(headers) + "\n\n"
    size = max(100, target - len(head.encode()) - 50)
    text = body_text(rng, size * (2 if charset == "windows-1251" else 1) // 2 + size // 2)
    raw = text.encode(charset, errors="replace")
    if encoding == "quoted-printable":
        raw = quopri.encodestring(raw)
        raw = raw[: max(100, size)]
        raw = raw.rsplit(b"\n", 1)[0] + b"\n"
    elif encoding == "base64":
        raw = raw[: max(60, size * 3 // 4)]
        encoded = base64.b64encode(raw)
        raw = b"\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76)) + b"\n"
    else:
        raw = raw[: max(100, size)]
        raw = raw.rsplit(b"\n", 1)[0] + b"\n"
    return head.encode("ascii") + raw


def main():
    maildir, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    cur = os.path.join(maildir, "cur")
    for name in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, name), exist_ok=True)
    base = int(time.time()) - 100000
    total = 0
    for number in range(1, count + 1):
        data = letter(rng, number, rng.randint(500, 7000))
        virtual = len(data) + data.count(b"\n")
        total += virtual
        name = "%d.M%dP%d.bench,S=%d,W=%d:2," % (base, number, os.getpid(), len(data), virtual)
        with open(os.path.join(cur, name), "wb") as handle:
            handle.write(data)
    print(total)


if __name__ == "__main__":
    main()
