"""Units of work: small, picklable descriptions of "these blobs, from there".

Batch classification is planned as a stream of units and executed unit by unit, by a local
process pool or a Dask cluster alike. A unit either *points* at its data (a list of file
names, a byte range of a JSON Lines file, row groups of a Parquet file), so that the worker
reads it and nothing large crosses process boundaries, or *carries* it (blobs pulled out of
a compressed stream or a tarball, which only one reader can walk in order).

:class:`Item` is one blob as a reader hands it to the classifier: a named tuple rather than a
dataclass because a million of them are created per million blobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

__all__ = [
    "DEFAULT_LIMIT",
    "FilesUnit",
    "Item",
    "ItemsUnit",
    "JsonlBlockUnit",
    "JsonlRangeUnit",
    "ParquetUnit",
    "Unit",
]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Largest blob classified (bytes): a registry's manifest limit. Larger blobs get ``too-large``.
DEFAULT_LIMIT: Final = 4 * 1024 * 1024


class Item(NamedTuple):
    """One blob as read: where it was, its bytes, and what its container said about it.

    ``line`` is a JSON Lines line index (relative to the unit for byte ranges), ``-1``
    otherwise. ``error`` is a reader problem (then ``data`` is empty and ``size`` may say
    how big the blob was); ``expected`` a digest the container promised.
    """

    locator: str
    data: bytes
    hint: str = ""
    expected: str = ""
    error: str = ""
    size: int = -1
    line: int = -1
    registry: str = ""
    repository: str = ""
    created: str = ""


@dataclass(frozen=True, slots=True)
class FilesUnit:
    """Files under *root*, by relative name; with ``digest_names`` the name ends in
    ``<alg>/<hex>`` (an OCI layout) and the bytes must hash to it.

    With a *prefix* (``"blobs/sha256/"``), each file's relative name is ``prefix + name``
    (*hints* are keyed by *name*): a layout's 200,000 names then travel, and are sorted,
    without 200,000 copies of their directory.
    """

    source: str
    root: str
    names: tuple[str, ...]
    digest_names: bool = False
    hints: Mapping[str, str] = field(default_factory=dict)
    limit: int = DEFAULT_LIMIT
    prefix: str = ""

    def paths(self) -> list[str]:
        """The files' names relative to *root*."""
        prefix = self.prefix
        return [prefix + name for name in self.names] if prefix else list(self.names)


@dataclass(frozen=True, slots=True)
class JsonlRangeUnit:
    """Bytes ``[start, end)`` of an uncompressed JSON Lines file, cut at line boundaries."""

    source: str
    path: str
    start: int
    end: int
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class JsonlBlockUnit:
    """Whole lines decompressed by the planner; the first has index *first_line*."""

    source: str
    data: bytes
    first_line: int
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class ParquetUnit:
    """Row groups of a Parquet file; *first_row* is the first group's first row number."""

    source: str
    path: str
    row_groups: tuple[int, ...]
    first_row: int
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class ItemsUnit:
    """Items already read by the planner (archive members, loose files, input errors)."""

    source: str
    items: tuple[Item, ...]


Unit = FilesUnit | JsonlRangeUnit | JsonlBlockUnit | ParquetUnit | ItemsUnit
