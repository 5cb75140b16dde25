"""``marsad watch``: follow the sources, store their new articles, alert."""

from __future__ import annotations

import asyncio

import click

from marsad.cli import DB_HELP, main, shown
from marsad.cli.sources import settings_of


@main.command()
@click.option("--once", is_flag=True, help="Run one round and exit.")
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
def watch(once, db):
    """Fetch the due sources, fetch the article pages they newly link to and run them through the
    pipeline `marsad ingest` runs (parse, enrich, store, copies and stories), then the alerts.
    One log line per round.

    Without --once it runs until SIGINT or SIGTERM, then stops cleanly: the article being stored is
    finished and a later run goes on where this one stopped.

    Exit status: 0, also when sources failed (`marsad sources list` says how); 2 for bad settings
    or an archive that cannot be used.
    """
    from marsad.archive import open_archive
    from marsad.watch.loop import Watcher, check

    settings = settings_of(db)
    check(settings)
    with open_archive(settings.db) as arc:
        watcher = Watcher(arc, settings, log=_log)
        asyncio.run(watcher.run(rounds=1 if once else None, signals=True))


def _log(report) -> None:
    """A round's line on stdout; what failed in it, one line each, on stderr."""
    from marsad.watch.loop import line

    click.echo(line(report))
    for problem in report.problems:
        click.echo(f"failed: {shown(problem.source)} ({problem.stage}): {shown(problem.reason)}", err=True)
