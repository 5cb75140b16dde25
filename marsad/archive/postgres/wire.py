"""Sending many article keys at once: an int8 array in PostgreSQL's binary format, made by numpy.

A search sends the keys of its matches (thousands of them) to read their copy groups, their dates
for a filter or their outlets for facets. psycopg dumps a Python list element by element; a
:class:`Keys` is laid out in one step (a header, then a length and a big-endian value per key).
Every connection knows it (registered with psycopg's global adapters, for this class only).
"""

from __future__ import annotations

import struct

import numpy as np
import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

_INT8, _INT8_ARRAY = 20, 1016  # the types' oids
_ITEM = np.dtype([("size", ">i4"), ("value", ">i8")])


class Keys:
    """Article keys to send as one ``bigint[]`` parameter."""

    __slots__ = ("keys",)

    def __init__(self, keys: np.ndarray | list[int]):
        self.keys = np.asarray(keys, np.int64)


class _KeysDumper(Dumper):
    format = Format.BINARY
    oid = _INT8_ARRAY

    def dump(self, obj: Keys) -> bytes:
        n = len(obj.keys)
        if not n:  # an empty array has no dimension
            return struct.pack(">iiI", 0, 0, _INT8)
        items = np.empty(n, _ITEM)
        items["size"], items["value"] = 8, obj.keys
        return struct.pack(">iiIii", 1, 0, _INT8, n, 1) + items.tobytes()


psycopg.adapters.register_dumper(Keys, _KeysDumper)
