#!/usr/bin/env python3
"""Generates the directory benchmark's data (bench/directory.sh).

    gen_directory.py OUT_DIR [CLIENTS] [CONTACTS] [INTERESTS] [INQUIRIES]

clients.csv and contacts.csv are 1C-style exports: `;`-separated, Cyrillic names, phones as
people type them ("8 (916) 123-45-67"), `|` between the values of list cells, valid INNs with
check digits. interests.csv gives a third of the clients open or closed interests.
inquiries.jsonl holds the senders to match: known contacts by e-mail or phone, known clients
by INN or corporate domain with an unknown person, and strangers on free mail. Deterministic
(seeded), so two runs load the same data.
"""
import json
import os
import random
import sys

W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8]
FIRST = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Сергей", "Елена", "Ольга", "Дмитрий", "Юлия"]
LAST = ["Петров", "Иванов", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Волков", "Зайцев"]
FORMS = ["ООО", "АО", "ПАО", "ИП"]
WORDS = ["Ромашка", "Лютик", "Вектор", "Альфа", "Гранит", "Сфера", "Меридиан", "Прогресс"]
FREE = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "rambler.ru"]


def inn(n):
    base = f"{77 + n % 20:02d}{n:07d}"[:9]
    check = sum(int(d) * w for d, w in zip(base, W10)) % 11 % 10
    return base + str(check)


def phone(n):
    digits = f"9{n:09d}"[-10:]
    return f"8 ({digits[0:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:10]}", "+7" + digits


def main():
    out = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    contacts = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    interests = int(sys.argv[4]) if len(sys.argv) > 4 else 100_000
    inquiries = int(sys.argv[5]) if len(sys.argv) > 5 else 100_000
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)

    with open(os.path.join(out, "clients.csv"), "w", encoding="utf-8") as f:
        f.write("id;name;inn;kpp;domains;emails;phones;potential\n")
        for c in range(clients):
            name = f'{FORMS[c % 4]} "{WORDS[c % 8]}-{c}"'.replace('"', '""')
            f.write(
                f'cl{c};"{name}";{inn(c)};770101001;firm{c}.ru;info@firm{c}.ru;'
                f"{phone(500_000_000 + c)[0]};{'да' if c % 10 == 0 else 'нет'}\n")

    with open(os.path.join(out, "contacts.csv"), "w", encoding="utf-8") as f:
        f.write("id;client_id;name;emails;phones;messengers\n")
        for p in range(contacts):
            client = p % clients
            f.write(
                f"ct{p};cl{client};{FIRST[p % 10]} {LAST[p % 8]};person{p}@firm{client}.ru|"
                f"p{p}@{FREE[p % 6]};{phone(p)[0]};telegram:{10_000_000 + p}\n")

    with open(os.path.join(out, "interests.csv"), "w", encoding="utf-8") as f:
        f.write("id;client_id;title;stage;status;updated_at\n")
        for i in range(interests):
            client = (i * 3) % clients
            status = "open" if i % 3 else "closed"
            f.write(f"in{i};cl{client};Сделка {i};КП;{status};2026-{1 + i % 12:02d}-{1 + i % 28:02d}\n")

    with open(os.path.join(out, "inquiries.jsonl"), "w", encoding="utf-8") as f:
        for q in range(inquiries):
            kind = q % 10
            p = rng.randrange(contacts)
            c = rng.randrange(clients)
            if kind < 4:  # a known contact writes from their work address
                line = {"email": f"person{p}@firm{p % clients}.ru"}
            elif kind < 6:  # a known contact calls
                line = {"phone": phone(p)[1]}
            elif kind == 6:  # an unknown person names a known client's INN
                line = {"email": f"x{q}@{FREE[q % 6]}", "inn": inn(c)}
            elif kind == 7:  # an unknown colleague writes from the corporate domain
                line = {"email": f"new{q}@firm{c}.ru"}
            else:  # a stranger on free mail with an unknown phone
                line = {"email": f"stranger{q}@{FREE[q % 6]}", "phone": phone(2_000_000_000 + q)[1]}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
