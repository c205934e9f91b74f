"""What a pull or an audit reports: one small row per manifest, never an exception per row.

Rows are plain frozen values so that the catalog can turn them into DataFrames (one column
per field) without this layer importing pandas, and so that an audit of a large registry can
report every failure instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mstoolkit.descriptor import Descriptor
    from mstoolkit.manifest.models import Manifest

__all__ = [
    "AuditResult",
    "FetchOutcome",
    "FetchRow",
    "PullResult",
]


class FetchOutcome(StrEnum):
    """How one manifest was obtained."""

    #: Fetched from the registry with a GET (and persisted, unless the store failed).
    FETCHED = "fetched"
    #: Served from the content store; at most a HEAD reached the registry.
    CACHED = "cached"
    #: Not obtained; ``error_category`` and ``error`` say why.
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class FetchRow:
    """One manifest of a pull or an audit: a tag, a digest, or a child of an index."""

    at: datetime
    registry: str
    repository: str
    #: The tag, or the digest for a pull by digest and for the children of an index.
    reference: str
    digest: str
    media_type: str
    size: int
    outcome: FetchOutcome
    #: The :attr:`mstoolkit.errors.MstoolkitError.category` of the failure, ``""`` when fine.
    error_category: str = ""
    error: str = ""
    #: The digest of the index or list this manifest was found in, ``""`` at the top level.
    parent: str = ""
    #: ``os/arch[/variant]`` from the parent's descriptor, ``""`` at the top level.
    platform: str = ""
    #: The registry's remaining pull quota after this fetch, when it says so.
    ratelimit_remaining: int | None = None
    #: Whether the manifest is in the content store after this row.
    persisted: bool = False

    @property
    def ok(self) -> bool:
        """Whether the manifest was obtained."""
        return self.outcome is not FetchOutcome.ERROR


class _RowTallies:
    """The counts a pull and an audit both report, from their ``rows``."""

    __slots__ = ()
    rows: tuple[FetchRow, ...]

    @property
    def ok(self) -> bool:
        """Whether every manifest was obtained."""
        return all(row.ok for row in self.rows)

    @property
    def fetched(self) -> int:
        """How many manifests needed a GET."""
        return self._count(FetchOutcome.FETCHED)

    @property
    def cached(self) -> int:
        """How many manifests came from the cache (a resumed audit skips them)."""
        return self._count(FetchOutcome.CACHED)

    @property
    def failed(self) -> int:
        """How many manifests could not be obtained."""
        return self._count(FetchOutcome.ERROR)

    def _count(self, outcome: FetchOutcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)


@dataclass(frozen=True, slots=True)
class PullResult(_RowTallies):
    """A pulled reference: its manifest, the children it was asked for, and one row each."""

    reference: str
    descriptor: Descriptor
    manifest: Manifest
    children: tuple[Manifest, ...]
    rows: tuple[FetchRow, ...]


@dataclass(frozen=True, slots=True)
class AuditResult(_RowTallies):
    """A registry walked into the cache: one row per tag and per child manifest."""

    registry: str
    repositories: tuple[str, ...]
    rows: tuple[FetchRow, ...]
    started_at: datetime
    finished_at: datetime

    @property
    def elapsed(self) -> float:
        """Wall-clock seconds the audit took."""
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def failures(self) -> tuple[FetchRow, ...]:
        """The failed rows, in the order they happened."""
        return tuple(row for row in self.rows if row.outcome is FetchOutcome.ERROR)

    def __repr__(self) -> str:
        return (
            f"AuditResult(registry={self.registry!r}, repositories={len(self.repositories)}, "
            f"fetched={self.fetched}, cached={self.cached}, failed={self.failed}, "
            f"elapsed={self.elapsed:.2f}s)"
        )


def __dir__() -> list[str]:
    return sorted(__all__)
