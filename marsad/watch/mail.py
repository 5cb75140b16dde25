"""Alert emails over SMTP: one message per delivery, an instant alert's matches or a digest of every
alert due for one address.

The server, its port, the login and STARTTLS come from :class:`marsad.settings.MailSettings`
(``MARSAD_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_STARTTLS``, ``_FROM``). A message has
the alerts' names in its subject, a plain-text part and a right-to-left HTML part, and links to the
reader (``settings.base_url``): each article's page, each alert's page and its Atom feed.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, Template

from marsad.watch.deliver import reader_url
from marsad.web import text

if TYPE_CHECKING:
    from marsad.model import Alert
    from marsad.settings import Settings

SHOWN = 50  # articles of one alert listed in a message; the alert's page lists the rest
Group = tuple["Alert", list[dict[str, Any]]]  # an alert and the records of its articles


@cache
def _template() -> Template:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
    env.filters.update(counted=text.counted, date=text.arabic_date, web_url=text.web_url)
    return env.get_template("alert_mail.html")


def subject(groups: list[Group]) -> str:
    names = "، ".join(alert.name for alert, _ in groups)
    return f"مرصد — {names}: {text.counted(sum(len(items) for _, items in groups), 'article')}"


def plain(groups: list[Group], pages: dict[str, str]) -> str:
    """The plain-text part."""
    lines = []
    for alert, items in groups:
        lines += [f"تنبيه: {alert.name}", f"البحث: {alert.query}", ""]
        for a in items[:SHOWN]:
            meta = " · ".join(x for x in (a["outlet"], text.arabic_date(a["published"], True)) if x)
            lines += [a["headline"] or a["id"], *([meta] if meta else []), a["reader"],
                      *([a["snippet"]] if a["snippet"] else []), ""]
        if len(items) > SHOWN:
            lines.append(f"و{text.counted(len(items) - SHOWN, 'article')} غيرها: {pages[alert.name]}")
        lines += [f"كل ما طابق هذا التنبيه: {pages[alert.name]}", ""]
    return "\n".join(lines)


def message(settings: Settings, address: str, groups: list[Group]) -> EmailMessage:
    """The email of one delivery to ``address``."""
    pages = {alert.name: reader_url(settings, f"/alerts/{alert.name}") for alert, _ in groups}
    msg = EmailMessage()
    msg["Subject"] = subject(groups)
    msg["From"] = settings.mail.sender
    msg["To"] = address
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.mail.sender.rpartition("@")[2] or "localhost")
    msg.set_content(plain(groups, pages))
    shown = [(alert, items[:SHOWN], max(0, len(items) - SHOWN)) for alert, items in groups]
    msg.add_alternative(_template().render(subject=msg["Subject"], groups=shown, alert_pages=pages),
                        subtype="html")
    return msg


def send(settings: Settings, address: str, groups: list[Group]) -> str | None:
    """Send one email; None once the server took it, else why not (one line)."""
    mail = settings.mail
    if not mail.host:
        return "no SMTP server is set (MARSAD_SMTP_HOST)"
    msg = message(settings, address, groups)
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=settings.watch.timeout) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.user:
                smtp.login(mail.user, mail.password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:  # refused, timed out, TLS, login, recipient refused
        return f"email to {address} via {mail.host}:{mail.port}: {type(e).__name__}: {e}".splitlines()[0]
    return None
