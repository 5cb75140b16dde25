"""``marsad sources``: the feeds, news sitemaps and section pages that ``marsad watch`` follows."""

from __future__ import annotations

import json

import click

from marsad.cli import DB_HELP, main, shown
from marsad.watch.sources import KINDS


def settings_of(db):
    """The settings, a bad value in the environment being one readable line."""
    from marsad.errors import InputError
    from marsad.settings import load

    try:
        return load(db)
    except ValueError as e:
        raise InputError(f"bad setting in the environment: {e}") from None


@main.group()
def sources():
    """The sources `marsad watch` follows: RSS/Atom feeds, news sitemaps and section pages."""


@sources.command("add")
@click.argument("url")
@click.option("--name", help="What lists call it (default: its host).")
@click.option("--every", default="15m", show_default=True,
              help="How often to fetch it: 90s, 15m, 1h, 1h30m, 1d.")
@click.option("--kind", type=click.Choice(KINDS),
              help="What it is; without it the source is fetched once to find out (and must answer).")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def add(url, name, every, kind, db):
    """Follow the source at URL; the next round of `marsad watch` fetches it."""
    from marsad.archive import open_archive
    from marsad.watch import sources as src
    from marsad.watch.loop import utcnow

    settings = settings_of(db)
    seconds = src.parse_every(every)
    with open_archive(settings.db) as arc:
        source = src.add(arc, url, settings=settings.watch, now=utcnow(), name=name, every=seconds, kind=kind)
    click.echo(f"following {source.url} ({source.kind}) as {shown(source.name)}, "
               f"every {src.show_every(seconds)}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="Print a list of objects: url, name, kind, every, status, paused, last_fetched, next_due, "
                   "discovered, fetched, stored, failed, consecutive_failures, failures, last_error, today, "
                   "norm, flagged, flag.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def list_(as_json, db):
    """Each source with its state and counts; `stored` is how many of its articles the archive holds."""
    from marsad.archive import open_archive
    from marsad.watch.health import health, summary
    from marsad.watch.loop import utcnow

    with open_archive(settings_of(db).db) as arc:
        rows = [summary(h) for h in health(arc, utcnow())]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "paused" if r["paused"] else r["status"]
        today = r["today"]
        click.echo(f"{state:<8} {r['kind']:<8} {r['every']:>6}  {shown(r['name'])}  {r['url']}")
        click.echo(f"         last fetched {r['last_fetched'] or '-'} · today {today['discovered']} found, "
                   f"{today['fetched']} fetched, {today['stored']} stored, {today['failed']} failed · "
                   f"{r['stored']} in the archive")
        for note in (r["last_error"], r["flag"]):
            if note:
                click.echo(f"         ! {shown(note)}")


@sources.command()
@click.argument("source")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def remove(source, db):
    """Stop following SOURCE (its URL or name); its stored articles stay in the archive."""
    _change("remove", source, db)


@sources.command()
@click.argument("source")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def pause(source, db):
    """Stop fetching SOURCE (its URL or name) until `marsad sources resume`."""
    _change("pause", source, db)


@sources.command()
@click.argument("source")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def resume(source, db):
    """Fetch SOURCE again from the next round: a paused one, or one disabled after failures."""
    _change("resume", source, db)


def _change(what: str, key: str, db) -> None:
    from marsad.archive import open_archive
    from marsad.watch import sources as src
    from marsad.watch.loop import utcnow

    with open_archive(settings_of(db).db) as arc:
        if what == "resume":
            source = src.resume(arc, key, utcnow())
        else:
            source = src.remove(arc, key) if what == "remove" else src.pause(arc, key)
    click.echo(f"{what.rstrip('e')}ed {source.url}")
