"""``marsad serve`` and ``marsad demo``: the web reader and JSON API."""

from __future__ import annotations

import click

from marsad.cli import DB_HELP, main

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_port = click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
                     help="Port to listen on.")


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help=DB_HELP)
@_host
@_port
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (one per core serves the most readers).")
def serve(db, host, port, workers):
    """Serve the reader and JSON API over an archive."""
    from marsad.settings import load
    from marsad.web import serve as serve_app

    serve_app(load(db), host=host, port=port, workers=workers)


@main.command()
@click.option("--db", type=click.Path(dir_okay=False),
              help="New archive to build: a file, or an empty server database's postgresql:// URL "
                   "(default: a file in a fresh temporary folder).")
@_host
@_port
@click.option("--no-serve", is_flag=True, help="Only build the demo archive, then print its path.")
def demo(db, host, port, no_serve):
    """Ingest the bundled sample into a fresh archive and serve it."""
    from marsad.settings import database, display
    from marsad.web.demo import run_demo

    click.echo(display(run_demo(database(db) if db else None, host=host, port=port, serve=not no_serve)))
