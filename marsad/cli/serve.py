"""``marsad serve`` and ``marsad demo``: the web reader and JSON API."""

from __future__ import annotations

from pathlib import Path

import click

from marsad.cli import main

_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_port = click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
                     help="Port to listen on.")


@main.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Archive file (default $MARSAD_DB).")
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
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="New archive file to build (default: a fresh temporary folder).")
@_host
@_port
@click.option("--no-serve", is_flag=True, help="Only build the demo archive, then print its path.")
def demo(db, host, port, no_serve):
    """Ingest the bundled sample into a fresh archive and serve it."""
    from marsad.web.demo import run_demo

    click.echo(run_demo(db, host=host, port=port, serve=not no_serve))
