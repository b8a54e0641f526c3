#!/usr/bin/env python3
"""Writes the mail fixture corpus: NN-name.eml plus NN-name.expected.json.

The letters imitate real clients and mailers, including the byte-level encodings (cp1251,
KOI8-R, CP866, base64, quoted-printable) that are awkward to type by hand. The .eml files are
committed; run this script again only to change the corpus:

    python3 Tests/InletMailTests/Fixtures/make_fixtures.py

Expected-file keys (all optional except imitates and outcome): sender_name, sender_email,
from_email, reply_to_email, subject, text (exact) or text_contains / text_not_contains,
quoted (bool), quoted_contains, signature (bool), signature_contains, phones, inns, company,
attachments [{name, type, size, truncated?, inline?}], form_fields (subset), form_mailer,
message_id, in_reply_to, references, date (ISO 8601 UTC), header_only, mailer, to, cc,
options {own_addresses, max_attachment_bytes, max_attachments}.
"""
import base64
import json
import os
import quopri
import re

from tnef_writer import tnef

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mail")
CRLF = b"\r\n"
LETTERS = []


def b64(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return CRLF.join(text[i:i + 76] for i in range(0, len(text), 76))


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data.replace(CRLF, b"\n")).replace(b"\n", CRLF)


def ew_b(text: str, charset: str = "utf-8") -> str:
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def ew_q(data: bytes, charset: str = "utf-8") -> str:
    out = []
    for byte in data:
        if byte == 0x20:
            out.append("_")
        elif 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A:
            out.append(chr(byte))
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def headers(pairs, sep=CRLF) -> bytes:
    lines = []
    for name, value in pairs:
        if isinstance(value, str):
            value = value.encode("utf-8")
        lines.append(name.encode() + b": " + value)
    return sep.join(lines)


def multipart(boundary: str, parts, sep=CRLF, preamble=b"This is a multi-part message in MIME format.") -> bytes:
    out = [preamble, b""] if preamble else []
    for part_headers, body in parts:
        out.append(b"--" + boundary.encode())
        out.append(headers(part_headers, sep))
        out.append(b"")
        out.append(body)
    out.append(b"--" + boundary.encode() + b"--")
    out.append(b"")
    return sep.join(out)


def letter(name, imitates, head, body=None, sep=CRLF, **expected):
    raw = headers(head, sep)
    if body is not None:
        raw += sep + sep + body
    expected.setdefault("outcome", "letter")
    if expected["outcome"] == "letter":
        expected.setdefault("phones", [])
        expected.setdefault("inns", [])
        expected.setdefault("attachments", [])
    if expected["outcome"] == "letter":
        expected.setdefault("company", None)
        expected.setdefault("quoted", False)
        expected.setdefault("signature", False)
    expected["imitates"] = imitates
    LETTERS.append((name, raw, expected))


def raw_letter(name, imitates, raw, **expected):
    expected["imitates"] = imitates
    LETTERS.append((name, raw, expected))


def att(name, type_, size, **extra):
    item = {"name": name, "type": type_, "size": size}
    item.update(extra)
    return item


PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
XLSX = b"PK\x03\x04" + bytes((i * 7) % 256 for i in range(1500))
SIG_CP1251 = "С уважением,\r\nИван Петров\r\nменеджер по закупкам\r\nООО «Ромашка»\r\nИНН 7707083893\r\nтел. +7 (495) 123-45-67\r\n"

# --- Ordinary leads from common clients -------------------------------------------------

text1 = ("Добрый день!\r\n\r\nПросим выставить счёт на 20 насосов ЦНС-38, доставка до Казани.\r\n"
         "Сроки поставки критичны.\r\n\r\n" + SIG_CP1251)
html1 = ("<html><body><p>Добрый день!</p><p>Просим выставить счёт на 20 насосов ЦНС-38.</p>"
         "</body></html>")
letter(
    "01-outlook-cp1251-qp", "Outlook",
    [("From", '"%s" <Ivan.Petrov@Romashka-Client.RU>' % ew_b("Иван Петров", "windows-1251")),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Запрос цены на насосы", "windows-1251")),
     ("Date", "Tue, 12 Mar 2024 10:15:43 +0300"),
     ("Message-ID", "<000a01da7455$1c2b3d40$54817bc0@romashka-client.ru>"),
     ("MIME-Version", "1.0"),
     ("X-Mailer", "Microsoft Outlook 16.0"),
     ("Content-Type", 'multipart/alternative; boundary="----=_NextPart_000_000B_01DA746E.41785140"')],
    multipart("----=_NextPart_000_000B_01DA746E.41785140", [
        ([("Content-Type", 'text/plain; charset="windows-1251"'),
          ("Content-Transfer-Encoding", "quoted-printable")], qp(text1.encode("cp1251"))),
        ([("Content-Type", 'text/html; charset="windows-1251"'),
          ("Content-Transfer-Encoding", "quoted-printable")], qp(html1.encode("cp1251"))),
    ]),
    sender_name="Иван Петров", sender_email="ivan.petrov@romashka-client.ru",
    subject="Запрос цены на насосы",
    text="Добрый день!\n\nПросим выставить счёт на 20 насосов ЦНС-38, доставка до Казани.\nСроки поставки критичны.",
    signature=True, signature_contains=["Иван Петров", "ООО «Ромашка»"],
    phones=["+74951234567"], inns=["7707083893"], company="ООО «Ромашка»",
    message_id="000a01da7455$1c2b3d40$54817bc0@romashka-client.ru",
    date="2024-03-12T07:15:43Z", mailer="Microsoft Outlook 16.0", to=["sales@example.ru"])

text2 = ("Здравствуйте, Мария!\n\nДа, объём подтверждаю: 300 штук. Прошу прислать договор \n"
         "на согласование.\n\n12.03.2024 10:15, Мария Соколова пишет:\n> Добрый день! Уточните, \n"
         "> пожалуйста, объём партии.\n>\n> --\n> Мария\n\n-- \nАлексей Смирнов\nАО «Вектор»\n"
         "8 (812) 555-01-02\n")
letter(
    "02-thunderbird-flowed-reply", "Thunderbird",
    [("From", "Алексей Смирнов <a.smirnov@vektor.spb.ru>"),
     ("To", "Мария Соколова <m.sokolova@example.ru>"),
     ("Subject", "Re: " + ew_b("Объём партии")),
     ("Date", "Wed, 13 Mar 2024 09:01:00 +0300"),
     ("Message-ID", "<7c9f3a1e-1b2c-4d5e-8f90-123456789abc@vektor.spb.ru>"),
     ("In-Reply-To", "<a1b2c3@example.ru>"),
     ("References", "<first@example.ru> <a1b2c3@example.ru>"),
     ("User-Agent", "Mozilla Thunderbird"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
     ("Content-Transfer-Encoding", "8bit")],
    text2.replace("\n", "\r\n").encode("utf-8"),
    sender_name="Алексей Смирнов", sender_email="a.smirnov@vektor.spb.ru",
    subject="Re: Объём партии",
    text="Здравствуйте, Мария!\n\nДа, объём подтверждаю: 300 штук. Прошу прислать договор на согласование.",
    quoted=True, quoted_contains=["Уточните, пожалуйста, объём партии", "Мария Соколова пишет:"],
    signature=True, signature_contains=["АО «Вектор»"], phones=["+78125550102"],
    company="АО «Вектор»", in_reply_to=["a1b2c3@example.ru"],
    references=["first@example.ru", "a1b2c3@example.ru"], mailer="Mozilla Thunderbird")

subject3 = "Коммерческое предложение".encode("utf-8")
# Split the Q-encoded subject in the middle of a two-byte character.
cut = 7
letter(
    "03-gmail-alternative-split-multibyte", "Gmail",
    [("MIME-Version", "1.0"),
     ("From", "Olga Kuznetsova <olga.kuznetsova@gmail.com>"),
     ("Date", "Thu, 14 Mar 2024 11:20:05 +0300"),
     ("Message-ID", "<CAF=xyz123+abc@mail.gmail.com>"),
     ("Subject", ew_q(subject3[:cut]) + "\r\n " + ew_q(subject3[cut:])),
     ("To", "sales@example.ru"),
     ("Content-Type", 'multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"')],
    multipart("000000000000a1b2c3d4e5f60718", [
        ([("Content-Type", 'text/plain; charset="UTF-8"'), ("Content-Transfer-Encoding", "base64")],
         b64("Добрый день!\r\nПришлите, пожалуйста, коммерческое предложение на 5 станков.\r\n"
             "Мой телефон +7 916 123-45-67.\r\n\r\nOn Tue, 12 Mar 2024 at 10:15, Sales Team <sales@example.ru>\r\n"
             "wrote:\r\n\r\n> Спасибо за интерес к нашей продукции.\r\n".encode())),
        ([("Content-Type", 'text/html; charset="UTF-8"'), ("Content-Transfer-Encoding", "base64")],
         b64("<div dir=\"ltr\">Добрый день!<br>Пришлите КП.</div>".encode())),
    ], preamble=None),
    sender_name="Olga Kuznetsova", sender_email="olga.kuznetsova@gmail.com",
    subject="Коммерческое предложение",
    text="Добрый день!\nПришлите, пожалуйста, коммерческое предложение на 5 станков.\nМой телефон +7 916 123-45-67.",
    quoted=True, quoted_contains=["Спасибо за интерес"], phones=["+79161234567"],
    message_id="CAF=xyz123+abc@mail.gmail.com")

html4 = ("<!DOCTYPE html><html><head><style>p{margin:0}</style><title>x</title></head><body>"
         "<div>Здравствуйте!</div><div> </div><div>Интересует оборудование из "
         "<a href=\"https://example.ru/catalog?id=5&amp;ref=mail\">каталога</a> на сайте.</div>"
         "<div>Звоните: <a href=\"tel:+79031112233\">+7 903 111-22-33</a></div><div> </div>"
         "<div>-- </div><div>Сергей</div><div> </div><div>12.03.2024, 10:15, \"Отдел продаж\" "
         "&lt;sales@example.ru&gt;:</div><blockquote><div>Добрый день, чем можем помочь?</div>"
         "</blockquote></body></html>")
letter(
    "04-yandex-html-only", "Yandex Mail",
    [("From", ew_b("Сергей") + " <sergey-k@yandex.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Оборудование")),
     ("Date", "Fri, 15 Mar 2024 16:40:00 +0300"),
     ("Message-Id", "<1234561710510000@mail.yandex.ru>"),
     ("X-Mailer", "Yamail [ http://yandex.ru ] 5.0"),
     ("MIME-Version", "1.0"),
     ("Content-Transfer-Encoding", "8bit"),
     ("Content-Type", "text/html; charset=utf-8")],
    html4.encode("utf-8"),
    sender_name="Сергей", sender_email="sergey-k@yandex.ru", subject="Оборудование",
    text="Здравствуйте!\n\nИнтересует оборудование из каталога (https://example.ru/catalog?id=5&ref=mail) на сайте.\nЗвоните: +7 903 111-22-33",
    signature=True, signature_contains=["Сергей"], quoted=True,
    quoted_contains=["чем можем помочь"], phones=["+79031112233"])

body5 = ("Добрый день! Хотим заказать расходники, список во вложении.\r\n\r\n"
         "Отправлено из мобильной Почты Mail.ru\r\n\r\n"
         "Среда, 13 марта 2024, 10:15 +03:00 от Отдел продаж <sales@example.ru>:\r\n"
         "> Добрый день!\r\n")
letter(
    "05-mailru-mobile", "Mail.ru",
    [("From", ew_b("Наталья Орлова") + " <n.orlova@mail.ru>"),
     ("To", ew_b("Отдел продаж") + " <sales@example.ru>"),
     ("Subject", ew_b("Re: Заказ расходников")),
     ("Date", "Wed, 13 Mar 2024 12:00:00 +0300"),
     ("Message-ID", "<1710320400.123456789@f123.i.mail.ru>"),
     ("X-Mailer", "Mail.Ru Mailer 1.0"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"--ALT--a1B2c3D4e5F61710320400\"")],
    multipart("--ALT--a1B2c3D4e5F61710320400", [
        ([("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "base64")],
         b64(body5.encode())),
        ([("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=\"%s\"" % ew_b("Список.xlsx")),
          ("Content-Disposition", "attachment; filename=\"%s\"" % ew_b("Список.xlsx")),
          ("Content-Transfer-Encoding", "base64")], b64(XLSX)),
    ]),
    sender_name="Наталья Орлова", sender_email="n.orlova@mail.ru", subject="Re: Заказ расходников",
    text="Добрый день! Хотим заказать расходники, список во вложении.",
    signature=True, quoted=True,
    attachments=[att("Список.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", len(XLSX))])

body6 = ("Здравствуйте, Дмитрий.\r\n\r\nВы писали 12 марта 2024 г., 10:15:43:\r\n\r\n"
         "> Добрый день, цены прилагаем.\r\n\r\n"
         "Спасибо, цены устраивают. Выставляйте счёт на ИП Кузнецов.\r\n\r\n"
         "-- \r\nС уважением,\r\nИП Кузнецов Андрей Викторович\r\nИНН 500100732259\r\n"
         "mailto:kuz@kuznetsov-ip.ru\r\n")
letter(
    "06-thebat-cp1251-8bit", "The Bat!",
    [("Date", "Wed, 13 Mar 2024 14:22:10 +0300"),
     ("From", ew_b("Андрей Кузнецов", "windows-1251") + " <kuz@kuznetsov-ip.ru>"),
     ("X-Mailer", "The Bat! (v10.4.0) Professional"),
     ("Reply-To", ew_b("Андрей Кузнецов", "windows-1251") + " <kuz@kuznetsov-ip.ru>"),
     ("Message-ID", "<1810236542.20240313142210@kuznetsov-ip.ru>"),
     ("To", ew_b("Дмитрий", "windows-1251") + " <d.volkov@example.ru>"),
     ("Subject", ew_b("Re: Цены", "windows-1251")),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=windows-1251"),
     ("Content-Transfer-Encoding", "8bit")],
    body6.encode("cp1251"),
    sender_name="Андрей Кузнецов", sender_email="kuz@kuznetsov-ip.ru", subject="Re: Цены",
    text="Здравствуйте, Дмитрий.\n\nСпасибо, цены устраивают. Выставляйте счёт на ИП Кузнецов.",
    quoted=True, quoted_contains=["Вы писали", "> Добрый день, цены прилагаем."],
    signature=True, signature_contains=["ИНН 500100732259"], inns=["500100732259"],
    company="ИП Кузнецов Андрей Викторович")

name7 = "Счёт на оплату № 123 от 14.03.2024.pdf"
pct = "".join("%%%02X" % b if not (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A or b in b".-") else chr(b)
              for b in name7.encode("utf-8"))
letter(
    "07-1c-mailer-invoice", "1C's own mailer",
    [("From", ew_b("ООО \"Стройматериалы\"") + " <buh@stroymat.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Счёт на оплату № 123 от 14.03.2024")),
     ("Date", "Thu, 14 Mar 2024 15:00:00 +0300"),
     ("Message-ID", "<20240314150000.4F2A@1c.stroymat.ru>"),
     ("X-Mailer", "1C:Enterprise 8.3"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"==1C_Boundary_8f2e==\"")],
    multipart("==1C_Boundary_8f2e==", [
        ([("Content-Type", "text/plain; charset=\"utf-8\""), ("Content-Transfer-Encoding", "base64")],
         b64("Добрый день!\r\nНаправляем счёт на оплату. Просим подтвердить получение.\r\n\r\n"
             "С уважением,\r\nбухгалтерия ООО \"Стройматериалы\"\r\nИНН/КПП 7736050003/773601001\r\n"
             "Тел.: 8-495-765-43-21\r\n".encode())),
        ([("Content-Type", "application/pdf"), ("Content-Transfer-Encoding", "base64"),
          ("Content-Disposition", "attachment;\r\n filename*0*=UTF-8''%s;\r\n filename*1*=%s" % (pct[:60], pct[60:]))],
         b64(PDF)),
    ]),
    sender_name="ООО \"Стройматериалы\"", sender_email="buh@stroymat.ru",
    subject="Счёт на оплату № 123 от 14.03.2024",
    text="Добрый день!\nНаправляем счёт на оплату. Просим подтвердить получение.",
    signature=True, inns=["7736050003"], phones=["+74957654321"],
    company="ООО «Стройматериалы»",
    attachments=[att(name7, "application/pdf", len(PDF))])

body8 = ("Новое сообщение с сайта example.ru\r\n\r\nФорма: Обратная связь\r\n"
         "Имя: Анна Белова\r\nТелефон: 8 916 222-33-44\r\nE-mail: anna@belova-design.ru\r\n"
         "Компания: ООО «Белова Дизайн»\r\nИНН: 7728168971\r\n"
         "Сообщение: Нужна консультация по поставке мебели в офис.\r\n\r\n"
         "Письмо сгенерировано автоматически.\r\n")
letter(
    "08-bitrix-form", "Bitrix form mailer",
    [("From", "noreply@example.ru"),
     ("Reply-To", "anna@belova-design.ru"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("example.ru: Сообщение из формы обратной связи")),
     ("Date", "Fri, 15 Mar 2024 09:30:00 +0300"),
     ("X-Mailer", "Bitrix Framework"),
     ("X-Bitrix-Posting", "1"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=UTF-8"),
     ("Content-Transfer-Encoding", "8bit")],
    body8.encode("utf-8"),
    sender_name="Анна Белова", sender_email="anna@belova-design.ru", from_email="noreply@example.ru",
    reply_to_email="anna@belova-design.ru",
    subject="example.ru: Сообщение из формы обратной связи",
    text_contains=["Нужна консультация по поставке мебели"], phones=["+79162223344"],
    inns=["7728168971"], company="ООО «Белова Дизайн»", form_mailer="bitrix",
    form_fields={"Имя": "Анна Белова", "Телефон": "8 916 222-33-44", "E-mail": "anna@belova-design.ru"})

html9 = ("<html><body><b>Request details:</b><br><br>Name: Виктор Ломов<br>Email: lomov@inbox.ru<br>"
         "Phone: +7 (926) 000-11-22<br>Comments: Прошу перезвонить после 15:00<br><br>"
         "<b>Additional information:</b><br>Transaction ID: 5523234:3445543<br>"
         "Block ID: rec123456<br>Form Name: Cart<br>https://example.ru/</body></html>")
letter(
    "09-tilda-form", "Tilda form mailer",
    [("From", "Tilda Publishing <robot@tilda.ws>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Новая заявка с сайта example.ru")),
     ("Date", "Sat, 16 Mar 2024 10:00:00 +0000"),
     ("Message-ID", "<5523234.3445543@tilda.ws>"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/html; charset=utf-8"),
     ("Content-Transfer-Encoding", "quoted-printable")],
    qp(html9.encode("utf-8")),
    sender_name="Виктор Ломов", sender_email="lomov@inbox.ru", from_email="robot@tilda.ws",
    subject="Новая заявка с сайта example.ru",
    text_contains=["Name: Виктор Ломов", "Прошу перезвонить после 15:00"],
    phones=["+79260001122"], form_mailer="tilda",
    form_fields={"Name": "Виктор Ломов", "Email": "lomov@inbox.ru", "Phone": "+7 (926) 000-11-22"})

plain10 = ("Добрый вечер! Подскажите сроки поставки кресел.\r\n\r\nОтправлено с iPhone\r\n\r\n"
           "> 12 марта 2024 г., в 10:15, Отдел продаж <sales@example.ru> написал(а):\r\n>\r\n"
           "> \uFEFFДобрый день!\r\n")
letter(
    "10-apple-mail-iphone", "Apple Mail",
    [("Content-Type", "multipart/alternative; boundary=Apple-Mail-4F2C1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"),
     ("Content-Transfer-Encoding", "7bit"),
     ("From", ew_q("Елена Жукова".encode()) + " <e.zhukova@icloud.com>"),
     ("Mime-Version", "1.0 (1.0)"),
     ("Date", "Sat, 16 Mar 2024 19:05:11 +0300"),
     ("Subject", ew_q("Re: Кресла".encode())),
     ("Message-Id", "<4F2C1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B@icloud.com>"),
     ("To", ew_q("Отдел продаж".encode()) + " <sales@example.ru>"),
     ("X-Mailer", "iPhone Mail (21D61)")],
    multipart("Apple-Mail-4F2C1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B", [
        ([("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "quoted-printable")],
         qp(plain10.encode())),
        ([("Content-Type", "text/html; charset=utf-8"), ("Content-Transfer-Encoding", "quoted-printable")],
         qp("<html><body>Добрый вечер!</body></html>".encode())),
    ], preamble=None),
    sender_name="Елена Жукова", sender_email="e.zhukova@icloud.com", subject="Re: Кресла",
    text="Добрый вечер! Подскажите сроки поставки кресел.", signature=True, quoted=True,
    quoted_contains=["написал(а):"])

# --- Old Russian clients and charsets ------------------------------------------------------

body11 = "Привет! Нужен прайс на трубы ПНД диаметром 110 мм. Звоните 8 (3452) 45-67-89.\n"
letter(
    "11-old-koi8r-raw-subject", "old Russian client (KOI8-R, Pine)",
    [("From", "Petrov <petrov@tmn.relcom.ru>".encode("koi8-r")),
     ("To", "sales@example.ru"),
     ("Subject", "Прайс на трубы".encode("koi8-r")),
     ("Date", "Mon, 18 Mar 2024 08:00:00 +0500"),
     ("Message-ID", "<Pine.LNX.4.44.0403180800.123@tmn.relcom.ru>"),
     ("Content-Type", "text/plain; charset=KOI8-R"),
     ("Content-Transfer-Encoding", "8bit")],
    body11.encode("koi8-r"), sep=b"\n",
    sender_name="Petrov", sender_email="petrov@tmn.relcom.ru", subject="Прайс на трубы",
    text="Привет! Нужен прайс на трубы ПНД диаметром 110 мм. Звоните 8 (3452) 45-67-89.",
    phones=["+73452456789"], date="2024-03-18T03:00:00Z")

body12 = "Уважаемые господа!\r\nПрошу сообщить стоимость 10 тонн цемента М500.\r\nГлавный инженер Сидоров В.П.\r\n"
letter(
    "12-old-cp866-dos", "old Russian client (CP866, DOS UUPC)",
    [("From", "sidorov@zavod.msk.su (" + ew_q("Сидоров В.П.".encode("cp866"), "cp866") + ")"),
     ("To", "sales@example.ru"),
     ("Subject", ew_q("Цемент М500".encode("cp866"), "ibm866")),
     ("Date", "18 Mar 24 10:00 MSK"),
     ("Content-Type", "text/plain; charset=cp866"),
     ("Content-Transfer-Encoding", "8bit")],
    body12.encode("cp866"),
    sender_name="Сидоров В.П.", sender_email="sidorov@zavod.msk.su", subject="Цемент М500",
    text="Уважаемые господа!\nПрошу сообщить стоимость 10 тонн цемента М500.\nГлавный инженер Сидоров В.П.",
    date="2024-03-18T07:00:00Z")

letter(
    "13-iso-8859-5", "old Russian client (ISO-8859-5, Netscape)",
    [("From", ew_b("Борис Громов", "iso-8859-5") + " <gromov@nstu.nsk.su>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Запрос каталога", "ISO-8859-5")),
     ("Date", "Tue, 19 Mar 2024 10:00:00 +0700"),
     ("X-Mailer", "Mozilla 4.7 [ru] (Win98; I)"),
     ("Content-Type", "text/plain; charset=iso-8859-5"),
     ("Content-Transfer-Encoding", "quoted-printable")],
    qp("Вышлите, пожалуйста, каталог продукции на 2024 год.\r\n".encode("iso-8859-5")),
    sender_name="Борис Громов", sender_email="gromov@nstu.nsk.su", subject="Запрос каталога",
    text="Вышлите, пожалуйста, каталог продукции на 2024 год.", mailer="Mozilla 4.7 [ru] (Win98; I)")

letter(
    "14-mac-cyrillic", "Apple Mail (classic Mac OS, x-mac-cyrillic)",
    [("From", ew_q("Ирина Белкина".encode("mac-cyrillic"), "x-mac-cyrillic") + " <belkina@mac.com>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_q("Заказ бумаги".encode("mac-cyrillic"), "x-mac-cyrillic")),
     ("Date", "Tue, 19 Mar 2024 12:00:00 +0300"),
     ("X-Mailer", "Apple Mail (2.753.1)"),
     ("Mime-Version", "1.0 (Apple Message framework v753.1)"),
     ("Content-Type", "text/plain; charset=x-mac-cyrillic; format=flowed"),
     ("Content-Transfer-Encoding", "quoted-printable")],
    qp("Нам нужно 200 пачек бумаги А4. Ждём счёт.\r\n".encode("mac-cyrillic")),
    sender_name="Ирина Белкина", sender_email="belkina@mac.com", subject="Заказ бумаги",
    text="Нам нужно 200 пачек бумаги А4. Ждём счёт.")

letter(
    "15-koi8-u", "The Bat! (KOI8-U)",
    [("From", ew_b("Олексій Ковальчук", "koi8-u") + " <kovalchuk@ukr.net>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Ціна на прилади", "koi8-u")),
     ("Date", "Wed, 20 Mar 2024 09:00:00 +0200"),
     ("X-Mailer", "The Bat! (v3.99.3) Professional"),
     ("Content-Type", "text/plain; charset=koi8-u"),
     ("Content-Transfer-Encoding", "8bit")],
    "Доброго дня! Яка ціна на прилади обліку? Телефон +380 44 123 45 67\r\n".encode("koi8-u"),
    sender_name="Олексій Ковальчук", sender_email="kovalchuk@ukr.net", subject="Ціна на прилади",
    text="Доброго дня! Яка ціна на прилади обліку? Телефон +380 44 123 45 67",
    phones=["+380441234567"])

letter(
    "16-wrong-charset-utf8-declared-cp1251-bytes", "PHP mail() script with a wrong declaration",
    [("From", "info@stanki-kazan.ru"),
     ("To", "sales@example.ru"),
     ("Subject", "=?UTF-8?B?%s?=" % base64.b64encode("Запрос станков".encode("cp1251")).decode()),
     ("Date", "Wed, 20 Mar 2024 11:00:00 +0300"),
     ("X-Mailer", "PHP/5.6.40"),
     ("Content-Type", "text/plain; charset=UTF-8"),
     ("Content-Transfer-Encoding", "8bit")],
    "Добрый день. Интересуют токарные станки, 3 штуки. Контакт: Рустам, 8-843-200-30-40\r\n".encode("cp1251"),
    sender_email="info@stanki-kazan.ru", subject="Запрос станков",
    text="Добрый день. Интересуют токарные станки, 3 штуки. Контакт: Рустам, 8-843-200-30-40",
    phones=["+78432003040"])

letter(
    "17-raw-8bit-headers-cp1251", "Outlook Express 6 (raw 8-bit headers)",
    [("From", "\"Григорий Лебедев\" <lebedev@metiz.ru>".encode("cp1251")),
     ("To", "\"Отдел продаж\" <sales@example.ru>".encode("cp1251")),
     ("Subject", "Крепёж: метизы оптом".encode("cp1251")),
     ("Date", "Thu, 21 Mar 2024 10:00:00 +0300"),
     ("X-Mailer", "Microsoft Outlook Express 6.00.2900.5512"),
     ("Content-Type", "text/plain; charset=\"windows-1251\""),
     ("Content-Transfer-Encoding", "8bit")],
    "Просим прайс на метизы. Объём от 5 тонн в месяц.\r\n".encode("cp1251"),
    sender_name="Григорий Лебедев", sender_email="lebedev@metiz.ru", subject="Крепёж: метизы оптом",
    text="Просим прайс на метизы. Объём от 5 тонн в месяц.")

letter(
    "18-raw-utf8-headers-rfc6532", "Gmail (SMTPUTF8, RFC 6532 headers)",
    [("From", "Татьяна Морозова <татьяна@почта.рф>"),
     ("To", "sales@example.ru"),
     ("Subject", "Вопрос по доставке"),
     ("Date", "Thu, 21 Mar 2024 12:00:00 +0300"),
     ("Message-ID", "<abc.def@почта.рф>"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8"),
     ("Content-Transfer-Encoding", "8bit")],
    "Доставляете ли вы в Калининград?\r\n".encode(),
    sender_name="Татьяна Морозова", sender_email="татьяна@почта.рф", subject="Вопрос по доставке",
    text="Доставляете ли вы в Калининград?")

letter(
    "19-windows-1252-german", "Thunderbird (German, windows-1252)",
    [("From", "=?windows-1252?Q?J=FCrgen_Wei=DF?= <j.weiss@maschinen-weiss.de>"),
     ("To", "sales@example.ru"),
     ("Subject", "=?windows-1252?Q?Anfrage_f=FCr_Pumpen_=96_dringend?="),
     ("Date", "Fri, 22 Mar 2024 10:00:00 +0100"),
     ("User-Agent", "Mozilla/5.0 Thunderbird/115.8.0"),
     ("Content-Type", "text/plain; charset=windows-1252; format=flowed"),
     ("Content-Transfer-Encoding", "8bit")],
    "Sehr geehrte Damen und Herren,\r\nbitte senden Sie uns ein Angebot f\xfcr 5 Pumpen \x96 Lieferung nach M\xfcnchen.\r\n\r\nMit freundlichen Gr\xfc\xdfen\r\nJ\xfcrgen Wei\xdf\r\nTel. +49 89 1234567\r\n".encode("latin-1"),
    sender_name="Jürgen Weiß", sender_email="j.weiss@maschinen-weiss.de",
    subject="Anfrage für Pumpen – dringend",
    text_contains=["Angebot für 5 Pumpen – Lieferung nach München", "Mit freundlichen Grüßen"],
    phones=["+49891234567"], mailer="Mozilla/5.0 Thunderbird/115.8.0")

letter(
    "20-iso-8859-1-name-outlook", "Outlook (ISO-8859-1 encoded name)",
    [("From", "=?iso-8859-1?Q?Fran=E7ois_Lef=E8vre?= <francois@lefevre.fr>"),
     ("To", "sales@example.ru"),
     ("Subject", "=?iso-8859-15?Q?Devis_=A4_pompes?="),
     ("Date", "Fri, 22 Mar 2024 11:00:00 +0100"),
     ("X-Mailer", "Microsoft Outlook 15.0"),
     ("Content-Type", "text/plain; charset=\"iso-8859-1\""),
     ("Content-Transfer-Encoding", "quoted-printable")],
    qp("Bonjour,\r\nmerci de m'envoyer un devis pour les pompes. Cordialement, Fran\xe7ois\r\n".encode("latin-1")),
    sender_name="François Lefèvre", sender_email="francois@lefevre.fr", subject="Devis € pompes",
    text="Bonjour,\nmerci de m'envoyer un devis pour les pompes. Cordialement, François")

letter(
    "21-folded-obsolete-headers", "mutt (folded and obsolete header syntax)",
    [("Received", "from mx.client.ru (mx.client.ru [192.0.2.1])\r\n\tby mx.example.ru with ESMTP id 4F2A\r\n\tfor <sales@example.ru>; Sat, 23 Mar 2024 10:00:00 +0300"),
     ("Subject ", "Long subject line\r\n that was folded\r\n\tacross three lines"),
     ("From", "  roman@client.ru  (Roman\r\n Tikhonov)"),
     ("To", "Sales:\r\n sales@example.ru, \"Manager, Chief\" <chief@example.ru>;"),
     ("Date", "Sat, 23 Mar 24 10:00:00 GMT (Saturday)"),
     ("Message-ID", "<20240323100000.GA1234@client.ru>"),
     ("Content-Type", "text/plain")],
    b"We need a quote for 40 valves.\r\n",
    sender_name="Roman Tikhonov", sender_email="roman@client.ru",
    subject="Long subject line that was folded across three lines",
    text="We need a quote for 40 valves.", to=["sales@example.ru", "chief@example.ru"],
    date="2024-03-23T10:00:00Z")

subj22 = (ew_b("Предложение о ", "windows-1251") + "\r\n " + ew_b("сотрудничестве", "windows-1251")
          + " " + ew_q(" и ".encode("koi8-r"), "koi8-r") + "\r\n\t" + ew_b("поставках", "utf-8")
          + " (urgent)")
letter(
    "22-encoded-words-adjacent-mixed", "Outlook (mixed encoded words)",
    [("From", "=?utf-8?B?0J/QsNCy0LXQuw==?= =?utf-8?B?INCh0LXQvNC10L3QvtCy?= <p.semenov@opt-torg.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", subj22),
     ("Date", "Sun, 24 Mar 2024 10:00:00 +0300"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Добрый день, предлагаем сотрудничество.\r\n".encode(),
    sender_name="Павел Семенов", sender_email="p.semenov@opt-torg.ru",
    subject="Предложение о сотрудничестве и поставках (urgent)",
    text="Добрый день, предлагаем сотрудничество.")

name23 = "Техническое задание на поставку оборудования (редакция 2).docx"
enc23 = "".join("%%%02X" % b if b >= 0x80 or b in b" ()" else chr(b) for b in name23.encode())
tokens23 = re.findall(r"%[0-9A-F]{2}|.", enc23)
chunks23 = ["".join(tokens23[i:i + 14]) for i in range(0, len(tokens23), 14)]
disp23 = "attachment;\r\n " + ";\r\n ".join(
    ("filename*%d*=%s%s" % (i, "utf-8'ru'" if i == 0 else "", c)) for i, c in enumerate(chunks23))
DOCX = b"PK\x03\x04" + b"word/document.xml" + bytes(range(100))
letter(
    "23-rfc2231-continuations", "Thunderbird (RFC 2231 file name)",
    [("From", "Константин Егоров <egorov@tehproekt.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", "=?UTF-8?B?0KLQtdGF0LfQsNC00LDQvdC40LU=?="),
     ("Date", "Sun, 24 Mar 2024 12:00:00 +0300"),
     ("User-Agent", "Mozilla Thunderbird"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"------------0QfEsWxvRLnX8ucjd3Sw7IdG\"")],
    multipart("------------0QfEsWxvRLnX8ucjd3Sw7IdG", [
        ([("Content-Type", "text/plain; charset=UTF-8; format=flowed"), ("Content-Transfer-Encoding", "8bit")],
         "Добрый день! ТЗ во вложении.\r\n".encode()),
        ([("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document;\r\n name*0*=utf-8'ru'%D0%A2;\r\n name*1*=.docx"),
          ("Content-Disposition", disp23), ("Content-Transfer-Encoding", "base64")], b64(DOCX)),
    ]),
    sender_name="Константин Егоров", sender_email="egorov@tehproekt.ru", subject="Техзадание",
    text="Добрый день! ТЗ во вложении.",
    attachments=[att(name23, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", len(DOCX))])

letter(
    "24-outlook-encoded-word-filename", "Outlook (encoded word in a quoted file name)",
    [("From", "\"%s\" <osipov@gk-energo.ru>" % ew_b("Осипов Антон", "windows-1251")),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Карточка компании", "windows-1251")),
     ("Date", "Mon, 25 Mar 2024 10:00:00 +0300"),
     ("X-Mailer", "Microsoft Outlook 14.0"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"----=_NextPart_000_0001_01DA7E8F.1A2B3C4D\"")],
    multipart("----=_NextPart_000_0001_01DA7E8F.1A2B3C4D", [
        ([("Content-Type", "text/plain; charset=\"windows-1251\""), ("Content-Transfer-Encoding", "base64")],
         b64("Карточка предприятия во вложении.\r\n".encode("cp1251"))),
        ([("Content-Type", "image/jpeg; name=\"%s\"" % ew_b("Карточка.jpg", "windows-1251")),
          ("Content-Transfer-Encoding", "base64"),
          ("Content-Disposition", "attachment; filename=\"%s\"" % ew_b("Карточка.jpg", "windows-1251"))],
         b64(b"\xff\xd8\xff\xe0" + bytes(300))),
    ]),
    sender_name="Осипов Антон", sender_email="osipov@gk-energo.ru", subject="Карточка компании",
    text="Карточка предприятия во вложении.",
    attachments=[att("Карточка.jpg", "image/jpeg", 304)])

qp25 = (b"Dobryj den'! =D0=9D=d1=83=D0=B6=D0=BD=D0=BE 12 =D1=88=D1=82=D1=83=D0=BA =\r\n"
        b"\xd0\xb4\xd0\xb0\xd1\x82\xd1\x87\xd0\xb8\xd0\xba\xd0\xbe\xd0\xb2 =ZZ 50% \r\n"
        b"=D0=BE=D0=BF=D0=BB=D0=B0=D1=82=D0=B0 =3D =D0=BF=D0=BE =D1=84=D0=B0=D0=BA=D1=82=D1=83=D1=80=D0=B5 and a very long line that goes on and on past the seventy six character limit without any soft break at all\r\n"
        b"=\r\n")
letter(
    "25-qp-damaged", "PHPMailer with damaged quoted-printable",
    [("From", "zakaz@datchik-shop.ru"),
     ("To", "sales@example.ru"),
     ("Subject", "QP test"),
     ("Date", "Mon, 25 Mar 2024 12:00:00 +0300"),
     ("Content-Type", "text/plain; charset=utf-8"),
     ("Content-Transfer-Encoding", "Quoted-Printable")],
    qp25,
    sender_email="zakaz@datchik-shop.ru", subject="QP test",
    text="Dobryj den'! Нужно 12 штук датчиков =ZZ 50%\nоплата = по фактуре and a very long line that goes on and on past the seventy six character limit without any soft break at all")

raw26 = base64.b64encode(PDF).decode()
damaged26 = raw26[:50] + "\r\n" + raw26[50:133] + "!!\r\n  " + raw26[133:500] + "\r\n" + raw26[500:].rstrip("=")
text26 = base64.b64encode("Направляю реквизиты, ИНН 7707083893.\n".encode()).decode()
letter(
    "26-base64-damaged", "Yandex Mail (base64 with bad line lengths and stray characters)",
    [("From", ew_b("Фёдор Ильин") + " <ilyin@yandex.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("Реквизиты")),
     ("Date", "Tue, 26 Mar 2024 10:00:00 +0300"),
     ("X-Mailer", "Yamail [ http://yandex.ru ] 5.0"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"----==--bound.12345.web45.yandex.ru\"")],
    multipart("----==--bound.12345.web45.yandex.ru", [
        ([("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "base64")],
         (text26[:10] + "\r\n" + text26[10:17] + " *\r\n" + text26[17:]).encode()),
        ([("Content-Type", "application/pdf; name=\"rekvizity.pdf\""),
          ("Content-Disposition", "attachment; filename=\"rekvizity.pdf\""),
          ("Content-Transfer-Encoding", "base64")], damaged26.encode()),
    ], preamble=None),
    sender_name="Фёдор Ильин", sender_email="ilyin@yandex.ru", subject="Реквизиты",
    text="Направляю реквизиты, ИНН 7707083893.", inns=["7707083893"],
    attachments=[att("rekvizity.pdf", "application/pdf", len(PDF))])

alt27 = multipart("alt-27", [
    ([("Content-Type", "text/plain; charset=utf-8")], "Коллеги, добрый день!\r\nСпецификация во вложении, схема ниже.\r\n".encode()),
    ([("Content-Type", "text/html; charset=utf-8")], "<p>Коллеги, добрый день!</p><img src=\"cid:logo@x\">".encode()),
], preamble=None)
rel27 = multipart("rel-27", [
    ([("Content-Type", "multipart/alternative; boundary=alt-27")], alt27),
    ([("Content-Type", "image/png"), ("Content-ID", "<logo@x>"), ("Content-Transfer-Encoding", "base64")], b64(PNG)),
], preamble=None)
letter(
    "27-nested-multipart", "Outlook (mixed > related > alternative)",
    [("From", "Виктория Панова <panova@stroyinvest.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", "Spec"),
     ("Date", "Tue, 26 Mar 2024 12:00:00 +0300"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=mixed-27")],
    multipart("mixed-27", [
        ([("Content-Type", "multipart/related; boundary=rel-27; type=\"multipart/alternative\"")], rel27),
        ([("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          ("Content-Disposition", "attachment; filename=spec.xlsx"), ("Content-Transfer-Encoding", "base64")], b64(XLSX)),
    ]),
    sender_name="Виктория Панова", sender_email="panova@stroyinvest.ru", subject="Spec",
    text="Коллеги, добрый день!\nСпецификация во вложении, схема ниже.",
    attachments=[att("attachment-1.png", "image/png", len(PNG), inline=True),
                 att("spec.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", len(XLSX), inline=False)])

inner28 = (headers([("From", "Клиент Важный <vip@bigclient.ru>"), ("To", "boss@partner.ru"),
                    ("Subject", ew_b("Нужен подрядчик")), ("Date", "Mon, 25 Mar 2024 09:00:00 +0300"),
                    ("MIME-Version", "1.0"), ("Content-Type", "multipart/mixed; boundary=inner28")])
           + CRLF + CRLF + multipart("inner28", [
               ([("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
                "Ищем подрядчика на монтаж вентиляции, телефон 8 495 111-22-33.\r\n".encode()),
               ([("Content-Type", "application/pdf"), ("Content-Disposition", "attachment; filename=\"plan.pdf\""),
                 ("Content-Transfer-Encoding", "base64")], b64(PDF[:500])),
           ], preamble=None))
letter(
    "28-forward-rfc822", "Outlook (forward as attachment)",
    [("From", "Партнёр <boss@partner.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", ew_b("FW: Нужен подрядчик")),
     ("Date", "Mon, 25 Mar 2024 11:00:00 +0300"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=outer28")],
    multipart("outer28", [
        ([("Content-Type", "text/plain; charset=utf-8")], "Передаю вам клиента, свяжитесь с ним.\r\n".encode()),
        ([("Content-Type", "message/rfc822"), ("Content-Disposition", "attachment; filename=\"fwd.eml\"")], inner28),
    ], preamble=None),
    sender_name="Партнёр", sender_email="boss@partner.ru", subject="FW: Нужен подрядчик",
    text_contains=["Передаю вам клиента", "Forwarded message", "From: Клиент Важный <vip@bigclient.ru>",
                   "Ищем подрядчика на монтаж вентиляции"],
    phones=["+74951112233"],
    attachments=[att("plan.pdf", "application/pdf", 500)])

letter(
    "29-missing-boundary", "broken PHP mailer (multipart without boundary)",
    [("From", "site@client-shop.ru"),
     ("To", "sales@example.ru"),
     ("Subject", "Order"),
     ("Date", "Wed, 27 Mar 2024 10:00:00 +0300"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; charset=utf-8")],
    "Здравствуйте, хочу заказать 3 коробки перчаток.\r\nТелефон 89161112233\r\n".encode(),
    sender_email="site@client-shop.ru", subject="Order",
    text="Здравствуйте, хочу заказать 3 коробки перчаток.\nТелефон 89161112233",
    phones=["+79161112233"])

letter(
    "30-wrong-boundary", "Outlook Express with a mangled boundary",
    [("From", "Глеб <gleb@agro-client.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", "Seeds"),
     ("Date", "Wed, 27 Mar 2024 12:00:00 +0300"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/alternative; boundary=\"----=_NextPart_DECLARED\"")],
    multipart("----=_NextPart_000_0012_01D2", [
        ([("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
         "Нужны семена подсолнечника, 2 тонны.\r\n".encode()),
        ([("Content-Type", "text/html; charset=utf-8")], "<p>Нужны семена</p>".encode()),
    ]),
    sender_name="Глеб", sender_email="gleb@agro-client.ru", subject="Seeds",
    text="Нужны семена подсолнечника, 2 тонны.")

raw_letter(
    "31-header-only", "IMAP fetch of an oversized letter (headers only)",
    headers([("From", "Большой Файл <bigfile@client.ru>"), ("To", "sales@example.ru"),
             ("Subject", ew_b("Чертежи 40 МБ")), ("Date", "Thu, 28 Mar 2024 10:00:00 +0300"),
             ("Message-ID", "<big@client.ru>"), ("MIME-Version", "1.0"),
             ("Content-Type", "multipart/mixed; boundary=big")]) + CRLF,
    outcome="letter", sender_name="Большой Файл", sender_email="bigfile@client.ru",
    subject="Чертежи 40 МБ", text="", header_only=True, attachments=[], phones=[], inns=[],
    company=None, quoted=False, signature=False, message_id="big@client.ru")

raw_letter("32-binary-garbage", "binary garbage (a PNG file in the mailbox)",
           PNG + b"\x00\x01\x02IHDR\x00\x00", outcome="unparseable")
raw_letter("33-no-header-block", "a pasted text without any header",
           "Здравствуйте, хочу купить насос.\r\nИван\r\n".encode(), outcome="unparseable")

html34 = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">"
          "<style>.x{color:red}</style><script>alert(1)</script></head><body>"
          "<p class=MsoNormal>Добрый&nbsp;день!<o:p></o:p></p>"
          "<p>Просим рассмотреть &laquo;Заявку №&nbsp;15&raquo; &mdash; см. <a href=\"https://client.ru/z/15\">ссылку</a>.</p>"
          "<ul><li>трубы &ndash; 100 м</li><li>фитинги &#8212; 50 шт</li></ul>"
          "<p>Телефон: +7&nbsp;(843)&nbsp;222-33-44</p></body></html>")
letter(
    "34-html-only-entities", "Outlook (HTML only, meta charset)",
    [("From", "Марат Хабибуллин <marat@kazan-trubi.ru>"),
     ("To", "sales@example.ru"),
     ("Subject", "Zayavka 15"),
     ("Date", "Thu, 28 Mar 2024 12:00:00 +0300"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "text/html"),
     ("Content-Transfer-Encoding", "8bit")],
    html34.encode("cp1251"),
    sender_name="Марат Хабибуллин", sender_email="marat@kazan-trubi.ru", subject="Zayavka 15",
    text="Добрый день!\n\nПросим рассмотреть «Заявку № 15» — см. ссылку (https://client.ru/z/15).\n\n- трубы – 100 м\n- фитинги — 50 шт\n\nТелефон: +7 (843) 222-33-44",
    phones=["+78432223344"])

# --- Noise -------------------------------------------------------------------------------

letter(
    "35-auto-reply-auto-submitted", "Yandex Mail auto-responder",
    [("From", "Ольга <olga@client-a.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Автоответ: Re: Прайс")), ("Date", "Fri, 29 Mar 2024 10:00:00 +0300"),
     ("Auto-Submitted", "auto-replied"), ("Content-Type", "text/plain; charset=utf-8")],
    "Я в отпуске до 10 апреля.\r\n".encode(),
    outcome="ignored:auto_reply", sender_email="olga@client-a.ru")
letter(
    "36-auto-reply-x-autoreply", "Mail.ru auto-responder",
    [("From", "petr@client-b.ru"), ("To", "sales@example.ru"), ("Subject", "Re: Offer"),
     ("Date", "Fri, 29 Mar 2024 10:00:00 +0300"), ("X-Autoreply", "yes"),
     ("Content-Type", "text/plain; charset=utf-8")],
    b"I am out of office.\r\n", outcome="ignored:auto_reply")
letter(
    "37-x-autorespond", "The Bat! auto-responder",
    [("From", "semen@client-c.ru"), ("To", "sales@example.ru"), ("Subject", "Re: Offer"),
     ("Date", "Fri, 29 Mar 2024 10:00:00 +0300"), ("X-Autorespond", "Thank you"),
     ("Content-Type", "text/plain; charset=utf-8")],
    b"Thanks, we received your message.\r\n", outcome="ignored:auto_reply")
letter(
    "38-x-auto-response-suppress-only", "Outlook (X-Auto-Response-Suppress on an ordinary letter)",
    [("From", "Нина Громова <gromova@client-d.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Quote"), ("Date", "Fri, 29 Mar 2024 10:00:00 +0300"),
     ("X-Auto-Response-Suppress", "All"), ("X-MS-Exchange-Organization-AuthAs", "Internal"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Пришлите счёт на 2 сервера.\r\n".encode(),
    sender_name="Нина Громова", sender_email="gromova@client-d.ru", subject="Quote",
    text="Пришлите счёт на 2 сервера.")

dsn39 = multipart("report39", [
    ([("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")],
     b"This is the mail system at host mx.example.ru.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n<nobody@client-e.ru>: host mx.client-e.ru said: 550 5.1.1 User unknown\r\n"),
    ([("Content-Description", "Delivery report"), ("Content-Type", "message/delivery-status")],
     b"Reporting-MTA: dns; mx.example.ru\r\n\r\nFinal-Recipient: rfc822; nobody@client-e.ru\r\nAction: failed\r\nStatus: 5.1.1\r\n"),
    ([("Content-Description", "Undelivered Message"), ("Content-Type", "message/rfc822")],
     b"From: sales@example.ru\r\nTo: nobody@client-e.ru\r\nSubject: Offer\r\n\r\nOur offer.\r\n"),
])
letter(
    "39-bounce-postfix-dsn", "MAILER-DAEMON bounce (Postfix DSN)",
    [("Return-Path", "<>"), ("From", "MAILER-DAEMON@mx.example.ru (Mail Delivery System)"),
     ("To", "sales@example.ru"), ("Subject", "Undelivered Mail Returned to Sender"),
     ("Date", "Sat, 30 Mar 2024 10:00:00 +0300"), ("Auto-Submitted", "auto-replied"),
     ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"report39\"")],
    dsn39, outcome="ignored:bounce", sender_email="mailer-daemon@mx.example.ru")
letter(
    "40-bounce-exchange-ndr", "MAILER-DAEMON bounce (Exchange NDR)",
    [("From", "postmaster@client-f.ru"), ("To", "sales@example.ru"),
     ("Subject", "Undeliverable: Offer"), ("Date", "Sat, 30 Mar 2024 10:00:00 +0300"),
     ("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"ndr40\"")],
    multipart("ndr40", [
        ([("Content-Type", "text/html; charset=utf-8")], b"<p>Delivery has failed to these recipients.</p>"),
        ([("Content-Type", "message/delivery-status")], b"Reporting-MTA: dns;ex1.client-f.ru\r\n"),
    ]), outcome="ignored:bounce")
letter(
    "41-bounce-null-return-path", "qmail bounce (null Return-Path, no report)",
    [("Return-Path", "<>"), ("From", "Mail System <mail@mx.client-g.ru>"), ("To", "sales@example.ru"),
     ("Subject", "failure notice"), ("Date", "Sat, 30 Mar 2024 10:00:00 +0300"),
     ("Content-Type", "text/plain")],
    b"Hi. This is the qmail-send program. I'm afraid I wasn't able to deliver your message.\r\n",
    outcome="ignored:bounce")
letter(
    "42-read-receipt-outlook", "Outlook read receipt (disposition-notification)",
    [("From", "Иван Петров <ivan.petrov@romashka-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Прочитано: Счёт")), ("Date", "Sat, 30 Mar 2024 10:00:00 +0300"),
     ("Content-Type", "multipart/report; report-type=disposition-notification; boundary=\"mdn42\"")],
    multipart("mdn42", [
        ([("Content-Type", "text/plain; charset=utf-8")], "Ваше сообщение было прочитано.\r\n".encode()),
        ([("Content-Type", "message/disposition-notification")],
         b"Reporting-UA: ivan-pc; Microsoft Outlook 16.0\r\nFinal-Recipient: rfc822;ivan.petrov@romashka-client.ru\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n"),
    ]), outcome="ignored:read_receipt", sender_email="ivan.petrov@romashka-client.ru")
letter(
    "43-read-receipt-thunderbird", "Thunderbird read receipt",
    [("From", "a.smirnov@vektor.spb.ru"), ("To", "sales@example.ru"),
     ("Subject", "Return Receipt (displayed) - Offer"), ("Date", "Sat, 30 Mar 2024 10:00:00 +0300"),
     ("User-Agent", "Mozilla Thunderbird"),
     ("Content-Type", "multipart/report; boundary=\"mdn43\"; report-type=disposition-notification")],
    multipart("mdn43", [
        ([("Content-Type", "text/plain; charset=UTF-8")], b"This is a Return Receipt for the mail that you sent."),
        ([("Content-Type", "message/disposition-notification; name=\"MDNPart2.txt\"")], b"Disposition: manual-action/MDN-sent-manually; displayed\r\n"),
        ([("Content-Type", "text/rfc822-headers; name=\"MDNPart3.txt\"")], b"Subject: Offer\r\n"),
    ]), outcome="ignored:read_receipt")
letter(
    "44-mailing-list-list-id", "mailing list (Mailman)",
    [("From", "Vasily <vasily@opensource.org>"), ("To", "dev@lists.opensource.org"),
     ("Subject", "[dev] Release 2.0"), ("Date", "Sun, 31 Mar 2024 10:00:00 +0000"),
     ("List-Id", "Developers <dev.lists.opensource.org>"),
     ("List-Unsubscribe", "<mailto:dev-leave@lists.opensource.org>"),
     ("List-Post", "<mailto:dev@lists.opensource.org>"), ("Content-Type", "text/plain")],
    b"Release 2.0 is out. Call me +1 415 555 0100.\r\n", outcome="ignored:mailing_list",
    phones=["+14155550100"])
letter(
    "45-precedence-bulk-newsletter", "newsletter (Precedence: bulk)",
    [("From", "Новости <news@supplier-news.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Скидки недели")), ("Date", "Sun, 31 Mar 2024 10:00:00 +0300"),
     ("Precedence", "bulk"), ("Content-Type", "text/html; charset=utf-8")],
    "<h1>Скидки</h1><p>Только на этой неделе!</p>".encode(), outcome="ignored:mailing_list")
letter(
    "46-precedence-junk", "spam robot (Precedence: junk)",
    [("From", "offers@cheap-leads.biz"), ("To", "sales@example.ru"), ("Subject", "Leads"),
     ("Date", "Sun, 31 Mar 2024 10:00:00 +0300"), ("Precedence", "junk"),
     ("Content-Type", "text/plain")], b"Buy our database.\r\n", outcome="ignored:mailing_list")
letter(
    "47-list-unsubscribe-unisender", "newsletter service (List-Unsubscribe only)",
    [("From", "Маркетплейс <hello@market-mail.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Ваш отчёт"), ("Date", "Sun, 31 Mar 2024 10:00:00 +0300"),
     ("List-Unsubscribe", "<https://unsub.market-mail.ru/u/123>, <mailto:unsub@market-mail.ru>"),
     ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), ("Content-Type", "text/plain; charset=utf-8")],
    "Отчёт за неделю.\r\n".encode(), outcome="ignored:mailing_list")
letter(
    "48-own-address-loop", "own address (our sales mailbox writing to itself)",
    [("From", "Отдел продаж <Sales@Example.RU>"), ("To", "sales@example.ru"),
     ("Subject", "Re: Offer"), ("Date", "Mon, 01 Apr 2024 10:00:00 +0300"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Пересылаю себе.\r\n".encode(), outcome="ignored:own_address", sender_email="sales@example.ru")
letter(
    "49-own-domain-colleague", "own address (a colleague on our domain, Outlook)",
    [("From", "Менеджер Иванов <ivanov@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FYI"), ("Date", "Mon, 01 Apr 2024 10:00:00 +0300"), ("X-Mailer", "Microsoft Outlook 16.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Посмотри клиента.\r\n".encode(), outcome="ignored:own_address")

# --- Fields: threads, signatures, quotes, phones, forms ----------------------------------

letter(
    "50-gmail-reply-thread", "Gmail (reply in a thread)",
    [("From", "Olga Kuznetsova <olga.kuznetsova@gmail.com>"), ("To", "sales@example.ru"),
     ("Subject", "Re: Коммерческое предложение"), ("Date", "Mon, 01 Apr 2024 12:00:00 +0300"),
     ("Message-ID", "<CAF=reply2@mail.gmail.com>"),
     ("In-Reply-To", "<offer-1@example.ru>"),
     ("References", "<CAF=xyz123+abc@mail.gmail.com>\r\n <offer-1@example.ru>"),
     ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "quoted-printable")],
    qp("Спасибо, КП получили. Согласуем и вернёмся.\r\n\r\nпн, 1 апр. 2024 г. в 10:00, Sales Team <sales@example.ru>:\r\n\r\n> Направляем КП.\r\n".encode()),
    sender_email="olga.kuznetsova@gmail.com", subject="Re: Коммерческое предложение",
    text="Спасибо, КП получили. Согласуем и вернёмся.", quoted=True,
    message_id="CAF=reply2@mail.gmail.com", in_reply_to=["offer-1@example.ru"],
    references=["CAF=xyz123+abc@mail.gmail.com", "offer-1@example.ru"])

letter(
    "51-signature-ip-12-digit-inn", "Thunderbird (signature with a sole proprietor's INN)",
    [("From", "Пётр Сидоров <sidorov.ip@bk.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Заказ"), ("Date", "Mon, 01 Apr 2024 14:00:00 +0300"),
     ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit")],
    ("Прошу выставить счёт на 4 кондиционера.\r\n\r\n-- \r\nИП Сидоров Пётр Иванович\r\n"
     "ИНН 500100732259\r\nмоб. +7-999-888-77-66, раб. 8 (4012) 55-66-77 доб. 12\r\n").encode(),
    sender_name="Пётр Сидоров", sender_email="sidorov.ip@bk.ru", subject="Заказ",
    text="Прошу выставить счёт на 4 кондиционера.", signature=True,
    signature_contains=["ИНН 500100732259"], inns=["500100732259"],
    phones=["+79998887766", "+74012556677"], company="ИП Сидоров Пётр Иванович")

letter(
    "52-outlook-reply-header-block-ru", "Outlook (Russian reply header block)",
    [("From", "Денис Орлов <orlov@logistika-plus.ru>"), ("To", "sales@example.ru"),
     ("Subject", "RE: Доставка"), ("Date", "Tue, 02 Apr 2024 10:00:00 +0300"),
     ("X-Mailer", "Microsoft Outlook 16.0"),
     ("Content-Type", "text/plain; charset=\"utf-8\""), ("Content-Transfer-Encoding", "base64")],
    b64(("Согласны на доставку в пятницу.\r\n\r\nС уважением,\r\nДенис Орлов\r\nЗАО \"Логистика Плюс\"\r\n\r\n"
         "________________________________\r\nОт: Отдел продаж <sales@example.ru>\r\n"
         "Отправлено: 1 апреля 2024 г. 17:00\r\nКому: Денис Орлов\r\nТема: Доставка\r\n\r\n"
         "Когда удобно принять груз? Наш телефон +7 495 000-00-01\r\n").encode()),
    sender_name="Денис Орлов", sender_email="orlov@logistika-plus.ru", subject="RE: Доставка",
    text="Согласны на доставку в пятницу.", signature=True, signature_contains=["Денис Орлов"],
    quoted=True, quoted_contains=["Когда удобно принять груз?"], company="ЗАО «Логистика Плюс»",
    text_not_contains=["Отправлено:"])

letter(
    "53-outlook-original-message-en", "Outlook (English, -----Original Message-----)",
    [("From", "John Smith <john.smith@acme-corp.com>"), ("To", "sales@example.ru"),
     ("Subject", "RE: Pumps"), ("Date", "Tue, 02 Apr 2024 12:00:00 +0000"),
     ("Content-Type", "text/plain; charset=us-ascii")],
    (b"Please send the invoice to ACME.\r\n\r\nBest regards,\r\nJohn Smith\r\nAcme Corp LLC\r\n"
     b"+1 (212) 555-0199\r\n\r\n-----Original Message-----\r\nFrom: Sales <sales@example.ru>\r\n"
     b"Sent: Monday, April 1, 2024 5:00 PM\r\nTo: John Smith\r\nSubject: Pumps\r\n\r\nHere is our offer.\r\n"),
    sender_name="John Smith", sender_email="john.smith@acme-corp.com", subject="RE: Pumps",
    text="Please send the invoice to ACME.", signature=True, signature_contains=["Acme Corp LLC"],
    quoted=True, quoted_contains=["Here is our offer."], phones=["+12125550199"])

letter(
    "54-dangerous-attachment-names", "Outlook (attachment names to sanitise)",
    [("From", "hacker@evil-client.ru"), ("To", "sales@example.ru"), ("Subject", "files"),
     ("Date", "Tue, 02 Apr 2024 14:00:00 +0300"), ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=b54")],
    multipart("b54", [
        ([("Content-Type", "text/plain")], b"See files.\r\n"),
        ([("Content-Type", "application/octet-stream"), ("Content-Disposition", "attachment; filename=\"../../etc/passwd\"")], b"root:x:0:0\r\n"),
        ([("Content-Type", "text/plain"), ("Content-Disposition", "attachment; filename=\".htaccess\"")], b"deny\r\n"),
        ([("Content-Type", "application/octet-stream"), ("Content-Disposition", "attachment; filename=\"C:\\\\Users\\\\a\\\\con:fig?.txt\"")], b"x"),
        ([("Content-Type", "application/pdf"), ("Content-Disposition", "attachment; filename*=utf-8''%01evil%0Aname%E2%80%AE.pdf")], b"%PDF"),
        ([("Content-Type", "application/octet-stream"), ("Content-Disposition", "attachment")], b"\x00\x01"),
        ([("Content-Type", "application/octet-stream"), ("Content-Disposition", "attachment; filename=\"%s.txt\"" % ("я" * 150))], b"long"),
    ], preamble=None),
    sender_email="hacker@evil-client.ru", subject="files", text="See files.",
    attachments=[att("passwd", "application/octet-stream", 12), att("htaccess", "text/plain", 6),
                 att("con_fig_.txt", "application/octet-stream", 1), att("evilname.pdf", "application/pdf", 4),
                 att("attachment-5.bin", "application/octet-stream", 2),
                 att("я" * 98 + ".txt", "application/octet-stream", 4)])

letter(
    "55-attachment-over-limit", "Gmail (attachment over the size limit)",
    [("From", "Big Sender <big.sender@gmail.com>"), ("To", "sales@example.ru"), ("Subject", "Drawings"),
     ("Date", "Tue, 02 Apr 2024 15:00:00 +0300"), ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"0000000000005a1b2c\"")],
    multipart("0000000000005a1b2c", [
        ([("Content-Type", "text/plain; charset=\"UTF-8\"")], b"Drawings attached.\r\n"),
        ([("Content-Type", "application/pdf; name=\"big.pdf\""), ("Content-Disposition", "attachment; filename=\"big.pdf\""),
          ("Content-Transfer-Encoding", "base64")], b64(PDF * 3)),
        ([("Content-Type", "image/png; name=\"small.png\""), ("Content-Disposition", "attachment; filename=\"small.png\""),
          ("Content-Transfer-Encoding", "base64")], b64(PNG)),
        ([("Content-Type", "image/png; name=\"third.png\""), ("Content-Disposition", "attachment; filename=\"third.png\""),
          ("Content-Transfer-Encoding", "base64")], b64(PNG)),
    ], preamble=None),
    options={"max_attachment_bytes": 1024, "max_attachments": 2},
    sender_name="Big Sender", sender_email="big.sender@gmail.com", subject="Drawings",
    text="Drawings attached.", attachments_omitted=1,
    attachments=[att("big.pdf", "application/pdf", len(PDF) * 3, truncated=True),
                 att("small.png", "image/png", len(PNG), truncated=False)])

letter(
    "56-yandex-inline-forward", "Yandex Mail (inline forward kept as text)",
    [("From", "Светлана <svetlana@yandex.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Заявка"), ("Date", "Wed, 03 Apr 2024 10:00:00 +0300"),
     ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
    ("Посмотрите, пожалуйста.\r\n\r\n-------- Пересылаемое сообщение --------\r\n"
     "03.04.2024, 09:00, \"Клиент\" <client@firma.ru>:\r\n\r\nНужна поставка 10 паллет, тел. +7 912 345-67-89\r\n"
     "-------- Конец пересылаемого сообщения --------\r\n").encode(),
    sender_name="Светлана", sender_email="svetlana@yandex.ru", subject="Fwd: Заявка",
    text_contains=["Посмотрите, пожалуйста.", "Нужна поставка 10 паллет"], phones=["+79123456789"])

letter(
    "57-mailru-phone-formats", "Mail.ru (phone numbers in many formats)",
    [("From", "Константин <kostya@list.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Контакты"), ("Date", "Wed, 03 Apr 2024 12:00:00 +0300"),
     ("X-Mailer", "Mail.Ru Mailer 1.0"),
     ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
    ("Мои номера: 8 (916) 123-45-67, +7 903 765 43 21 и рабочий 8-800-555-35-35.\r\n"
     "Минский офис: +375 29 123-45-67.\r\nЗаказ № 1234567890 от 03.04.2024, счёт 40702810900000012345.\r\n"
     "Р/с 40702810938000012345, ОГРН 1027700132195.\r\n").encode(),
    sender_name="Константин", sender_email="kostya@list.ru", subject="Контакты",
    text_contains=["Мои номера"],
    phones=["+79161234567", "+79037654321", "+78005553535", "+375291234567"])

letter(
    "58-wordpress-cf7", "WordPress Contact Form 7 (PHPMailer)",
    [("From", "WordPress <wordpress@example.ru>"), ("Reply-To", "Максим Ежов <ezhov@stroy-m.ru>"),
     ("To", "sales@example.ru"), ("Subject", ew_b("Сайт \"Пример\" — новая заявка")),
     ("Date", "Wed, 03 Apr 2024 14:00:00 +0300"), ("X-Mailer", "PHPMailer 6.8.1 (https://github.com/PHPMailer/PHPMailer)"),
     ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit")],
    ("От: Максим Ежов <ezhov@stroy-m.ru>\r\nТема: Заявка на расчёт\r\n\r\nСообщение:\r\n"
     "Прошу рассчитать стоимость монтажа.\r\n\r\nТелефон: +7 (921) 765-43-21\r\nОрганизация: ООО «СтройМ»\r\n\r\n-- \r\n"
     "Это сообщение отправлено с сайта Пример (https://example.ru)\r\n").encode(),
    sender_name="Максим Ежов", sender_email="ezhov@stroy-m.ru", from_email="wordpress@example.ru",
    subject="Сайт \"Пример\" — новая заявка", form_mailer="wordpress",
    text_contains=["Прошу рассчитать стоимость монтажа."], phones=["+79217654321"],
    company="ООО «СтройМ»", signature=True)

letter(
    "59-1c-mailer-cp1251-base64", "1C's own mailer (windows-1251, base64)",
    [("From", ew_b("НОВОГАИД", "windows-1251") + " <office@novogaid.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Запрос цены на тепловизор", "windows-1251")),
     ("Date", "Thu, 04 Apr 2024 10:00:00 +0300"), ("X-Mailer", "1C:Enterprise 8"),
     ("MIME-Version", "1.0"), ("Content-Type", "multipart/mixed; boundary=\"1c59\"")],
    multipart("1c59", [
        ([("Content-Type", "text/plain; charset=windows-1251"), ("Content-Transfer-Encoding", "base64")],
         b64("Прошу направить цены на тепловизоры. Заявка во вложении.\r\nОтветственный: Гайдамак Н.Н., тел. 8 (861) 222-11-00\r\n".encode("cp1251"))),
        ([("Content-Type", "application/vnd.ms-excel; name=\"%s\"" % ew_b("Запрос.xls", "windows-1251")),
          ("Content-Disposition", "attachment; filename=\"%s\"" % ew_b("Запрос.xls", "windows-1251")),
          ("Content-Transfer-Encoding", "base64")], b64(XLSX[:700])),
    ]),
    sender_name="НОВОГАИД", sender_email="office@novogaid.ru", subject="Запрос цены на тепловизор",
    text_contains=["Прошу направить цены на тепловизоры"], phones=["+78612221100"],
    attachments=[att("Запрос.xls", "application/vnd.ms-excel", 700)], mailer="1C:Enterprise 8")

letter(
    "60-bitrix-no-reply-to", "Bitrix form mailer (no Reply-To)",
    [("From", "\"Сайт Пример\" <noreply@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заказ обратного звонка")), ("Date", "Thu, 04 Apr 2024 12:00:00 +0300"),
     ("X-Mailer", "Bitrix Framework"), ("Content-Type", "text/html; charset=UTF-8")],
    ("Информационное сообщение сайта<br>------------------------------------------<br>"
     "Ваше имя: Лидия Котова<br>Телефон: +7 (917) 333-22-11<br>Email: kotova.l@mail.ru<br>"
     "Удобное время: после 18:00<br>").encode(),
    sender_name="Лидия Котова", sender_email="kotova.l@mail.ru", from_email="noreply@example.ru",
    subject="Заказ обратного звонка", form_mailer="bitrix", phones=["+79173332211"],
    text_contains=["Ваше имя: Лидия Котова"],
    form_fields={"Ваше имя": "Лидия Котова", "Удобное время": "после 18:00"})

digest61 = multipart("digest61", [
    ([], b"From: a@lists.ru\r\nSubject: one\r\n\r\nFirst message.\r\n"),
    ([], b"From: b@lists.ru\r\nSubject: two\r\n\r\nSecond message.\r\n"),
])
letter(
    "61-list-digest", "mailing list digest (multipart/digest)",
    [("From", "list-request@lists.ru"), ("To", "sales@example.ru"), ("Subject", "Digest, Vol 1"),
     ("Date", "Thu, 04 Apr 2024 14:00:00 +0300"), ("List-Id", "<talk.lists.ru>"),
     ("Content-Type", "multipart/digest; boundary=digest61")],
    digest61, outcome="ignored:mailing_list")

html62 = ("<div dir=\"ltr\"><div>Hello,</div><div><br></div><div>We are interested in your "
          "<a href=\"https://example.ru/products/pumps\">pumps</a> and "
          "<a href=\"https://example.ru/\">https://example.ru/</a>.</div><div><br></div>"
          "<div>Regards,<br>Mark Twain<br>Twain &amp; Sons Ltd</div></div>")
letter(
    "62-gmail-html-only-links", "Gmail (HTML only, links and paragraphs)",
    [("From", "Mark Twain <mark@twain-sons.co.uk>"), ("To", "sales@example.ru"),
     ("Subject", "Pumps"), ("Date", "Fri, 05 Apr 2024 10:00:00 +0100"),
     ("Content-Type", "text/html; charset=\"UTF-8\""), ("Content-Transfer-Encoding", "quoted-printable")],
    qp(html62.encode()),
    sender_name="Mark Twain", sender_email="mark@twain-sons.co.uk", subject="Pumps",
    text="Hello,\n\nWe are interested in your pumps (https://example.ru/products/pumps) and https://example.ru/.",
    signature=True, signature_contains=["Mark Twain"], company=None)

full63 = base64.b64encode(PDF).decode()
letter(
    "63-truncated-letter", "Outlook (letter cut off mid-attachment)",
    [("From", "Обрыв <cut@client-h.ru>"), ("To", "sales@example.ru"), ("Subject", "Cut"),
     ("Date", "Fri, 05 Apr 2024 12:00:00 +0300"), ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"b63\"")],
    b"--b63\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "Высылаю файл.\r\n".encode()
    + b"--b63\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=cut.pdf\r\n"
    + b"Content-Transfer-Encoding: base64\r\n\r\n" + full63[:402].encode(),
    sender_name="Обрыв", sender_email="cut@client-h.ru", subject="Cut", text="Высылаю файл.",
    attachments=[att("cut.pdf", "application/pdf", 402 * 6 // 8)])

letter(
    "64-smime-signed", "Outlook (S/MIME signed)",
    [("From", "Секретарь <secretary@gov-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Signed"), ("Date", "Fri, 05 Apr 2024 14:00:00 +0300"), ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"sig64\"")],
    multipart("sig64", [
        ([("Content-Type", "text/plain; charset=utf-8")], "Просим направить коммерческое предложение.\r\n".encode()),
        ([("Content-Type", "application/pkcs7-signature; name=smime.p7s"), ("Content-Disposition", "attachment; filename=smime.p7s"),
          ("Content-Transfer-Encoding", "base64")], b64(bytes(64))),
    ]),
    sender_name="Секретарь", sender_email="secretary@gov-client.ru", subject="Signed",
    text="Просим направить коммерческое предложение.")

letter(
    "65-thebat-koi8r-quote", "The Bat! (KOI8-R reply with quotes)",
    [("From", ew_b("Виталий", "koi8-r") + " <vitaly@nsk-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Re: Поставка", "koi8-r")), ("Date", "Sat, 06 Apr 2024 10:00:00 +0700"),
     ("X-Mailer", "The Bat! (v4.0.24) Professional"),
     ("Content-Type", "text/plain; charset=koi8-r"), ("Content-Transfer-Encoding", "8bit")],
    ("Здравствуйте, Отдел.\r\n\r\nБерём всю партию, реквизиты ниже.\r\n\r\n"
     "Вы писали 5 апреля 2024 г., 18:00:00:\r\n\r\n> Партия готова к отгрузке.\r\n\r\n"
     "--\r\nС уважением,\r\n Виталий\r\n").encode("koi8-r"),
    sender_name="Виталий", sender_email="vitaly@nsk-client.ru", subject="Re: Поставка",
    text="Здравствуйте, Отдел.\n\nБерём всю партию, реквизиты ниже.", quoted=True,
    signature=True, signature_contains=["Виталий"],
    quoted_contains=["Партия готова к отгрузке."])

letter(
    "66-apple-mail-attachment-rfc2231", "Apple Mail (RFC 2231 file name, inline disposition)",
    [("From", "Анастасия Юрьева <yurieva@me.com>"), ("To", "sales@example.ru"),
     ("Subject", "=?utf-8?Q?=D0=A4=D0=BE=D1=82=D0=BE?="), ("Date", "Sat, 06 Apr 2024 12:00:00 +0300"),
     ("X-Mailer", "Apple Mail (2.3774.500.171.1.1)"), ("Mime-Version", "1.0 (Mac OS X Mail 16.0)"),
     ("Content-Type", "multipart/mixed; boundary=\"Apple-Mail=_66\"")],
    multipart("Apple-Mail=_66", [
        ([("Content-Transfer-Encoding", "7bit"), ("Content-Type", "text/plain; charset=us-ascii")], b"Photo of the damaged box.\r\n"),
        ([("Content-Disposition", "inline;\r\n\tfilename*=utf-8''%D0%A4%D0%BE%D1%82%D0%BE%20%D0%BA%D0%BE%D1%80%D0%BE%D0%B1%D0%BA%D0%B8.png"),
          ("Content-Type", "image/png;\r\n\tx-unix-mode=0644;\r\n\tname=\"=?utf-8?B?0KTQvtGC0L4ucG5n?=\""),
          ("Content-Transfer-Encoding", "base64")], b64(PNG)),
    ], preamble=None),
    sender_name="Анастасия Юрьева", sender_email="yurieva@me.com", subject="Фото",
    text="Photo of the damaged box.",
    attachments=[att("Фото коробки.png", "image/png", len(PNG), inline=True)])

# --- Own-domain forms, replies to our requests, mislabelled HTML ---------------------------

letter(
    "67-callback-form-own-domain", "site callback form (PHP mail() sending from the company's own domain, no Reply-To)",
    [("From", "noreply@example.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заказ обратного звонка")), ("Date", "Sun, 07 Apr 2024 10:00:00 +0300"),
     ("Message-ID", "<a3f1c2d4e5b6@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
    "Имя: Иван\r\nТелефон: +7 916 222-33-44\r\n".encode(),
    outcome="letter", form_mailer="form", sender_name="Иван", sender_email=None,
    phones=["+79162223344"])

letter(
    "68-reply-to-form-request-quoted", "Outlook (a client's reply quoting our letter with our signature and INN)",
    [("From", "Иван Петров <petrov@stroymash.ru>"), ("To", "sales@example.ru"),
     ("Subject", "RE: " + ew_b("Заявка №1542 с сайта")), ("Date", "Tue, 09 Apr 2024 11:30:00 +0300"),
     ("Message-ID", "<000d01da8a5b$2f4e6a80$8deb3f80@stroymash.ru>"),
     ("In-Reply-To", "<req1542@example.ru>"), ("References", "<req1542@example.ru>"),
     ("X-Mailer", "Microsoft Outlook 16.0"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=\"utf-8\""), ("Content-Transfer-Encoding", "8bit")],
    ("Счёт оплатим в пятницу.\r\n\r\n-----Original Message-----\r\n"
     "From: Отдел продаж <sales@example.ru>\r\nSent: Monday, April 8, 2024 10:00 AM\r\n"
     "To: petrov@stroymash.ru\r\nSubject: Заявка №1542 с сайта\r\n\r\n"
     "Добрый день! Высылаем счёт по вашей заявке.\r\n\r\nС уважением,\r\nОтдел продаж\r\n"
     "Телефон: +7 (495) 111-22-33\r\nE-mail: sales@example.ru\r\nИНН: 7707083893\r\n").encode(),
    outcome="letter", sender_name="Иван Петров", sender_email="petrov@stroymash.ru",
    form_mailer=None, text="Счёт оплатим в пятницу.", quoted=True, phones=[], inns=[])

letter(
    "69-bitrix-feedback-form-own-from", "1C-Bitrix stock FEEDBACK_FORM mail template (From the site's own address, no X-Mailer)",
    [("From", "info@example.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("example.ru: Сообщение из формы обратной связи")),
     ("Date", "Tue, 09 Apr 2024 14:05:00 +0300"), ("Message-ID", "<20240409140500.7f3a91@example.ru>"),
     ("X-EVENT_NAME", "FEEDBACK_FORM"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit")],
    ("Информационное сообщение сайта example.ru\r\n------------------------------------------\r\n\r\n"
     "Вам было отправлено сообщение через форму обратной связи\r\n\r\n"
     "Автор: Иван Петров\r\nE-mail автора: petrov@x.ru\r\n\r\nТекст сообщения:\r\n"
     "Нужна консультация по поставке насосов.\r\n\r\nСообщение сгенерировано автоматически.\r\n").encode(),
    outcome="letter", form_mailer="form", sender_name="Иван Петров", sender_email="petrov@x.ru")

letter(
    "70-cf7-own-from-external-reply-to", "WordPress Contact Form 7 default template through an SMTP plugin (From our mailbox, client in Reply-To)",
    [("From", ew_b("Сайт Пример") + " <sales@example.ru>"),
     ("Reply-To", ew_b("Мария Соколова") + " <maria@client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Пример: «Запрос цены»")), ("Date", "Wed, 10 Apr 2024 09:15:00 +0300"),
     ("Message-ID", "<Kq3Zt8vXb2LmN5pR7sT9uW1yA4cE6gH8@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit")],
    ("От: Мария Соколова <maria@client.ru>\r\nТема: Запрос цены\r\n\r\nТекст сообщения:\r\n"
     "Сколько стоит доставка 20 паллет в Казань?\r\n\r\n-- \r\n"
     "Это сообщение отправлено с сайта Пример (https://example.ru)\r\n").encode(),
    outcome="letter", sender_name="Мария Соколова", sender_email="maria@client.ru",
    signature=True)

letter(
    "71-exchange-oof-without-auto-submitted", "Exchange 2010 out-of-office reply (X-Auto-Response-Suppress, no Auto-Submitted)",
    [("From", ew_b("Сидоров Пётр") + " <sidorov@client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Автоматический ответ: Коммерческое предложение")),
     ("Thread-Topic", ew_b("Коммерческое предложение")),
     ("Thread-Index", "AQHaiz3kVd2mZx0Qe0S7bFQ6yJr5Tw=="),
     ("Date", "Wed, 10 Apr 2024 10:02:11 +0300"),
     ("Message-ID", "<7F3A2B1C0D9E4F5A8B6C@EXCH01.client.local>"),
     ("In-Reply-To", "<offer-1@example.ru>"),
     ("Content-Language", "ru-RU"), ("X-MS-Has-Attach", ""), ("X-MS-TNEF-Correlator", ""),
     ("X-Auto-Response-Suppress", "All"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=\"utf-8\""), ("Content-Transfer-Encoding", "base64")],
    b64("Я в отпуске до 15.04. По срочным вопросам: Смирнов, +7 916 000-00-00\r\n".encode()),
    outcome="ignored:auto_reply")

letter(
    "72-google-group-own-list", "Google Groups (our sales@ address is a group: a client's letter relayed with list headers)",
    [("From", ew_b("Клиент") + " <client.buyer@gmail.com>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Запрос")), ("Date", "Wed, 10 Apr 2024 12:40:00 +0300"),
     ("Message-ID", "<CAJx7pQ4m+Zk2v9Lr1fTn0aBcD3eF5gH6iJ@mail.gmail.com>"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=\"UTF-8\""),
     ("X-Original-Sender", "client.buyer@gmail.com"), ("Precedence", "list"),
     ("Mailing-list", "list sales@example.ru; contact sales+owners@example.ru"),
     ("List-Id", "<sales.example.ru>"),
     ("List-Post", "<https://groups.google.com/a/example.ru/group/sales/post>, <mailto:sales@example.ru>"),
     ("List-Help", "<https://support.google.com/a/example.ru/bin/topic.py?topic=25838>, <mailto:sales+help@example.ru>"),
     ("List-Unsubscribe", "<mailto:sales+unsubscribe@example.ru>")],
    "Нужен счёт на 10 коробок. Тел. +7 916 555-44-33\r\n".encode(),
    outcome="letter", sender_email="client.buyer@gmail.com", phones=["+79165554433"])

letter(
    "73-form-through-bulk-mail-service", "site form notification relayed by a bulk-mail service (List-Unsubscribe, Auto-Submitted)",
    [("From", ew_b("Формы сайта") + " <noreply@forms-relay.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Новая заявка с сайта")), ("Date", "Wed, 10 Apr 2024 15:20:00 +0300"),
     ("Message-ID", "<20240410122000.5c1e8a@forms-relay.ru>"),
     ("List-Unsubscribe", "<https://forms-relay.ru/unsub/abc>"),
     ("Auto-Submitted", "auto-generated"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
    "Имя: Олег\r\nТелефон: 8 903 123 45 67\r\nEmail: oleg@mail.ru\r\n".encode(),
    outcome="letter", form_mailer="form", sender_name="Олег", sender_email="oleg@mail.ru",
    phones=["+79031234567"])

letter(
    "74-html-without-head-close", "web mail HTML-only letter whose <head> is never closed",
    [("From", "Иван <ivan@client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Запрос")), ("Date", "Thu, 11 Apr 2024 09:10:00 +0300"),
     ("Message-ID", "<1712815800.448811@client.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/html; charset=utf-8"), ("Content-Transfer-Encoding", "8bit")],
    ("<html><head><meta charset=\"utf-8\"><body><p>Добрый день! Нужен прайс.</p>"
     "<p>Телефон: +7 916 123-45-67</p></body></html>").encode(),
    outcome="letter", text_contains=["Добрый день! Нужен прайс."], phones=["+79161234567"])

letter(
    "75-html-form-with-bare-newlines", "PHP form script declaring text/html but sending plain lines without tags",
    [("From", "noreply@site-client.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заявка с сайта")), ("Date", "Thu, 11 Apr 2024 11:45:00 +0300"),
     ("Message-ID", "<6617a1f4c2b3e@site-client.ru>"), ("X-Mailer", "PHP/7.4.33"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/html; charset=utf-8"),
     ("Content-Transfer-Encoding", "8bit")],
    "Имя: Иван\nТелефон: +7 916 765-43-21\nE-mail: ivan@client.ru\n".encode(),
    outcome="letter", form_mailer="form", sender_name="Иван", sender_email="ivan@client.ru",
    phones=["+79167654321"], form_fields={"Имя": "Иван", "E-mail": "ivan@client.ru"})

# 9161234510 passes the 10-digit INN checksum, yet after «моб.» it is a mobile number.
letter(
    "76-inna-signature-mobile", "Mail.ru (signature with a bare 10-digit mobile number that passes the INN checksum)",
    [("From", ew_b("Инна Петрова") + " <inna@client.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Прайс")), ("Date", "Thu, 11 Apr 2024 13:00:00 +0300"),
     ("Message-ID", "<1712829600.219453871@f512.i.mail.ru>"), ("X-Mailer", "Mail.Ru Mailer 1.0"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8"),
     ("Content-Transfer-Encoding", "8bit")],
    "Добрый день! Пришлите прайс.\r\n\r\n-- \r\nИнна Петрова, моб. 9161234510\r\n".encode(),
    outcome="letter", inns=[], phones=["+79161234510"], signature=True)

html77 = ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
          "xmlns:w=\"urn:schemas-microsoft-com:office:word\" xmlns=\"http://www.w3.org/TR/REC-html40\">\r\n"
          "<head>\r\n<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\r\n"
          "<style><!--\r\n/* Font Definitions */\r\n"
          "@font-face {font-family:Calibri; panose-1:2 15 5 2 2 2 4 3 2 4;}\r\n"
          "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; margin-bottom:.0001pt; "
          "font-size:11.0pt; font-family:\"Calibri\",sans-serif; mso-fareast-language:EN-US;}\r\n"
          "a:link, span.MsoHyperlink {mso-style-priority:99; color:#0563C1; text-decoration:underline;}\r\n"
          "span.EmailStyle17 {mso-style-type:personal-compose; font-family:\"Calibri\",sans-serif; color:windowtext;}\r\n"
          ".MsoChpDefault {mso-style-type:export-only; font-family:\"Calibri\",sans-serif;}\r\n"
          "@page WordSection1 {size:612.0pt 792.0pt; margin:2.0cm 42.5pt 2.0cm 3.0cm;}\r\n"
          "div.WordSection1 {page:WordSection1;}\r\n--></style>\r\n</head>\r\n"
          "<body lang=\"RU\" link=\"#0563C1\" vlink=\"#954F72\">\r\n<div class=\"WordSection1\">\r\n"
          "<p class=\"MsoNormal\"><span style=\"font-size:12.0pt;font-family:&quot;Arial&quot;,sans-serif\">"
          "Добрый день!</span></p>\r\n"
          "<table class=\"MsoNormalTable\" border=\"0\" cellspacing=\"0\" cellpadding=\"0\" "
          "style=\"border-collapse:collapse;mso-table-layout-alt:fixed\">\r\n"
          "<tr><td width=\"160\" valign=\"top\" style=\"width:120.0pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\"><b>Имя:</b></p></td>"
          "<td width=\"320\" valign=\"top\" style=\"width:240.0pt;border:solid windowtext 1.0pt;border-left:none;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\">Светлана</p></td></tr>\r\n"
          "<tr><td width=\"160\" valign=\"top\" style=\"width:120.0pt;border:solid windowtext 1.0pt;border-top:none;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\"><b>Телефон:</b></p></td>"
          "<td width=\"320\" valign=\"top\" style=\"width:240.0pt;border-top:none;border-left:none;border-bottom:solid windowtext 1.0pt;border-right:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\">+7 903 222-11-00</p></td></tr>\r\n"
          "<tr><td width=\"160\" valign=\"top\" style=\"width:120.0pt;border:solid windowtext 1.0pt;border-top:none;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\"><b>Сообщение:</b></p></td>"
          "<td width=\"320\" valign=\"top\" style=\"width:240.0pt;border-top:none;border-left:none;border-bottom:solid windowtext 1.0pt;border-right:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt\">"
          "<p class=\"MsoNormal\">Нужна доставка в Тверь</p></td></tr>\r\n"
          "</table>\r\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\r\n</div>\r\n</body>\r\n</html>\r\n")
letter(
    "77-html-latin1-declared-cp1251", "old PHP site form with a copied Outlook HTML template declaring iso-8859-1 but writing windows-1251 bytes",
    [("From", ew_b("Менеджер сайта", "windows-1251") + " <robot@old-site.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Zayavka"), ("Date", "Thu, 11 Apr 2024 16:30:00 +0300"),
     ("Message-ID", "<20240411163000.12345@old-site.ru>"), ("X-Mailer", "PHP/5.2.17"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/html; charset=iso-8859-1"),
     ("Content-Transfer-Encoding", "8bit")],
    html77.encode("cp1251"),
    outcome="letter", text_contains=["Добрый день!", "Светлана", "Нужна доставка в Тверь"],
    phones=["+79032221100"])

content78 = "ООО «Ромашка», ИНН 7707083893".encode()
letter(
    "78-apple-inline-text-attachment", "Apple Mail (a .txt file attached inline, RFC 2231 file name)",
    [("Content-Type", "multipart/mixed; boundary=\"Apple-Mail=_8E1F3C2A-5B7D-4E9F-A1C3-78D2E4F6A8B0\""),
     ("From", "=?utf-8?Q?=D0=9E=D0=BB=D1=8C=D0=B3=D0=B0?= <olga@romashka-client.ru>"),
     ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3774.500.171.1.1\\))"),
     ("Subject", ew_q("Реквизиты".encode())), ("Date", "Fri, 12 Apr 2024 10:20:00 +0300"),
     ("Message-Id", "<8E1F3C2A-5B7D-4E9F-A1C3-78D2E4F6A8B0@romashka-client.ru>"),
     ("To", "sales@example.ru"), ("X-Mailer", "Apple Mail (2.3774.500.171.1.1)")],
    multipart("Apple-Mail=_8E1F3C2A-5B7D-4E9F-A1C3-78D2E4F6A8B0", [
        ([("Content-Transfer-Encoding", "quoted-printable"), ("Content-Type", "text/plain;\r\n\tcharset=utf-8")],
         qp("Реквизиты во вложении.\r\n".encode())),
        ([("Content-Disposition", "inline;\r\n\tfilename*=utf-8''%D0%A0%D0%B5%D0%BA%D0%B2%D0%B8%D0%B7%D0%B8%D1%82%D1%8B.txt"),
          ("Content-Type", "text/plain; charset=utf-8"),
          ("Content-Transfer-Encoding", "base64")], b64(content78)),
    ], preamble=None),
    outcome="letter", text="Реквизиты во вложении.",
    attachments=[att("Реквизиты.txt", "text/plain", len(content78), inline=True)], inns=[])

letter(
    "79-allowed-sender-through-list-relay",
    "leads forwarded by a partner's lead service through its bulk mailer (List-Unsubscribe, "
    "Auto-Submitted: auto-generated), its domain in mail.allow_senders",
    [("From", "Лиды партнёра <leads@partner-leads.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Новый лид: поставка насосов")), ("Date", "Mon, 08 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<lead-5531@partner-leads.ru>"), ("MIME-Version", "1.0"),
     ("List-Unsubscribe", "<https://partner-leads.ru/unsubscribe/5531>"),
     ("Auto-Submitted", "auto-generated"), ("Content-Type", "text/plain; charset=utf-8")],
    "Клиент интересуется поставкой насосов, просит перезвонить: +7 916 444-55-66\r\n".encode(),
    options={"allow_senders": ["@partner-leads.ru"]},
    sender_email="leads@partner-leads.ru", phones=["+79164445566"])

letter(
    "80-client-forwards-our-offer",
    "a client forwards our own commercial offer back (Gmail inline forward): our phone, INN "
    "and company in the forwarded signature are not the client's",
    [("From", "Иван Петров <petrov@stroyka-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Коммерческое предложение"), ("Date", "Tue, 09 Apr 2024 10:00:00 +0300"),
     ("Message-ID", "<fwd-offer-1@stroyka-client.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Добрый день! По этому КП хотим заказать 20 штук.\r\n\r\n"
     "С уважением,\r\nИван Петров\r\nООО «Стройка»\r\n\r\n"
     "---------- Forwarded message ---------\r\n"
     "From: Отдел продаж <sales@example.ru>\r\nDate: Mon, 8 Apr 2024 at 15:00\r\n"
     "Subject: Коммерческое предложение\r\nTo: <petrov@stroyka-client.ru>\r\n\r\n"
     "Высылаем коммерческое предложение на насосы.\r\n\r\n"
     "С уважением,\r\nОтдел продаж ООО «Насосы Плюс»\r\nТел.: +7 495 111-22-33\r\n"
     "ИНН 7707083893\r\n").encode(),
    sender_name="Иван Петров", sender_email="petrov@stroyka-client.ru",
    subject="Fwd: Коммерческое предложение", signature=True,
    signature_contains=["Иван Петров"], company="ООО «Стройка»",
    text_contains=["хотим заказать 20 штук", "Forwarded message"], phones=[], inns=[])
letter(
    "81-colleague-forwards-client",
    "a colleague on our domain forwards a client's request to the sales mailbox (Outlook "
    "inline forward with a [mailto:] address)",
    [("From", "Директор <director@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FW: Запрос цены"), ("Date", "Tue, 09 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<fw-2@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, обработайте, пожалуйста.\r\n\r\n"
     "-----Forwarded message-----\r\n"
     "От: Ольга Смирнова [mailto:olga@client-firm.ru]\r\nОтправлено: 9 апреля 2024 г. 10:30\r\n"
     "Кому: director@example.ru\r\nТема: Запрос цены\r\n\r\n"
     "Сколько стоит поставка 5 насосов? Тел. +7 916 111-22-33\r\n").encode(),
    sender_name="Ольга Смирнова", sender_email="olga@client-firm.ru", subject="FW: Запрос цены",
    text_contains=["Коллеги, обработайте", "Сколько стоит поставка 5 насосов?"],
    phones=["+79161112233"])
letter(
    "82-outlook-reply-long-cc",
    "Outlook plain-text reply whose wrapped To/Cc lists push Тема: below the sixth line",
    [("From", "Пётр Сидоров <sidorov@partner-firm.ru>"), ("To", "sales@example.ru"),
     ("Subject", "RE: Поставка"), ("Date", "Tue, 09 Apr 2024 12:00:00 +0300"),
     ("Message-ID", "<re-long-cc@partner-firm.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Согласовано, ждём счёт.\r\n\r\n"
     "От: Отдел продаж <sales@example.ru>\r\nОтправлено: 8 апреля 2024 г. 16:00\r\n"
     "Кому: Пётр Сидоров <sidorov@partner-firm.ru>; Анна Козлова\r\n"
     "<kozlova@partner-firm.ru>; Бухгалтерия <buh@partner-firm.ru>; Склад\r\n"
     "<sklad@partner-firm.ru>\r\n"
     "Копия: Директор <director@example.ru>; Логистика\r\n<logistics@example.ru>; Юрист\r\n"
     "<lawyer@example.ru>\r\nТема: Поставка\r\n\r\n"
     "Высылаем условия.\r\n\r\nС уважением,\r\nОтдел продаж\r\nТел.: +7 495 111-22-33\r\n").encode(),
    sender_name="Пётр Сидоров", sender_email="sidorov@partner-firm.ru", subject="RE: Поставка",
    text="Согласовано, ждём счёт.", quoted=True, quoted_contains=["Высылаем условия."],
    phones=[])

letter(
    "83-colleague-forward-with-own-signature",
    "a colleague forwards a client's letter with her own signature (our phone and INN) above "
    "the forward: the contacts are the client's",
    [("From", "Менеджер Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Счёт"), ("Date", "Wed, 10 Apr 2024 10:00:00 +0300"),
     ("Message-ID", "<fwd-3@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, это ваш клиент.\r\n\r\nС уважением,\r\nАнна\r\nООО «Насосы Плюс»\r\n"
     "ИНН 7707083893\r\nТел. +7 495 111-22-33\r\n\r\n"
     "---------- Forwarded message ---------\r\n"
     "From: Олег Кузнецов <oleg@zavod-client.ru>\r\nDate: Tue, 9 Apr 2024 at 18:00\r\n"
     "Subject: Счёт\r\nTo: anna@example.ru\r\n\r\n"
     "Выставьте счёт на 3 насоса. Тел. +7 903 444-55-66\r\n").encode(),
    sender_name="Олег Кузнецов", sender_email="oleg@zavod-client.ru", subject="Fwd: Счёт",
    signature=True, text_contains=["Выставьте счёт на 3 насоса"], phones=["+79034445566"])
letter(
    "84-newsletter-with-contact-footer",
    "a shop's newsletter from a no-reply address whose footer has «Телефон:» and «E-mail:» "
    "lines (List-Unsubscribe): still a mailing list, not a form",
    [("From", "Магазин Инструмент <noreply@instrument-shop.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Скидки недели")), ("Date", "Wed, 10 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<news-77@instrument-shop.ru>"), ("MIME-Version", "1.0"),
     ("List-Unsubscribe", "<https://instrument-shop.ru/unsubscribe?u=77>"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Только на этой неделе скидки до 30%!\r\n\r\nТелефон: 8 800 100-20-30\r\n"
     "E-mail: info@instrument-shop.ru\r\n").encode(),
    outcome="ignored:mailing_list")
letter(
    "85-cf7-with-date-field",
    "Contact Form 7 template with a date field below (От:, Тема:, …, Дата:) sent as sales@ with "
    "the visitor in Reply-To: a form, not an Outlook quote",
    [("From", "Сайт <sales@example.ru>"), ("Reply-To", "Мария <maria@client.ru>"),
     ("To", "sales@example.ru"), ("Subject", "Сайт: Запрос"), ("Date", "Wed, 10 Apr 2024 12:00:00 +0300"),
     ("Message-ID", "<cf7-85@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("От: Мария <maria@client.ru>\r\nТема: Запрос\r\n\r\nСообщение:\r\nНужен счёт на доставку.\r\n"
     "\r\nДата: 10.04.2024\r\n").encode(),
    sender_name="Мария", sender_email="maria@client.ru",
    text_contains=["Нужен счёт на доставку."], quoted=False)
letter(
    "86-form-postal-address-before-email",
    "a site form whose «Почтовый адрес» field comes before «E-mail»",
    [("From", "noreply@tools-site.ru"), ("To", "sales@example.ru"),
     ("Subject", "Заявка с сайта"), ("Date", "Wed, 10 Apr 2024 13:00:00 +0300"),
     ("Message-ID", "<form-86@tools-site.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Имя: Иван\r\nПочтовый адрес: 123456, Москва, ул. Ленина, 1\r\nE-mail: ivan@x-client.ru\r\n"
     "Телефон: +7 916 321-00-99\r\n").encode(),
    form_mailer="form", sender_name="Иван", sender_email="ivan@x-client.ru",
    phones=["+79163210099"])
letter(
    "87-reply-from-bitrix-webmail",
    "a person's reply through a Bitrix24 mailbox (X-Bitrix-Posting) whose signature has "
    "«Телефон:»/«E-mail:» lines: a reply, not a form",
    [("From", "Сергей Волков <volkov@partner-co.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Re: Поставка"), ("Date", "Wed, 10 Apr 2024 14:00:00 +0300"),
     ("Message-ID", "<re-87@partner-co.ru>"), ("In-Reply-To", "<offer-87@example.ru>"),
     ("X-Bitrix-Posting", "1234"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Подтверждаем заказ.\r\n\r\n-- \r\nСергей Волков\r\nТелефон: +7 915 222-33-44\r\n"
     "E-mail: zakaz@partner-co.ru\r\n").encode(),
    form_mailer=None, sender_name="Сергей Волков", sender_email="volkov@partner-co.ru",
    text="Подтверждаем заказ.", signature=True, phones=["+79152223344"])


# --- Forwards without a marker, form look-alikes, relayed callbacks, form labels -----------

letter(
    "88-outlook-forward-header-block-ru",
    "a colleague forwards a client's letter with Outlook (FW:, no «Forwarded message» line, "
    "only the От:/Отправлено:/Кому:/Тема: block): the client wrote it",
    [("From", "Директор <director@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FW: Запрос цены"), ("Date", "Tue, 09 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<fw9@example.ru>"), ("X-Mailer", "Microsoft Outlook 16.0"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, обработайте.\r\n\r\n"
     "От: Ольга Смирнова <olga@client-firm.ru>\r\nОтправлено: 9 апреля 2024 г. 10:30\r\n"
     "Кому: director@example.ru\r\nТема: Запрос цены\r\n\r\n"
     "Нужно 5 насосов. Тел. +7 916 111-22-33\r\n").encode(),
    sender_name="Ольга Смирнова", sender_email="olga@client-firm.ru", subject="FW: Запрос цены",
    text_contains=["Коллеги, обработайте.", "Нужно 5 насосов."], phones=["+79161112233"])
letter(
    "89-outlook-forward-original-message-en",
    "a colleague forwards a client's letter with English Outlook (FW:, -----Original "
    "Message----- block)",
    [("From", "Sales Manager <manager@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FW: Pumps"), ("Date", "Tue, 09 Apr 2024 12:00:00 +0000"),
     ("Message-ID", "<fw-89@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=us-ascii")],
    (b"Please handle.\r\n\r\n-----Original Message-----\r\n"
     b"From: John Smith <john.smith@acme-corp.com>\r\nSent: Monday, April 8, 2024 5:00 PM\r\n"
     b"To: manager@example.ru\r\nSubject: Pumps\r\n\r\nPlease quote 5 pumps.\r\nJohn Smith\r\n"
     b"+1 (212) 555-0199\r\n"),
    sender_name="John Smith", sender_email="john.smith@acme-corp.com", subject="FW: Pumps",
    text_contains=["Please handle.", "Please quote 5 pumps."], phones=["+12125550199"])
letter(
    "90-thunderbird-ru-forward-marker",
    "a colleague forwards a client's letter inline with Russian Thunderbird («-------- "
    "Перенаправленное сообщение --------», then Тема:/Дата:/От:/Кому:)",
    [("From", "Менеджер Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Запрос цены"), ("Date", "Tue, 09 Apr 2024 13:00:00 +0300"),
     ("Message-ID", "<fwd-90@example.ru>"), ("User-Agent", "Mozilla Thunderbird"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=UTF-8; format=flowed")],
    ("Это вам.\r\n\r\n\r\n-------- Перенаправленное сообщение --------\r\n"
     "Тема: \tЗапрос цены\r\nДата: \tTue, 9 Apr 2024 10:30:00 +0300\r\n"
     "От: \tОльга Смирнова <olga@client-firm.ru>\r\nКому: \tanna@example.ru\r\n\r\n\r\n\r\n"
     "Нужно 5 насосов. Тел. +7 916 111-22-33\r\n").encode(),
    sender_name="Ольга Смирнова", sender_email="olga@client-firm.ru",
    text_contains=["Это вам.", "Нужно 5 насосов."], phones=["+79161112233"])
letter(
    "91-colleague-forwards-tilda-form",
    "a colleague forwards a Tilda notification with Outlook (FW:, header block, her signature "
    "above it): the visitor in the forwarded form is the sender",
    [("From", "Менеджер Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FW: Новая заявка с сайта example.ru"), ("Date", "Wed, 10 Apr 2024 09:30:00 +0300"),
     ("Message-ID", "<fw-91@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, заявка с сайта.\r\n\r\nС уважением,\r\nАнна\r\nТел. +7 495 111-22-33\r\n\r\n"
     "От: Tilda Publishing <robot@tilda.ws>\r\nОтправлено: 10 апреля 2024 г. 9:00\r\n"
     "Кому: Анна <anna@example.ru>\r\nТема: Новая заявка с сайта example.ru\r\n\r\n"
     "Request details:\r\n\r\nName: Виктор Ломов\r\nEmail: lomov@inbox.ru\r\n"
     "Phone: +7 (926) 000-11-22\r\n\r\nAdditional information:\r\nBlock ID: rec123456\r\n"
     "Form Name: Заказать звонок\r\n").encode(),
    form_mailer="tilda", sender_name="Виктор Ломов", sender_email="lomov@inbox.ru",
    text_contains=["Коллеги, заявка с сайта.", "Name: Виктор Ломов"], signature=True,
    phones=["+79260001122"], form_fields={"Name": "Виктор Ломов"})
letter(
    "92-person-letter-signature-looks-like-form",
    "a buyer's own letter whose subject says «Заявка» and whose signature has «Тел.:» and "
    "«E-mail:» lines (a colleague's address): From stays the sender",
    [("From", "Иван Петров <i.petrov@stroyka.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Заявка на поставку насосов"), ("Date", "Wed, 10 Apr 2024 10:30:00 +0300"),
     ("Message-ID", "<req-92@stroyka.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Просим выставить счёт на 10 насосов.\r\n\r\nС уважением,\r\nИван Петров\r\n"
     "Тел.: +7 (495) 123-45-67\r\nE-mail: zakupki@stroyka.ru\r\n").encode(),
    form_mailer=None, sender_name="Иван Петров", sender_email="i.petrov@stroyka.ru",
    text="Просим выставить счёт на 10 насосов.", signature=True, phones=["+74951234567"])
letter(
    "93-callback-form-through-bulk-relay",
    "a callback form (a name and a phone, no address) relayed by a bulk-mail service "
    "(Auto-Submitted: auto-generated, List-Unsubscribe)",
    [("From", ew_b("Формы сайта") + " <noreply@forms-relay.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заказ обратного звонка")), ("Date", "Wed, 10 Apr 2024 15:40:00 +0300"),
     ("Message-ID", "<20240410124000.5c1e8b@forms-relay.ru>"),
     ("Auto-Submitted", "auto-generated"), ("List-Unsubscribe", "<https://forms-relay.ru/u/1>"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8")],
    "Имя: Олег\r\nТелефон: 8 903 123 45 67\r\n".encode(),
    form_mailer="form", sender_name="Олег", sender_email=None, phones=["+79031234567"])
html94 = ("<html><body><b>Request details:</b><br><br>Phone: +7 (916) 765-43-21<br><br>"
          "<b>Additional information:</b><br>Transaction ID: 5523235:3445544<br>"
          "Block ID: rec123456<br>Form Name: Заказать звонок<br>https://example.ru/</body></html>")
letter(
    "94-tilda-callback-form-name-metadata",
    "Tilda callback form with a phone only: «Form Name: Заказать звонок» names the form, not "
    "the visitor",
    [("From", "Tilda Publishing <robot@tilda.ws>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Новая заявка с сайта example.ru")), ("Date", "Thu, 11 Apr 2024 10:00:00 +0000"),
     ("Message-ID", "<5523235.3445544@tilda.ws>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/html; charset=utf-8"), ("Content-Transfer-Encoding", "quoted-printable")],
    qp(html94.encode()),
    form_mailer="tilda", sender_name=None, sender_email=None, phones=["+79167654321"],
    text_contains=["Form Name: Заказать звонок"])
letter(
    "95-form-fio-and-email-address-labels",
    "a site form labelled «Ф.И.О.» and «Адрес электронной почты»",
    [("From", "noreply@stroy-site.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заявка с сайта")), ("Date", "Thu, 11 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<form-95@stroy-site.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Ф.И.О.: Сергеев Пётр Ильич\r\nАдрес электронной почты: sergeev@client.ru\r\n"
     "Телефон: +7 (903) 555-66-77\r\nКомментарий: Нужна консультация\r\n").encode(),
    form_mailer="form", sender_name="Сергеев Пётр Ильич", sender_email="sergeev@client.ru",
    phones=["+79035556677"], form_fields={"Ф.И.О.": "Сергеев Пётр Ильич"})
letter(
    "96-form-address-label-and-bare-email",
    "a site form asking «Как к вам обращаться» and «Куда ответить» (a label naming no e-mail, "
    "its value one address)",
    [("From", "noreply@stroy-site.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заявка с сайта")), ("Date", "Thu, 11 Apr 2024 11:30:00 +0300"),
     ("Message-ID", "<form-96@stroy-site.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Как к вам обращаться: Марина\r\nКуда ответить: Marina@Client.ru\r\n"
     "Телефон: +7 (903) 555-66-78\r\n").encode(),
    form_mailer="form", sender_name="Марина", sender_email="marina@client.ru",
    phones=["+79035556678"])
body97 = ("example.ru\r\n\r\nЗаполнена web-форма: [1] SIMPLE_FORM_1\r\n"
          "-------------------------------------------------------\r\n\r\n"
          "Дата - 12.04.2024 10:15:00\r\nРезультат - 15\r\nПользователь - [] не авторизован\r\n"
          "Посетитель - 231\r\nСессия - 1722\r\n\r\n\r\n"
          "Имя\r\n*******************************\r\nИван Петров\r\n\r\n"
          "Эл. почта\r\n*******************************\r\nivan@client.ru\r\n\r\n"
          "Телефон\r\n*******************************\r\n+7 916 123-45-67\r\n\r\n"
          "Для просмотра воспользуйтесь ссылкой:\r\n"
          "http://example.ru/bitrix/admin/form_result_view.php?lang=ru&WEB_FORM_ID=1&RESULT_ID=15\r\n\r\n"
          "-------------------------------------------------------\r\n"
          "Письмо сгенерировано автоматически.\r\n")
head97 = [("From", "info@example.ru"), ("To", "sales@example.ru"),
          ("Subject", ew_b("example.ru: заполнена web-форма [1] SIMPLE_FORM_1")),
          ("Date", "Fri, 12 Apr 2024 10:15:00 +0300"), ("Message-ID", "<20240412101500.15@example.ru>"),
          ("X-EVENT_NAME", "FORM_FILLING_SIMPLE_FORM_1"), ("MIME-Version", "1.0"),
          ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit")]
letter(
    "97-bitrix-web-form-asterisks-own-from",
    "1C-Bitrix «Веб-формы» notification (label, a line of asterisks, value; no colons) from the "
    "site's own address",
    head97, body97.encode(),
    form_mailer="bitrix", sender_name="Иван Петров", sender_email="ivan@client.ru",
    phones=["+79161234567"], text_contains=["Иван Петров"],
    form_fields={"Имя": "Иван Петров", "Эл. почта": "ivan@client.ru"})
letter(
    "98-bitrix-web-form-asterisks",
    "1C-Bitrix «Веб-формы» notification from an address not configured as ours",
    head97, body97.encode(), options={"own_addresses": []},
    form_mailer="bitrix", sender_name="Иван Петров", sender_email="ivan@client.ru",
    phones=["+79161234567"])
letter(
    "99-phones-near-order-and-requisite-words",
    "a buyer's contacts: phones after «Отдел заказов», «Приём заказов», «Заказ звонка» and a "
    "requisites line; an order number after «№» is no phone",
    [("From", "Константин <kostya@romashka-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Контакты"), ("Date", "Fri, 12 Apr 2024 12:00:00 +0300"),
     ("Message-ID", "<contacts-99@romashka-client.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Добрый день! Наши контакты для связи.\r\nОтдел заказов: +7 (495) 123-45-67\r\n"
     "Приём заказов: 8-800-555-35-35\r\nЗаказ звонка: +7 916 765-43-21\r\n"
     "ООО «Ромашка», ИНН 7707083893, тел. +7 (812) 300-40-50\r\n"
     "Наш прошлый заказ № 89161112233 оплачен, номер заказа: 89031112233, "
     "заказ 89261112233 в пути.\r\nИНН филиала — 5001007329.\r\n"
     "\r\nС уважением,\r\nКонстантин\r\n").encode(),
    sender_name="Константин", sender_email="kostya@romashka-client.ru", signature=True,
    phones=["+74951234567", "+78005553535", "+79167654321", "+78123004050"],
    inns=["7707083893", "5001007329"], company="ООО «Ромашка»")

letter(
    "100-newsletter-with-phone-footer-only",
    "a shop's newsletter from a no-reply address whose footer has «Телефон:» and «Адрес:» but "
    "no e-mail (List-Unsubscribe): still a mailing list — a phone alone is no callback form",
    [("From", "Магазин Инструмент <noreply@instrument-shop.ru>"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Скидки недели")), ("Date", "Wed, 10 Apr 2024 11:05:00 +0300"),
     ("Message-ID", "<news-78@instrument-shop.ru>"), ("MIME-Version", "1.0"),
     ("List-Unsubscribe", "<https://instrument-shop.ru/unsubscribe?u=78>"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Только на этой неделе скидки до 30%!\r\n\r\nТелефон: 8 800 100-20-30\r\n"
     "Адрес: Москва, ул. Строителей, 5\r\n").encode(),
    outcome="ignored:mailing_list")
letter(
    "101-site-script-from-its-own-mailbox",
    "a site's PHP form sending from the site's mailbox (not configured as ours), no Reply-To, "
    "the visitor's address on another domain: the visitor is the sender",
    [("From", "zakaz@stroy-site.ru"), ("To", "sales@example.ru"),
     ("Subject", ew_b("Заявка с сайта")), ("Date", "Thu, 11 Apr 2024 09:15:00 +0300"),
     ("Message-ID", "<site-101@stroy-site.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Имя: Иван\r\nТелефон: +7 916 222-33-44\r\nE-mail: ivan@mail.ru\r\n"
     "Сообщение: Нужна смета на ремонт\r\n").encode(),
    form_mailer="form", sender_name="Иван", sender_email="ivan@mail.ru", phones=["+79162223344"])

letter(
    "102-colleague-forwards-cf7-form",
    "a colleague forwards (Outlook FW:, no marker) a Contact Form 7 notification whose own "
    "text begins with header-like «От:» / «Тема:» lines: they are the form, not the header",
    [("From", "Менеджер Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "FW: Сайт: Запрос"), ("Date", "Wed, 10 Apr 2024 12:30:00 +0300"),
     ("Message-ID", "<fw-102@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Посмотрите, пожалуйста.\r\n\r\n"
     "От: Сайт <wordpress@example.ru>\r\nОтправлено: 10 апреля 2024 г. 12:00\r\n"
     "Кому: Анна <anna@example.ru>\r\nТема: Сайт: Запрос\r\n\r\n"
     "От: Мария <maria@client.ru>\r\nТема: Запрос\r\n\r\nСообщение:\r\n"
     "Нужен счёт на доставку.\r\n").encode(),
    sender_name="Мария", sender_email="maria@client.ru")

letter(
    "103-m365-inbox-rule-redirect",
    "a client's letter redirected from info@ to sales@ by a Microsoft 365 inbox rule, which "
    "marks it Auto-Submitted: auto-generated (and X-MS-Exchange-Inbox-Rules-Loop): a lead",
    [("From", "Ольга Смирнова <olga@client-firm.ru>"), ("To", "info@example.ru"),
     ("Subject", ew_b("Запрос цены на насосы")), ("Date", "Fri, 12 Apr 2024 10:00:00 +0300"),
     ("Message-ID", "<m365-103@client-firm.ru>"), ("MIME-Version", "1.0"),
     ("Auto-Submitted", "auto-generated"), ("X-MS-Exchange-Inbox-Rules-Loop", "info@example.ru"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Добрый день! Нужно 5 насосов, счёт на ООО «Вектор».\r\nТел. +7 916 111-22-33\r\n".encode(),
    sender_name="Ольга Смирнова", sender_email="olga@client-firm.ru", phones=["+79161112233"],
    company="ООО «Вектор»")
letter(
    "104-m365-auto-generated-notification",
    "the same headers' auto-generated notification without a rule's loop header: still noise",
    [("From", "Microsoft 365 <no-reply@microsoft.com>"), ("To", "sales@example.ru"),
     ("Subject", "Your subscription renews soon"), ("Date", "Fri, 12 Apr 2024 10:05:00 +0000"),
     ("Message-ID", "<m365-104@microsoft.com>"), ("MIME-Version", "1.0"),
     ("Auto-Submitted", "auto-generated"), ("Content-Type", "text/plain; charset=utf-8")],
    "Your subscription renews on 1 May.\r\n".encode(),
    outcome="ignored:auto_reply")

letter(
    "105-client-m365-rule-autoresponder",
    "a client's own Microsoft 365 inbox rule answering with a template (auto-generated, the "
    "loop header naming the client's mailbox, not ours): still an auto-reply",
    [("From", "Ольга Смирнова <olga@client-firm.ru>"), ("To", "manager@example.ru"),
     ("Subject", "Re: Коммерческое предложение"), ("Date", "Fri, 12 Apr 2024 10:10:00 +0300"),
     ("Message-ID", "<m365-105@client-firm.ru>"), ("MIME-Version", "1.0"),
     ("Auto-Submitted", "auto-generated"),
     ("X-MS-Exchange-Inbox-Rules-Loop", "olga@client-firm.ru"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Спасибо, ваше письмо получено. Отвечу после 20 апреля.\r\n".encode(),
    outcome="ignored:auto_reply")

letter(
    "106-m365-rule-forward-from-sibling-mailbox",
    "a client's letter a Microsoft 365 rule of info@firma.ru redirected to the polled "
    "sales@firma.ru, only sales@ configured as ours: a mailbox on our domain forwarded it",
    [("From", "Олег Иванов <oleg@stroy-client.ru>"), ("To", "info@firma.ru"),
     ("Subject", ew_b("Нужна смета")), ("Date", "Fri, 12 Apr 2024 11:00:00 +0300"),
     ("Message-ID", "<m365-106@stroy-client.ru>"), ("MIME-Version", "1.0"),
     ("Auto-Submitted", "auto-generated"), ("X-MS-Exchange-Inbox-Rules-Loop", "info@firma.ru"),
     ("Content-Type", "text/plain; charset=utf-8")],
    "Добрый день! Нужна смета на ремонт офиса.\r\n".encode(),
    options={"own_addresses": ["sales@firma.ru"]},
    sender_name="Олег Иванов", sender_email="oleg@stroy-client.ru")

letter(
    "107-apple-mail-quoted-forward",
    "a colleague forwards a client's letter from an iPhone: Apple Mail quotes the forwarded "
    "header and text with `> ` below «Начало переадресованного сообщения:»",
    [("From", "Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Запрос КП"), ("Date", "Mon, 30 Nov 2026 10:05:00 +0300"),
     ("Message-ID", "<apple-fwd-107@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, посмотрите.\r\n\r\nОтправлено с iPhone\r\n\r\n"
     "Начало переадресованного сообщения:\r\n\r\n"
     "> От: Иван Петров <ivan@client.ru>\r\n"
     "> Дата: 30 ноября 2026 г. в 10:00:00 GMT+3\r\n"
     "> Кому: anna@example.ru\r\n> Тема: Запрос КП\r\n>\r\n"
     "> Нужен расчёт на 10 насосов. Тел. 8 912 345-67-89\r\n").encode(),
    sender_name="Иван Петров", sender_email="ivan@client.ru", subject="Fwd: Запрос КП",
    text_contains=["Нужен расчёт на 10 насосов"], phones=["+79123456789"], signature=True)
letter(
    "108-forwarded-reply-quotes-our-offer",
    "a colleague forwards a client's reply that quotes our offer below an Outlook header: the "
    "phone, INN and company in the quoted offer are ours, not the client's",
    [("From", "Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: RE: КП на насосы"), ("Date", "Mon, 30 Nov 2026 11:00:00 +0300"),
     ("Message-ID", "<fwd-reply-108@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Коллеги, клиент согласен.\r\n\r\n"
     "---------- Forwarded message ---------\r\n"
     "От: Иван Петров <ivan@client.ru>\r\nDate: пн, 30 нояб. 2026 г. в 10:00\r\n"
     "Subject: RE: КП на насосы\r\nTo: <anna@example.ru>\r\n\r\n"
     "Согласны, выставляйте счёт. Мой мобильный 8 916 555-44-33\r\n\r\n"
     "От: Анна <anna@example.ru>\r\nОтправлено: 27 ноября 2026 г. 15:00\r\n"
     "Кому: ivan@client.ru\r\nТема: КП на насосы\r\n\r\n"
     "С уважением, Анна\r\nООО «Насосы Плюс», ИНН 7707083893\r\n"
     "Тел. +7 495 111-22-33\r\n").encode(),
    sender_name="Иван Петров", sender_email="ivan@client.ru", subject="Fwd: RE: КП на насосы",
    text_contains=["Согласны, выставляйте счёт"], phones=["+79165554433"])

letter(
    "109-first-letter-from-bitrix-mailbox",
    "a person's first letter (no reply) from a Bitrix24 mailbox (X-Bitrix-Posting) whose "
    "signature has «Телефон:» and «E-mail:» lines: the sender stays the person",
    [("From", "Сергей Волков <volkov@partner-co.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Запрос цены"), ("Date", "Mon, 30 Nov 2026 12:00:00 +0300"),
     ("Message-ID", "<bx-109@partner-co.ru>"), ("X-Bitrix-Posting", "1234"),
     ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8")],
    ("Пришлите цену на 5 насосов.\r\n\r\n-- \r\nСергей Волков\r\n"
     "Телефон: +7 915 222-33-44\r\nE-mail: zakaz@partner-co.ru\r\n").encode(),
    sender_name="Сергей Волков", sender_email="volkov@partner-co.ru", subject="Запрос цены",
    text_contains=["Пришлите цену на 5 насосов"], phones=["+79152223344"], signature=True)

letter(
    "110-mailru-forward-attribution",
    "a colleague forwards a client's letter from Mail.ru, whose forward names the sender in an "
    "attribution line with a time (`…, 10:00 +03:00 от Иван Петров <…>:`)",
    [("From", "Анна <anna@example.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Fwd: Заявка"), ("Date", "Mon, 30 Nov 2026 10:30:00 +0300"),
     ("Message-ID", "<mailru-fwd-110@example.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "text/plain; charset=utf-8")],
    ("Передаю клиента.\r\n\r\n-------- Пересылаемое сообщение --------\r\n"
     "Понедельник, 30 ноября 2026, 10:00 +03:00 от Иван Петров <ivan@client.ru>:\r\n\r\n"
     "Нужна поставка труб, 2 тонны. Тел. +7 903 111-22-33\r\n").encode(),
    sender_name="Иван Петров", sender_email="ivan@client.ru", subject="Fwd: Заявка",
    text_contains=["Нужна поставка труб"], phones=["+79031112233"])


# Outlook's winmail.dat: written by tnef_writer.py.
TNEF_DOCX = b"PK\x03\x04" + bytes((i * 13) % 256 for i in range(900))
winmail111 = tnef([
    ("ТЗНАПО~1.DOC".encode("cp1251"), "ТЗ на поставку.docx", TNEF_DOCX, 0x1F),
    ("РЕКВИЗ~1.PDF".encode("cp1251"), "Реквизиты.pdf", PDF, 0x1E),
])
letter(
    "111-outlook-winmail-dat",
    "Outlook in Rich Text format: the letter's text in text/plain, its files inside winmail.dat "
    "(application/ms-tnef); the long names in MAPI properties, UTF-16 and cp1251",
    [("From", "Павел Орлов <orlov@zavod-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Запрос КП"), ("Date", "Mon, 30 Nov 2026 13:00:00 +0300"),
     ("Message-ID", "<tnef-111@zavod-client.ru>"), ("MIME-Version", "1.0"),
     ("X-Mailer", "Microsoft Office Outlook 12.0"),
     ("Content-Type", "multipart/mixed; boundary=\"tnef111\"")],
    multipart("tnef111", [
        ([("Content-Type", "text/plain; charset=windows-1251"),
          ("Content-Transfer-Encoding", "8bit")],
         "Добрый день! Высылаем ТЗ и реквизиты. Тел. +7 495 222-33-44\r\n".encode("cp1251")),
        ([("Content-Type", "application/ms-tnef; name=\"winmail.dat\""),
          ("Content-Disposition", "attachment; filename=\"winmail.dat\""),
          ("Content-Transfer-Encoding", "base64")], b64(winmail111)),
    ]),
    sender_name="Павел Орлов", sender_email="orlov@zavod-client.ru", subject="Запрос КП",
    text_contains=["Высылаем ТЗ и реквизиты"], phones=["+74952223344"], mailer="Microsoft Office Outlook 12.0",
    attachments=[
        att("ТЗ на поставку.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", len(TNEF_DOCX)),
        att("Реквизиты.pdf", "application/pdf", len(PDF)),
    ])

rtf112 = ("{\\rtf1\\ansi\\ansicpg1251\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
          "{\\colortbl;\\red0\\green0\\blue0;}\\f0\\fs20 "
          + "".join("\\'%02x" % b for b in "Добрый день!".encode("cp1251"))
          + "\\par "
          + "".join("\\'%02x" % b for b in "Прошу выставить счёт на 20 стульев. Тел. 8 916 777-88-99"
                    .encode("cp1251"))
          + "\\par\\par "
          + "".join("\\'%02x" % b for b in "С уважением, Ольга".encode("cp1251"))
          + "\\par\n}").encode("ascii")
letter(
    "112-outlook-tnef-only",
    "Outlook in Rich Text format with no text part: the letter is only winmail.dat, its text in "
    "compressed RTF (\\ansicpg1251, \\'hh escapes)",
    [("From", "Ольга Белова <belova@mebel-client.ru>"), ("To", "sales@example.ru"),
     ("Subject", "Счёт"), ("Date", "Mon, 30 Nov 2026 13:30:00 +0300"),
     ("Message-ID", "<tnef-112@mebel-client.ru>"), ("MIME-Version", "1.0"),
     ("Content-Type", "multipart/mixed; boundary=\"tnef112\"")],
    multipart("tnef112", [
        ([("Content-Type", "application/ms-tnef; name=\"winmail.dat\""),
          ("Content-Disposition", "attachment; filename=\"winmail.dat\""),
          ("Content-Transfer-Encoding", "base64")], b64(tnef([], rtf=rtf112))),
    ]),
    sender_name="Ольга Белова", sender_email="belova@mebel-client.ru", subject="Счёт",
    text_contains=["Прошу выставить счёт на 20 стульев"], phones=["+79167778899"],
    signature=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, raw, expected in LETTERS:
        with open(os.path.join(OUT, name + ".eml"), "wb") as handle:
            handle.write(raw)
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as handle:
            json.dump(expected, handle, ensure_ascii=False, indent=2, sort_keys=True)
            handle.write("\n")
    print("wrote %d letters" % len(LETTERS))


if __name__ == "__main__":
    main()
