"""``marsad alerts``: saved searches whose new matches go to a webhook or an email address."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from marsad.cli import DB_HELP, main, shown
from marsad.model import ALERT_EVERY


@main.group()
def alerts():
    """Saved searches: each new article one matches is delivered once (webhook, email, Atom feed).

    \b
    `marsad watch` matches the alerts against every round's new articles and delivers them;
    the reader serves each alert's matches at /alerts/NAME and as an Atom feed at /alerts/NAME.atom.
    """


def _open(db, readonly: bool):
    from marsad.archive import open_archive
    from marsad.settings import load

    return open_archive(load(db).db, readonly=readonly)


def _db_option(f):
    return click.option("--db", help=DB_HELP)(f)


@alerts.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--webhook", help="POST each delivery as JSON to this http(s) URL.")
@click.option("--secret", help="Sign webhook bodies with HMAC-SHA256 under this secret (X-Marsad-Signature).")
@click.option("--email", help="Mail each delivery to this address (SMTP from MARSAD_SMTP_*).")
@click.option("--every", type=click.Choice(ALERT_EVERY), default="instant", show_default=True,
              help="instant: in the round that stored the articles; hourly/daily: one digest per address.")
@click.option("--outlet", help="Only articles of this outlet.")
@click.option("--section", help="Only articles of this section.")
@click.option("--kind", default="search", show_default=True, help="How matches are found.")
@_db_option
def add(name, query, webhook, secret, email, every, outlet, section, kind, db):
    """Save QUERY (the search syntax; every word required) as the alert NAME."""
    from marsad.model import Alert
    from marsad.watch import alerts as library

    alert = Alert(name, query, every=every, webhook=webhook, secret=secret, email=email, outlet=outlet,
                  section=section, kind=kind)
    with _open(db, readonly=False) as arc:
        library.add(arc, alert, datetime.now(UTC))
    to = " and ".join(x for x in (webhook, email) if x) or "its page and Atom feed only"
    click.echo(f"alert {shown(name)} added ({every}): {shown(to)}")


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
@_db_option
def list_(as_json, db):
    """The alerts, with how many articles each matched and when it last did (secrets never shown)."""
    from marsad.watch.alerts import overview

    with _open(db, readonly=True) as arc:
        rows = [{**row, "webhook": a.webhook, "email": a.email, "signed": bool(a.secret),
                 "last_digest": a.last_digest} for a, row in overview(arc)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("no alerts; add one with `marsad alerts add NAME QUERY --email ADDRESS`")
    for r in rows:
        where = ", ".join(f"{k}={r[k]}" for k in ("outlet", "section") if r[k])
        to = " ".join(x for x in (r["webhook"], r["email"]) if x) or "-"
        click.echo(shown(f"{r['name']}  [{r['every']}]  {r['query']}{' (' + where + ')' if where else ''}  "
                         f"{r['matches']} matched  → {to}"))


@alerts.command("remove")
@click.argument("name")
@_db_option
def remove(name, db):
    """Remove the alert NAME and its matches (its deliveries stay in the log)."""
    with _open(db, readonly=False) as arc:
        arc.backend.alerts.remove(name)
    click.echo(f"alert {shown(name)} removed")


@alerts.command("test")
@click.argument("name")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print {\"total\", \"hits\": [...]} as JSON.")
@_db_option
def test(name, limit, as_json, db):
    """What the alert NAME would match in the archive now, best first."""
    from marsad.cli.search import _show
    from marsad.watch import alerts as library

    with _open(db, readonly=True) as arc:
        result = library.test(arc, name, limit)
        query = arc.backend.alerts.get(name).query
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _show(query, result)


@alerts.command("log")
@click.option("--alert", "name", help="Only the deliveries of this alert.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of attempts.")
@_db_option
def log(name, limit, as_json, db):
    """Delivery attempts, newest first: what was sent, what failed and when it is tried again."""
    with _open(db, readonly=True) as arc:
        entries = arc.backend.alerts.log(limit, name)
    rows = [{"at": e.at, "ok": e.error is None, "error": e.error, "delivery": e.delivery.id,
             "channel": e.delivery.channel, "target": e.delivery.target, "status": e.delivery.status,
             "attempts": e.delivery.attempts, "next_try": e.delivery.next_try,
             "articles": {k: len(v) for k, v in e.delivery.articles.items()}} for e in entries]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for r in rows:
        what = ", ".join(f"{k}: {n}" for k, n in r["articles"].items())
        now = {"pending": f"next try {r['next_try']}", "failed": "given up", "sent": "sent since"}
        outcome = "sent" if r["ok"] else f"FAILED ({r['error']}); {now[r['status']]}"
        click.echo(shown(f"{r['at']}  #{r['delivery']} {r['channel']} {r['target']} [{what}]  {outcome}"))
