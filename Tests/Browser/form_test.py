#!/usr/bin/env python3
"""A real browser submits a plain HTML form to the real daemon.

Debian's chromium (headless) driven by Selenium through chromium-driver loads a page whose
<form> posts (multipart/form-data) to /hooks/<channel>?token=…, fills it in with Cyrillic text,
attaches a file, submits twice (a double click: the page's submission_id makes it one lead),
and must land on the thank-you page; the inquiry must then be in the queue, once, with the file
attached. A second visitor (a bot that fills the hidden honeypot) also lands
on the thank-you page, and its submission is kept as `ignored`. A third fills in the form of a
windows-1251 page (the browser posts it in windows-1251). Any failure exits non-zero.

Usage: form_test.py BINARY CHANNELS_DIR
"""
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

TOKEN = "browser-form-token"
API_TOKEN = "browser-api-token"
FILE_NAME = "Реквизиты ООО Ромашка.txt"
FILE_TEXT = "ИНН 7707083893\nКПП 770701001\n"

PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Заявка</title>
<style>.hp {{ position: absolute; left: -9999px; }}</style></head>
<body>
<h1>Оставьте заявку</h1>
<form id="lead" method="post" enctype="multipart/form-data" action="{action}">
  <label>Имя <input name="Имя" id="name"></label>
  <label>Телефон <input name="Телефон" id="phone" type="tel"></label>
  <label>Почта <input name="Почта" id="email" type="email"></label>
  <label>Компания <input name="Компания" id="company"></label>
  <label>Сообщение <textarea name="Сообщение" id="message"></textarea></label>
  <label>Файл <input name="file" id="file" type="file"></label>
  <input type="hidden" name="utm_source" value="browser-test">
  <div class="hp"><label>Сайт <input name="website" id="website" tabindex="-1"
    autocomplete="off"></label></div>
  <input type="hidden" name="form_started_at" id="started">
  <input type="hidden" name="submission_id" id="submission">
  <button type="submit" id="send">Отправить</button>
</form>
<script>
  document.getElementById('started').value = Date.now();
  document.getElementById('submission').value =
    crypto.randomUUID ? crypto.randomUUID() : Date.now() + '-' + Math.random();
</script>
</body></html>
"""
# An older site: the page (and so the form the browser posts) is in windows-1251.
PAGE_1251 = """<!doctype html>
<html lang="ru"><head><meta charset="windows-1251"><title>Заявка</title></head>
<body>
<form id="lead" method="post" action="{action}">
  <label>Имя <input name="Имя" id="name"></label>
  <label>Телефон <input name="Телефон" id="phone"></label>
  <label>Сообщение <textarea name="Сообщение" id="message"></textarea></label>
  <button type="submit" id="send">Отправить</button>
</form>
</body></html>
"""
THANKS = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Спасибо</title>
</head><body><h1 id="thanks">Спасибо! Мы перезвоним.</h1></body></html>"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(message):
    print(f"BROWSER TEST FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def api(base, path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {API_TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve_pages(folder, port):
    handler = lambda *a, **k: QuietHandler(*a, directory=folder, **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def fill_and_submit(driver, page_url, values, attach, honeypot=None, twice=False):
    driver.get(page_url)
    for field, text in values.items():
        driver.find_element(By.ID, field).send_keys(text)
    if attach is not None:
        driver.find_element(By.ID, "file").send_keys(attach)
    if honeypot is not None:
        # What a form-filling bot does: it fills every input it finds, hidden or not.
        driver.execute_script("document.getElementById('website').value = arguments[0]", honeypot)
    time.sleep(2.5)  # a person takes a moment; the instance asks for at least 2 s
    if twice:
        # A double click: the same form posted once more before the page is left.
        driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const form = document.getElementById('lead');
            fetch(form.action, {method: 'POST', body: new FormData(form), mode: 'no-cors'})
              .then(() => done(), () => done());""")
    driver.find_element(By.ID, "send").click()


def main():
    if len(sys.argv) != 3:
        fail("usage: form_test.py BINARY CHANNELS_DIR")
    binary, channels = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="inlet-browser-")
    daemon_port, page_port = free_port(), free_port()
    pages = os.path.join(work, "site")
    os.makedirs(pages)
    os.makedirs(os.path.join(work, "credentials"))
    with open(os.path.join(work, "credentials", "form-token"), "w") as f:
        f.write(TOKEN)
    with open(os.path.join(work, "credentials", "api"), "w") as f:
        f.write(API_TOKEN)
    page_base = f"http://127.0.0.1:{page_port}"
    base = f"http://127.0.0.1:{daemon_port}"
    with open(os.path.join(pages, "form.html"), "w", encoding="utf-8") as f:
        f.write(PAGE.format(action=f"{base}/hooks/web?token={TOKEN}"))
    with open(os.path.join(pages, "form-1251.html"), "w", encoding="cp1251") as f:
        f.write(PAGE_1251.format(action=f"{base}/hooks/web?token={TOKEN}"))
    with open(os.path.join(pages, "thanks.html"), "w", encoding="utf-8") as f:
        f.write(THANKS)
    attachment = os.path.join(work, FILE_NAME)
    with open(attachment, "w", encoding="utf-8") as f:
        f.write(FILE_TEXT)
    with open(os.path.join(work, "inlet.yaml"), "w") as f:
        f.write(f"""database:
  path: var/inlet.sqlite
channels_dir: {channels}
secrets_dir: credentials
http:
  host: 127.0.0.1
  port: {daemon_port}
api:
  tokens:
    - {{ name: crm, token_file: api, scope: read-write }}
channels:
  - name: web
    definition: generic
    token_file: form-token
    options:
      thank_you_url: {page_base}/thanks.html
      honeypot: website
      min_fill_seconds: 2
      max_body_bytes: 5000000
      max_file_bytes: 1000000
""")
    server = serve_pages(pages, page_port)
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([binary, "serve", "--config", os.path.join(work, "inlet.yaml")],
                              stdout=log, stderr=log)
    driver = None
    passed = False
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/health/ready", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        else:
            fail("the daemon did not become ready")

        driver = browser()
        values = {"name": "Анна Викторовна Смирнова", "phone": "8 (916) 123-45-67",
                  "email": "Anna@Пример.РФ", "company": "ООО «Ромашка»",
                  "message": "Добрый день! Пришлите, пожалуйста, счёт на 5 лицензий."}
        fill_and_submit(driver, f"{page_base}/form.html", values, attachment, twice=True)
        WebDriverWait(driver, 10).until(expected_conditions.url_to_be(f"{page_base}/thanks.html"))
        heading = driver.find_element(By.ID, "thanks").text
        if "Спасибо" not in heading:
            fail(f"the thank-you page shows {heading!r}")
        print(f"person: landed on {driver.current_url} ({heading})")

        items = json.loads(api(base, "/api/v1/inquiries?status=new"))["items"]
        if len(items) != 1:
            fail(f"expected one new inquiry (the form was posted twice), got {len(items)}: {items}")
        inquiry = items[0]
        sender = inquiry["sender"]
        expected = {"name": values["name"], "phone": "+79161234567", "email": "anna@пример.рф"}
        for key, value in expected.items():
            if sender.get(key) != value:
                fail(f"sender.{key} is {sender.get(key)!r}, expected {value!r}")
        if inquiry.get("text") != values["message"]:
            fail(f"text is {inquiry.get('text')!r}")
        if (inquiry.get("company") or {}).get("name") != values["company"]:
            fail(f"company is {inquiry.get('company')!r}")
        if inquiry["extra"].get("utm_source") != "browser-test":
            fail(f"extra is {inquiry['extra']!r}")
        if "website" in inquiry["extra"] or "form_started_at" in inquiry["extra"] \
                or "submission_id" in inquiry["extra"]:
            fail(f"anti-spam fields leaked into extra: {inquiry['extra']!r}")
        attachments = inquiry["attachments"]
        if len(attachments) != 1 or attachments[0]["name"] != FILE_NAME:
            fail(f"attachments are {attachments!r}")
        content = api(base, f"/api/v1/attachments/{attachments[0]['id']}")
        if content.decode("utf-8") != FILE_TEXT:
            fail(f"the stored file differs: {content!r}")
        print(f"person: inquiry {inquiry['id']} with attachment {attachments[0]['name']!r} "
              f"({attachments[0]['size']} bytes)")

        fill_and_submit(driver, f"{page_base}/form.html",
                        {"name": "Bot", "email": "bot@spam.example", "message": "cheap pills"},
                        attachment, honeypot="http://spam.example")
        WebDriverWait(driver, 10).until(expected_conditions.url_to_be(f"{page_base}/thanks.html"))
        ignored = json.loads(api(base, "/api/v1/inquiries?status=ignored"))["items"]
        if len(ignored) != 1 or "honeypot" not in (ignored[0].get("reason") or ""):
            fail(f"the bot's submission should be ignored with the honeypot reason: {ignored}")
        if len(json.loads(api(base, "/api/v1/inquiries?status=new"))["items"]) != 1:
            fail("the bot's submission reached the queue")
        print(f"bot: landed on the thank-you page; kept as ignored ({ignored[0]['reason']})")

        old_site = {"name": "Пётр Ильич", "phone": "+7 903 111-22-33", "message": "Счёт, пожалуйста"}
        fill_and_submit(driver, f"{page_base}/form-1251.html", old_site, None)
        WebDriverWait(driver, 10).until(expected_conditions.url_to_be(f"{page_base}/thanks.html"))
        items = json.loads(api(base, "/api/v1/inquiries?status=new"))["items"]
        latest = items[-1]
        if len(items) != 2 or latest["sender"].get("name") != old_site["name"] \
                or latest.get("text") != old_site["message"] \
                or latest["sender"].get("phone") != "+79031112233":
            fail(f"the windows-1251 page's submission was read as {latest!r}")
        print(f"windows-1251 page: inquiry {latest['id']} from {latest['sender']['name']!r}")
        print("browser test passed")
        passed = True
    except SystemExit:
        raise
    except Exception as error:
        fail(f"{type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        daemon.terminate()
        daemon.wait(timeout=10)
        server.shutdown()
        log.close()
        if passed:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept for inspection: {work} (daemon.log)", file=sys.stderr)


if __name__ == "__main__":
    main()
