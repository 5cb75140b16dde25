"""The relate stage's tables on PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marsad.archive.base import RelateState

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

MIGRATIONS: list[tuple[str, str]] = []


class PostgresRelateState(RelateState):
    def __init__(self, backend: PostgresBackend):
        self.backend = backend
