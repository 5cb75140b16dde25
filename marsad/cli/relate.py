"""``marsad relate``: relate what an ingest stored without relating."""

from __future__ import annotations

import sys

import click

from marsad.cli import main, shown


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="Archive file (default: $MARSAD_DB, else marsad.db in the working folder).")
def relate(db):
    """Find the stories, copies and related articles of every stored article not related yet.

    Run it after `marsad ingest --no-relate`, or after an ingest that was cut short. Articles
    related already are left as they are, so running it twice does nothing the second time.
    """
    from marsad.archive import open_archive
    from marsad.settings import load

    with open_archive(load(db).db) as arc:
        report = arc.relate_all()
    click.echo(f"related {len(report.ids):,} articles")
    for f in report.failed:
        click.echo(f"failed: {shown(f.source)} ({f.stage}): {shown(f.reason)}", err=True)
    sys.exit(1 if report.failed else 0)
