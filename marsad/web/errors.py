"""One error shape, ``{"error": {"code", "message", "status"}}``: JSON under /api, a page elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from marsad.errors import ArchiveError, Forbidden, InputError, MarsadError, NotFound, TooLarge
from marsad.settings import Database, is_server, public_name

log = logging.getLogger("marsad.web")
_BY_STATUS = {404: NotFound, 403: Forbidden, 413: TooLarge, 503: ArchiveError}
_MESSAGES = {404: "الصفحة غير موجودة", 405: "طريقة الطلب غير مسموحة"}


def error_body(code: str, message: str, status: int) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


def _render(request: Request, code: str, message: str, status: int, headers: dict | None = None):
    body = error_body(code, message, status)
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return JSONResponse(body, status_code=status, headers=headers)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", body["error"], status_code=status,
                                      headers=headers)


def _without_location(message: str, db: Database) -> str:
    """Readers learn the archive's name, not where it is on disk, nor a database server's password."""
    name = public_name(db)
    if is_server(db):
        password = urlsplit(db).password
        message = message.replace(db, name)
        return message.replace(password, "***") if password else message
    return message.replace(str(db.resolve()), name).replace(str(db), name)


def render(request: Request, exc: MarsadError, headers: dict | None = None):
    """The answer to a marsad error: its status, code and message, the archive's location left out."""
    return _render(request, exc.code, _without_location(exc.message, request.app.state.settings.db),
                   exc.status, headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(MarsadError)
    async def marsad_error(request: Request, exc: MarsadError):
        return render(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        cls = _BY_STATUS.get(exc.status_code)
        code = cls.code if cls else f"E{exc.status_code}"
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code not in _MESSAGES else \
            _MESSAGES.get(exc.status_code, str(exc.detail))
        return _render(request, code, message, exc.status_code, exc.headers)  # a 405's Allow

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return _render(request, "E500", "internal error; the server log has the details", 500)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return _render(request, InputError.code, f"{where}: {first.get('msg', 'invalid request')}",
                       InputError.status)
