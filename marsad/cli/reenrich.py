"""``marsad reenrich``: run enrichment again over the stored articles."""

from __future__ import annotations

import click

from marsad.cli import DB_HELP, date_option, main
from marsad.cli.ingest import engine_options, on_engine, summarize


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--since", callback=date_option, metavar="DATE",
              help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; failures are still printed.")
@engine_options
def reenrich(db, since, quiet, engine, workers, scheduler, partition_size):
    """Find entities, dates, figures and quotes again in the stored articles, after the NER model or
    an alias table changed. Analysts' entity corrections (`marsad entities`) hold for what it finds.

    It runs in partitions of stored articles, here (--engine local) or on Dask: after an interruption,
    the same command does only the partitions not finished (and those of articles stored since).
    The entities that related articles are ranked by are rewritten; stories and copies, made from
    text and dates, stay as they were related.
    """
    from marsad import engine as engines

    with on_engine(engine, workers, scheduler, quiet) as runner:
        report = engines.reenrich(db, runner, since=since, progress=not quiet, partition=partition_size)
    summarize(report, quiet)
