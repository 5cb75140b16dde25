"""Alert emails through a real SMTP server on loopback (aiosmtpd): the parts of each message, its
subject, its right-to-left HTML, digests rolled up per address, login, and a server that is down."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from lxml import html as lxml_html

from marsad.archive import open_archive
from marsad.model import Alert
from marsad.watch import alerts
from tests.watch.alert_data import BASE_URL, NOW, archive_of_old, run_round, sample, settings

NEW = sample(200)


class Inbox:
    """What the server was sent: (envelope recipients, parsed message)."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(inbox: Inbox, **options) -> Iterator[int]:
    """An SMTP server on loopback delivering to ``inbox`` while the block runs; its port."""
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    """A running SMTP server: (inbox, port)."""
    inbox = Inbox()
    with serving(inbox) as port:
        yield inbox, port


@pytest.fixture
def db(new_db):
    return archive_of_old(new_db())



def _parts(msg) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    return plain.get_content(), rich.get_content()


def test_an_instant_alert_mails_each_new_match_once(db, smtp):
    inbox, port = smtp
    conf = settings(db, port)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("كوريا", '"كوريا الشمالية"', email="desk@example.org"), NOW)
        assert run_round(arc, conf) == {"matched": 3, "delivered": 1, "failed": 0}
    with open_archive(db) as arc:  # a restart: nothing again
        assert run_round(arc, conf, NOW + timedelta(hours=1))["delivered"] == 0
    [(rcpt, msg)] = inbox.messages
    assert rcpt == ["desk@example.org"] and msg["To"] == "desk@example.org"
    assert msg["From"] == "marsad@example.org" and "كوريا" in msg["Subject"] and "3" in msg["Subject"]
    plain, rich = _parts(msg)
    ids = [i for i, _ in reversed(arc_matches(db, "كوريا"))]
    for id_ in ids:
        assert f"{BASE_URL}/articles/{id_}" in plain
    page = lxml_html.fromstring(rich)
    assert page.get("dir") == "rtl" and page.find("body").get("dir") == "rtl"
    links = [a.get("href") for a in page.iter("a")]
    assert [f"{BASE_URL}/articles/{i}" for i in ids] == [h for h in links if "/articles/" in h]
    assert f"{BASE_URL}/alerts/%D9%83%D9%88%D8%B1%D9%8A%D8%A7.atom" in links
    headlines = {a.id: a.headline for a in NEW}
    assert all(headlines[i] in plain and headlines[i] in page.text_content() for i in ids)


def arc_matches(db, name):
    with open_archive(db) as arc:
        return arc.backend.alerts.matches(name)


def test_digests_roll_every_due_alert_of_an_address_into_one_email(db, smtp):
    inbox, port = smtp
    conf = settings(db, port)
    with open_archive(db) as arc:
        alerts.add(arc, Alert("trump", "ترامب", every="hourly", email="desk@example.org"), NOW)
        alerts.add(arc, Alert("yemen", "اليمن", every="hourly", email="desk@example.org"), NOW)
        alerts.add(arc, Alert("cup", "كأس العالم", every="daily", email="desk@example.org"), NOW)
        alerts.add(arc, Alert("oil", "النفط", every="hourly", email="energy@example.org"), NOW)
        alerts.add(arc, Alert("quake", "زلزال", every="hourly", email="space@example.org"), NOW)
        counts = run_round(arc, conf, NOW + timedelta(minutes=5))
        assert counts["matched"] > 0 and counts["delivered"] == 0 and not inbox.messages
        hour = NOW.replace(minute=0) + timedelta(hours=1, minutes=1)
        assert alerts.after_round(arc, [], hour, conf)["delivered"] == 2
        day = (NOW + timedelta(days=1)).replace(hour=conf.watch.digest_hour, minute=0)
        assert alerts.after_round(arc, [], day, conf)["delivered"] == 1
        assert alerts.after_round(arc, [], day + timedelta(hours=3), conf)["delivered"] == 0
    by_address = {rcpt[0]: msg for rcpt, msg in inbox.messages[:2]}
    assert set(by_address) == {"desk@example.org", "energy@example.org"}  # nothing matched "quake"
    desk = by_address["desk@example.org"]
    assert "trump" in desk["Subject"] and "yemen" in desk["Subject"] and "cup" not in desk["Subject"]
    plain, rich = _parts(desk)
    headings = [h.text_content() for h in lxml_html.fromstring(rich).iter("h2")]
    assert len(headings) == 2 and "trump" in headings[0] and "yemen" in headings[1]
    assert plain.index("ترامب") < plain.index("اليمن")
    [(rcpt, cup)] = inbox.messages[2:]
    assert rcpt == ["desk@example.org"] and "cup" in cup["Subject"] and "trump" not in cup["Subject"]


def test_the_login_is_sent_and_never_shown(db):
    inbox = Inbox()
    logins = []

    def check(server, session, envelope, mechanism, auth_data):
        logins.append((_text(auth_data.login), _text(auth_data.password)))
        return AuthResult(success=logins[-1][1] == "right", handled=False)

    with serving(inbox, authenticator=check, auth_require_tls=False) as port, open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", email="desk@example.org"), NOW)
        wrong = settings(db, port, user="marsad", password="wrong")
        assert run_round(arc, wrong)["failed"] == 1
        [entry] = arc.backend.alerts.log()
        assert "SMTPAuthenticationError" in entry.error and "wrong" not in entry.error
        right = settings(db, port, user="marsad", password="right")
        assert alerts.after_round(arc, [], NOW + timedelta(minutes=1), right)["delivered"] == 1
    assert logins[0] == ("marsad", "wrong") and logins[-1] == ("marsad", "right") and len(inbox.messages) == 1


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def test_starttls_is_used_and_its_certificate_checked(db, tmp_path, monkeypatch):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    inbox = Inbox()
    with serving(inbox, tls_context=server, require_starttls=True) as port, open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", email="desk@example.org"), NOW)
        plain = settings(db, port, starttls=False)  # the server refuses mail before STARTTLS
        assert run_round(arc, plain)["failed"] == 1
        secure = settings(db, port, starttls=True)
        unknown = alerts.after_round(arc, [], NOW + timedelta(minutes=1), secure)  # a CA we do not trust
        assert unknown["failed"] == 1 and "CERTIFICATE_VERIFY_FAILED" in arc.backend.alerts.log()[0].error
        ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
        assert alerts.after_round(arc, [], NOW + timedelta(minutes=3), secure)["delivered"] == 1
    assert len(inbox.messages) == 1


def test_a_mail_server_that_is_down_is_retried(db, smtp):
    inbox, port = smtp
    with open_archive(db) as arc:
        alerts.add(arc, Alert("yemen", "اليمن", email="desk@example.org"), NOW)
        assert run_round(arc, settings(db, _free_port()))["failed"] == 1
        assert "ConnectionRefusedError" in arc.backend.alerts.log()[0].error
        assert alerts.after_round(arc, [], NOW + timedelta(minutes=1), settings(db, port))["delivered"] == 1
        unset = settings(db, port, host="")
        alerts.add(arc, Alert("cup", "كأس العالم", email="desk@example.org"), NOW)
        alerts.after_round(arc, [a.id for a in NEW], NOW + timedelta(minutes=2), unset)
        assert "MARSAD_SMTP_HOST" in arc.backend.alerts.log()[0].error
    assert len(inbox.messages) == 1
