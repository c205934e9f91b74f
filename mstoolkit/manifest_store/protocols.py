"""The narrow Protocols the manifest store consumes, declared here by their consumer.

``ContentStore`` is the seed's: the parts of a containerd content store that ``manifestStore``
touches (an ingester, a provider, ``Info``/``Abort``/``Update``); a store that is also a
``LabelUpdater`` gets its distribution-source label appended atomically. ``ManifestGetter`` is the
seed's ``manifestGetter`` per repository. Anything with these methods works: the stores of
:mod:`mstoolkit.content`, the clients of :mod:`mstoolkit.registry`, and the fakes of
:mod:`mstoolkit.manifest_store.testing`. Positional-only parameters keep the implementations
free to name theirs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import DigestLike

if TYPE_CHECKING:
    from mstoolkit.content import FetchRecord, Info

__all__ = [
    "AsyncRegistry",
    "ContentStore",
    "ContentWriter",
    "FetchHistory",
    "FetchLog",
    "FetchedLike",
    "IngestStatus",
    "LabelUpdater",
    "LoggedReferences",
    "ManifestGetter",
    "ReaderAt",
    "TagResolver",
]


class IngestStatus(Protocol):
    """How far an ingest got (a resumed one is rewound before writing)."""

    @property
    def offset(self) -> int: ...


class ContentWriter(Protocol):
    """The part of a content-store writer that :meth:`ManifestStore.put` uses."""

    def write(self, data: bytes, /) -> int: ...

    def status(self) -> IngestStatus: ...

    def truncate(self, size: int, /) -> None: ...

    def commit(
        self,
        size: int,
        expected: DigestLike | None,
        /,
        *,
        labels: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> None: ...

    def close(self) -> None: ...


class ReaderAt(Protocol):
    """Random access to one committed blob."""

    @property
    def size(self) -> int: ...

    def read_at(self, n: int, offset: int, /) -> bytes: ...

    def close(self) -> None: ...


class ContentStore(Protocol):
    """The seed's ``ContentStore``: an ingester and provider with ``Info``/``Abort``/``Update``."""

    def writer(self, ref: str, /, *, expected: Descriptor | None = None) -> ContentWriter: ...

    def info(self, digest: DigestLike, /) -> Info: ...

    def read(self, digest: DigestLike, /) -> bytes: ...

    def reader_at(self, digest: DigestLike, /) -> ReaderAt: ...

    def abort(self, ref: str, /) -> None: ...

    def update(self, info: Info, /, *fieldpaths: str, reason: str = "") -> Info: ...


@runtime_checkable
class LabelUpdater(Protocol):
    """A content store with an atomic read-modify-write of one label.

    The distribution-source append needs it: with only ``info`` + ``update``, two processes
    sharing a store can each read the label, each add their repository, and one write wins.
    Stores without it still work (see :meth:`ManifestStore.get_local`), atomically within
    one process only.
    """

    def update_label(
        self,
        digest: DigestLike,
        key: str,
        transform: Callable[[str | None], str | None],
        /,
        *,
        reason: str = "",
    ) -> Info: ...


@runtime_checkable
class FetchLog(Protocol):
    """A store that keeps a log of registry fetches (``pull`` and ``audit`` write to it)."""

    def record_fetch(self, rec: FetchRecord, /) -> None: ...


class AsyncRegistry(Protocol):
    """What the audit asks of a registry (``mstoolkit.registry.AsyncRegistryClient`` has it)."""

    def catalog(self) -> AsyncIterator[str]: ...

    def tags(self, repo: str, /) -> AsyncIterator[str]: ...

    async def head_manifest(self, repo: str, reference: str, /) -> Descriptor: ...

    async def get_manifest(self, repo: str, reference: str, /) -> FetchedLike: ...

    async def exists(self, repo: str, digest: DigestLike, /) -> bool: ...


@runtime_checkable
class FetchHistory(Protocol):
    """A content store whose fetch log can be read back (the audit's ``resolve="auto"``)."""

    def fetch_log(self) -> list[FetchRecord]: ...


@runtime_checkable
class LoggedReferences(Protocol):
    """A content store that can say which tags its fetch log saw without reading it whole
    (``LocalStore`` asks SQLite; the log grows by a row per manifest per audit)."""

    def logged_references(self, registry: str, outcomes: Sequence[str]) -> set[tuple[str, str]]:
        ...


@runtime_checkable
class FetchedLike(Protocol):
    """What a remote answers to a manifest GET: the exact bytes and their descriptor."""

    @property
    def raw(self) -> bytes: ...

    @property
    def descriptor(self) -> Descriptor: ...


class ManifestGetter(Protocol):
    """The seed's ``manifestGetter``, per repository: GET a manifest, HEAD a digest."""

    def get_manifest(self, repo: str, reference: str, /) -> FetchedLike: ...

    def exists(self, repo: str, digest: DigestLike, /) -> bool: ...


@runtime_checkable
class TagResolver(Protocol):
    """A remote that resolves a tag with HEAD (what :meth:`ManifestStore.pull` prefers)."""

    def head_manifest(self, repo: str, reference: str, /) -> Descriptor: ...


def __dir__() -> list[str]:
    return sorted(__all__)
