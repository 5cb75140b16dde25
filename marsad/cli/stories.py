"""``marsad stories``: one story per event, with its reports from every outlet."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from marsad.cli import date_option, main


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
@click.option("--since", callback=date_option,
              help="Only stories with a report published on or after this ISO date.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"stories": [{"id", "title", "articles", "outlets", "first_seen", "last_seen"}]}.')
def stories(db, since, as_json):
    """List the stories (events reported two times or more), latest first."""
    from marsad.archive import open_archive
    from marsad.relate import stories as list_stories
    from marsad.settings import load

    with open_archive(load(db).db, readonly=True) as arc:
        found = list_stories(arc, since=since)
    if as_json:
        click.echo(json.dumps({"stories": [asdict(s) for s in found]}, ensure_ascii=False))
        return
    for s in found:
        counts = f"{len(s.articles):>4} reports  {len(s.outlets):>3} outlets"
        click.echo(f"{counts}  {s.last_seen or '-'}  {s.title}")
