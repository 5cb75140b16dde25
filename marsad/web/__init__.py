"""The web reader and JSON API: ``create_app(settings)`` builds the FastAPI application.

HTML pages (``views``) and their JSON twins (``api``) load the same data from
:mod:`marsad.web.load`; errors share one shape (:mod:`marsad.web.errors`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from marsad import __version__
from marsad.settings import Settings

HERE = Path(__file__).parent
# Page and API handlers read the archive on worker threads (at most this many; searches have their own).
WORKER_THREADS = 8


def _templates() -> Jinja2Templates:
    from marsad.web import text

    # auto_reload off: templates are part of the installed package, no stat of each file per request.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.template_class = text.PrintableTemplate
    env.filters.update(bidi=text.isolate_latin, date=text.arabic_date, snippet=text.safe_snippet,
                       month=text.month_label, dict_with=text.with_param,
                       dict_without=text.without_param, query_with=text.query_with,
                       section=text.section_label, counted=text.counted,
                       web_url=text.web_url)
    return Jinja2Templates(env=env)


def warm_up(pool) -> None:
    """Build what the first pages would otherwise wait for: the related-articles index. An archive
    that cannot give it yet still serves; its pages say what is wrong."""
    from marsad.relate.neighbours import index_of

    # Whatever the backend's failure, the pages meet it again and report it: here it only stops the warm-up.
    with suppress(Exception), pool.lent() as arc:
        index_of(arc)


def create_app(settings: Settings) -> FastAPI:
    from marsad.web import alerts, api, docs, errors, schema, views
    from marsad.web.deps import ArchivePool
    from marsad.web.headers import HeadAsGet, SecurityHeaders
    from marsad.web.throttle import SearchTurns, Strikes

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        warm_up(app.state.pool)
        yield
        app.state.pool.close()

    app = FastAPI(title="marsad — مرصد", version=__version__, lifespan=lifespan,
                  description="A searchable, linked archive of Arabic news: reader and JSON API.",
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.pool = ArchivePool(settings)
    app.state.templates = _templates()
    app.state.strikes = Strikes()
    # Innermost of the middleware: its 429 gets the security headers too.
    app.add_middleware(SearchTurns, strikes=app.state.strikes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    errors.install(app)
    schema.install(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Pages first: their paths are tried in order on every request, and none of them is under /api/.
    app.include_router(views.router)
    app.include_router(alerts.router)
    app.include_router(api.router)
    app.include_router(docs.router)
    return app


def app_from_env() -> FastAPI:
    """The app over the settings in the environment: what each ``--workers`` process builds."""
    from marsad.settings import load

    return create_app(load())


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the reader with uvicorn until interrupted; several workers are separate processes."""
    import os
    import sys

    import uvicorn

    from marsad.archive import open_archive
    from marsad.settings import display

    open_archive(settings.db, readonly=True).close()  # no archive, or not one: say so now, not 503 later
    print(f"marsad: serving {display(settings.db)} at http://{host}:{port}/ "
          "(API docs at /docs; Ctrl-C stops)", file=sys.stderr)
    from marsad.web.server import PROTOCOL

    options = {"host": host, "port": port, "log_level": "warning", "proxy_headers": False,
               "server_header": False, "http": PROTOCOL}
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    os.environ.update(MARSAD_DB=str(settings.db), MARSAD_INGEST_TOKEN=settings.ingest_token,
                      MARSAD_MAX_INGEST_BYTES=str(settings.max_ingest_bytes),
                      MARSAD_MAX_PAGE_BYTES=str(settings.max_page_bytes))
    uvicorn.run("marsad.web:app_from_env", factory=True, workers=workers, **options)
