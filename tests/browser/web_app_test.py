#!/usr/bin/env python3
"""The web app in a real browser (issue 18): Debian's chromium, headless, driven by
python3-selenium through /usr/bin/chromedriver.

Two browser users and one terminal client (a raw line-protocol connection, as telnet would
be) chat in the lobby; a join request is accepted in the page; a file the terminal client
shares is listed with its size, and once the group is open its .torrent link downloads a
torrent that announces with the member's passkey; a reload keeps the login (resume token).

Usage: web_app_test.py <tracker-binary> <screenshot-dir>
Exit 77 (skipped, for ctest) when chromium, chromedriver or selenium is missing.
Every wait is on the page's state (WebDriverWait), never a bare sleep.
"""
import base64
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.request

SKIP = 77
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

try:
    from selenium.common.exceptions import (ElementClickInterceptedException,
                                            ElementNotInteractableException,
                                            NoSuchElementException,
                                            StaleElementReferenceException)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed (scripts/install-deps)")
    sys.exit(SKIP)

WAIT = 20  # seconds any one expectation may take


class Tracker:
    def __init__(self, binary, workdir):
        self.log = open(os.path.join(workdir, "tracker.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--threads", "2",
             "--data-dir", os.path.join(workdir, "data"), "--password-hash-cost", "minimal"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        prefix = "swarmhub tracker listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"tracker said: {line!r}")
        self.port = int(line.strip().rsplit(":", 1)[1])
        # HTTPS, as people use it: over TLS the tracker greets nobody before they speak, so
        # a socket the browser opened ahead of need stays usable (docs/architecture.md).
        # The certificate is the tracker's own self-signed one.
        self.url = f"https://127.0.0.1:{self.port}/"

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(timeout=30)
        self.log.close()
        if code != 0:
            raise RuntimeError(f"tracker exited with {code}")


class Terminal:
    """A line-protocol client on a plain socket, as telnet or nc would be."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.file = self.sock.makefile("r", encoding="utf-8", newline="\n")
        self.events = []

    def request(self, line):
        self.sock.sendall((line + "\n").encode())
        data = []
        while True:
            got = self.file.readline()
            if not got:
                raise RuntimeError(f"closed while waiting for the reply to {line!r}")
            got = got.rstrip("\n")
            if got.startswith("* "):
                self.events.append(got[2:])
            elif got.startswith("- "):
                data.append(got[2:])
            elif got.startswith("OK") or got.startswith("ERR"):
                return got, data

    def expect_event(self, wanted):
        """Reads until an event line equal to `wanted` ("ROOM lobby alice hi") arrives."""
        while wanted not in self.events:
            got = self.file.readline()
            if not got:
                raise RuntimeError(f"closed while waiting for {wanted!r}")
            if got.startswith("* "):
                self.events.append(got.rstrip("\n")[2:])
        self.events.remove(wanted)


def bstr(s):
    b = s.encode() if isinstance(s, str) else s
    return str(len(b)).encode() + b":" + b


def v2_info(name, size):
    """A BitTorrent v2 info dictionary for one file (made-up pieces root: the tracker never
    sees file bytes)."""
    leaf = b"d" + bstr("length") + f"i{size}e".encode() + bstr("pieces root") + bstr(b"r" * 32) + b"e"
    return (b"d" + bstr("file tree") + b"d" + bstr(name) + b"d" + bstr("") + leaf + b"ee" +
            bstr("meta version") + b"i2e" + bstr("name") + bstr(name) + bstr("piece length") +
            b"i16384e" + b"e")


class Browser:
    def __init__(self, name, url, shots, size=(1200, 850)):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--ignore-certificate-errors",
                    f"--window-size={size[0]},{size[1]}"):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.name = name
        self.shots = shots
        self.step = 0
        self.driver.get(url)

    def wait(self, condition):
        return WebDriverWait(self.driver, WAIT).until(condition)

    def find(self, css):
        return self.wait(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def shot(self, what):
        self.step += 1
        path = os.path.join(self.shots, f"{self.name}-{self.step:02d}-{what}.png")
        self.driver.save_screenshot(path)

    def create_account(self, password):
        self.find("#login-name").send_keys(self.name)
        self.find("#login-password").send_keys(password)
        self.shot("login-form")
        self.find("#create-button").click()
        self.wait(ec.text_to_be_present_in_element((By.ID, "me"), self.name))

    def say(self, text):
        box = self.find("#text")
        box.send_keys(text, Keys.ENTER)  # the keyboard alone sends
        self.sees(text)

    def sees(self, text):
        self.wait(lambda d: any(text in li.text for li in
                                d.find_elements(By.CSS_SELECTOR, "#messages li")))

    def click(self, css):
        # Lists (views, groups, requests) are drawn again whenever a message, a member or a
        # request comes, so an element found a moment ago may be gone by the click: it is found
        # and clicked again until the click lands on the one that is there (and shown).
        def clicked(driver):
            try:
                driver.find_element(By.CSS_SELECTOR, css).click()
                return True
            except (NoSuchElementException, StaleElementReferenceException,
                    ElementNotInteractableException, ElementClickInterceptedException):
                return False

        self.wait(clicked)

    def open_view(self, view):
        self.click(f'button[data-view="{view}"]')
        kind, name = view.split(":", 1)
        title = "@" + name if kind == "dm" else name
        self.wait(lambda d: d.find_element(By.ID, "room-title").text == title)

    def quit(self):
        # The browser's own console errors (CSP violations among them) fail the test.
        problems = [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"
                    and "favicon" not in e.get("message", "")]
        self.driver.quit()
        if problems:
            raise AssertionError(f"{self.name}'s console: {problems}")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    tracker_bin, shots = sys.argv[1], sys.argv[2]
    if not os.path.exists(CHROMEDRIVER) or not os.path.exists(CHROMIUM):
        print(f"SKIP: needs {CHROMIUM} and {CHROMEDRIVER} (Debian chromium, chromium-driver)")
        return SKIP
    os.makedirs(shots, exist_ok=True)
    for old in os.listdir(shots):
        if old.endswith(".png"):
            os.remove(os.path.join(shots, old))
    work = tempfile.mkdtemp(prefix="swarmhub-browser-")
    tracker = Tracker(tracker_bin, work)
    browsers = []
    try:
        alice = Browser("alice", tracker.url, shots)
        browsers.append(alice)
        bob = Browser("bob", tracker.url, shots)
        browsers.append(bob)
        alice.create_account("alice-password")
        bob.create_account("bob-password")
        carol = Terminal(tracker.port)
        check(carol.request("create_user carol carol-password")[0].startswith("OK"), "carol created")
        check(carol.request("login carol carol-password")[0].startswith("OK"), "carol logged in")

        # 1. The three of them chat in the lobby.
        alice.find("#online li")
        alice.wait(lambda d: "carol" in d.find_element(By.ID, "online").text)
        alice.say("hello from alice")
        bob.sees("hello from alice")
        carol.expect_event("ROOM lobby alice hello from alice")
        bob.say("hi alice, bob here")
        alice.sees("hi alice, bob here")
        carol.expect_event("ROOM lobby bob hi alice, bob here")
        check(carol.request("say and carol from a terminal")[0].startswith("OK"), "carol says")
        alice.sees("and carol from a terminal")
        bob.sees("and carol from a terminal")
        alice.shot("lobby-chat")
        bob.shot("lobby-chat")

        # 2. A direct message from the terminal reaches the page.
        check(carol.request("msg bob psst bob")[0].startswith("OK"), "carol's dm")
        bob.open_view("dm:carol")
        bob.sees("psst bob")
        bob.shot("direct-message")

        # 3. alice makes a group; bob asks to join; alice accepts in the page.
        alice.find("#group-name").send_keys("club", Keys.ENTER)
        alice.find('#groups li[data-group="club"]')
        bob.find("#groups-refresh").click()
        bob.click('#groups li[data-group="club"] button')  # ask to join
        alice.wait(lambda d: d.find_element(By.ID, "pending-badge").text == "1")
        alice.shot("pending-request")
        alice.click('#groups li[data-group="club"] li[data-request="bob"] button')  # accept
        bob.find('button[data-view="room:club"]')
        bob.shot("accepted")
        alice.wait(lambda d: not d.find_element(By.ID, "pending-badge").is_displayed())

        # carol asks too, from the terminal; alice accepts her in the page as well.
        check(carol.request("join_group club")[0].startswith("OK"), "carol asks")
        alice.wait(lambda d: d.find_element(By.ID, "pending-badge").text == "1")
        alice.click('#groups li[data-group="club"] li[data-request="carol"] button')
        carol.expect_event("REQUEST_ACCEPTED club")

        # 4. carol shares a file in the group; alice sees it listed with its size.
        info = v2_info("notes.txt", 123456)
        reply = carol.request("add_file club notes.txt 123456 %s %s" % (
            hashlib.sha256(info).hexdigest(), base64.b64encode(info).decode()))[0]
        check(reply.startswith("OK"), f"add_file: {reply}")
        alice.open_view("room:club")
        alice.wait(lambda d: "notes.txt" in d.find_element(By.ID, "file-rows").text)
        check("120.6 KiB" in alice.find('#file-rows tr[data-file="notes.txt"]').text, "size shown")
        check("download_file" in alice.find("#fetch-hint").text, "sealed: how to fetch")
        alice.say("the notes are in")
        alice.shot("sealed-group-files")

        # 5. Open group: the page links a .torrent (and a magnet) that downloads.
        alice.click('#groups li[data-group="club"] button[data-mode]')
        link = alice.find('#file-rows tr[data-file="notes.txt"] a.torrent')
        magnet = alice.find('#file-rows tr[data-file="notes.txt"] a.magnet').get_attribute("href")
        check(magnet.startswith("magnet:?xt=urn:btmh:1220" + hashlib.sha256(info).hexdigest()),
              f"magnet {magnet}")
        alice.shot("open-group-files")
        unverified = ssl._create_unverified_context()  # the tracker's self-signed certificate
        with urllib.request.urlopen(link.get_attribute("href"), timeout=WAIT,
                                    context=unverified) as got:
            torrent = got.read()
            check(got.headers["Content-Type"] == "application/x-bittorrent", "torrent type")
        check(torrent.startswith(b"d8:announce") and b"/announce/club?pk=" in torrent and
              info in torrent, f"torrent {torrent[:80]!r}")

        # 6. A reload keeps the login (the resume token in sessionStorage), not the password.
        alice.driver.refresh()
        alice.wait(ec.text_to_be_present_in_element((By.ID, "me"), "alice"))
        alice.open_view("room:club")
        alice.sees("the notes are in")  # history
        alice.shot("after-reload")
        stored = alice.driver.execute_script("return sessionStorage.getItem('swarmhub.resume')")
        check("alice-password" not in (stored or ""), "no password kept")

        # 7. A phone-sized window: the menu opens from its button.
        bob.driver.set_window_size(390, 844)
        bob.find("#menu-toggle").click()
        bob.find("#side")
        bob.shot("phone-menu")
        print(f"OK: screenshots in {shots}")
        return 0
    finally:
        errors = []
        for b in browsers:
            try:
                b.quit()
            except AssertionError as e:
                errors.append(str(e))
        tracker.stop()
        shutil.rmtree(work, ignore_errors=True)
        if errors:
            raise AssertionError("; ".join(errors))


if __name__ == "__main__":
    sys.exit(main())
