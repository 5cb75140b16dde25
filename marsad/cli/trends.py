"""``marsad trends``: the entities, stories and alerts rising in the last hour or day."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from marsad.cli import DB_HELP, main, shown


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--window", type=click.Choice(["1h", "1d"]), default="1d", show_default=True,
              help="The current window; the baseline is the week of hours or four weeks of days before it.")
@click.option("--now", "now_text", metavar="ISO",
              help="When the current window ends (default: now): a date or time, UTC unless offset.")
@click.option("--kind", type=click.Choice(["entity", "story", "alert"]), default="entity", show_default=True,
              help="Entities, stories, or saved searches (alerts) by the articles they matched.")
@click.option("--clock", type=click.Choice(["published", "ingested"]), default="published", show_default=True,
              help="Place articles by publication time (never later than stored), or by the time stored.")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True,
              help='Print {"kind", "window", "now", "clock", "articles", "baseline_windows", "items": '
                   '[{"kind", "id", "name", "count", "share", "baseline", "expected", "z", "rising", '
                   '"type", "outlets", "new_outlets", "breaking"}]}.')
def trends(db, window, now_text, kind, clock, limit, as_json):
    """List what is rising: each item's share of the current window against its own baseline
    (z ≥ 3 with 3 articles or more), and stories gaining outlets fast (breaking)."""
    from marsad.archive import open_archive
    from marsad.settings import load
    from marsad.watch.trends import parse_now, rising

    now = parse_now(now_text)
    with open_archive(load(db).db, readonly=True) as arc:
        report = rising(arc, kind, window, now, clock=clock, limit=limit)
    if as_json:
        click.echo(json.dumps(asdict(report), ensure_ascii=False))
        return
    click.echo(f"{report.kind} rising in the {report.window} to {report.now} ({report.clock} time): "
               f"{report.articles:,} articles, baseline {report.baseline_windows} windows", err=True)
    for t in report.items:
        mark = " breaking" if t.breaking else ""
        click.echo(f"z {t.z:6.1f}  {t.count:>5} ({t.share:6.1%}, was {t.baseline:6.2%}){mark}  "
                   f"{shown(t.name)}  [{shown(t.id)}]")
