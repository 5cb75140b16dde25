"""One family of errors, each with a stable code, shown to users as one line."""

from __future__ import annotations


class MarsadError(Exception):
    """Base of every error marsad reports to a user. ``code`` is stable across releases."""

    code = "E000"
    status = 400  # HTTP status when raised under the web app

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InputError(MarsadError):
    """An input page or file that cannot be read or holds no news."""

    code = "E100"


class ArchiveError(MarsadError):
    """The archive is missing, corrupt, locked or read-only."""

    code = "E200"
    status = 503


class EngineError(MarsadError):
    """A batch engine that is not installed, not reachable, or asked for with options it does not take."""

    code = "E300"


class NotFound(MarsadError):
    code = "E404"
    status = 404


class Forbidden(MarsadError):
    code = "E403"
    status = 403


class TooLarge(MarsadError):
    code = "E413"
    status = 413
