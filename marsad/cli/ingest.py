"""``marsad ingest``: parse pages and store them in the archive, here or on a Dask cluster."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from marsad.cli import DB_HELP, main, shown

ENGINE_OPTIONS = (
    click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                 help="Where the work runs: here, or on Dask (pip install 'marsad[dask]'). Partitioned "
                      "jobs (Dask, and reenrich) record finished partitions: a rerun does only the others."),
    click.option("--workers", type=click.IntRange(min=1),
                 help="With --engine dask: worker processes on this machine (default: one per core)."),
    click.option("--scheduler", metavar="tcp://HOST:PORT",
                 help="With --engine dask: the scheduler of a running cluster, instead of local workers."),
    click.option("--partition-size", type=click.IntRange(min=1), default=2000, show_default=True,
                 help="Records (or files, or stored articles) per partition of a partitioned job."),
)


def engine_options(command):
    for option in reversed(ENGINE_OPTIONS):
        command = option(command)
    return command


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--enrich/--no-enrich", default=True, show_default=True,
              help="Find entities, dates, figures and quotes before storing.")
@click.option("--relate/--no-relate", default=True, show_default=True,
              help="Find stories, copies and related articles as batches commit; with --no-relate, "
                   "`marsad relate` does it later (for bulk loads that should finish first).")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary; failures are still printed.")
@engine_options
def ingest(paths, db, enrich, relate, quiet, engine, workers, scheduler, partition_size):
    """Parse every input PATH (files or folders, any format `marsad parse` accepts) into the archive.

    The same page ingested again adds nothing; a changed version replaces the old one.
    Each batch is committed on its own: after an interruption, run the same command again.

    In folders, files that are not pages (README.md, PROVENANCE.md, *.expected.txt, images, …) are
    skipped and counted, not failures.

    Exit status: 0 when every input was stored, 1 when some inputs failed (they are listed
    with their reasons; the rest is stored), 2 when the archive itself cannot be used.
    """
    from marsad import engine as engines
    from marsad.archive import open_archive
    from marsad.settings import load

    with on_engine(engine, workers, scheduler, quiet) as runner:
        if runner.name == "local":  # the pipeline, as always
            with open_archive(load(db).db) as arc:
                report = arc.ingest(paths, enrich=enrich, progress=not quiet, relate=relate)
        else:
            report = engines.ingest(db, paths, runner, enrich=enrich, relate=relate, progress=not quiet,
                                    partition=partition_size)
    summarize(report, quiet)


@contextmanager
def on_engine(engine: str, workers: int | None, scheduler: str | None, quiet: bool) -> Iterator:
    """The executor of ``engine``, its dashboard link printed, closed at the end."""
    from marsad import engine as engines

    runner = engines.executor(engine, workers, scheduler)
    try:
        if not quiet and runner.name != "local":
            where = f" · dashboard {runner.dashboard}" if runner.dashboard else ""
            click.echo(f"{runner.name} engine: {runner.workers} worker(s){where}", err=True)
        yield runner
    finally:
        runner.close()


def summarize(report, quiet: bool) -> None:
    """The summary (unless ``quiet``), then warnings and failures on stderr; exits 1 on failures."""
    if not quiet:
        resumed = getattr(report, "resumed", 0)
        if resumed:
            click.echo(f"{resumed:,} of {report.partitions:,} partitions had finished before: not run again")
        click.echo(f"new {report.new:,} · updated {report.updated:,} · unchanged {report.unchanged:,}"
                   f" · failed {len(report.failed):,}")
        if report.skipped:
            click.echo(f"skipped {len(report.skipped):,} file(s) that are not pages (README, expected "
                       "outputs, images, …)")
    for w in report.warnings:
        click.echo(f"warning: {shown(w.source)}: {shown(w.reason)}", err=True)
    for f in report.failed:
        click.echo(f"failed: {shown(f.source)} ({f.stage}): {shown(f.reason)}", err=True)
    sys.exit(1 if report.failed else 0)
