"""The content store's value types and its narrow Protocols, in one place.

containerd splits a content store into four small interfaces so that each consumer asks for
only what it uses: a :class:`Provider` reads, an :class:`Ingester` opens writers, an
:class:`IngestManager` inspects and aborts unfinished writes, a :class:`Manager` reads and
edits metadata. :class:`Store` composes them and adds what no containerd store keeps: the
label history and the fetch log that the catalog charts.

Values are frozen: an :class:`Info` handed to a notebook cannot be edited behind the store's
back; labels change only through :meth:`Manager.update` and :meth:`Manager.update_label`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Protocol, Self, runtime_checkable

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import InvalidArgument, MstoolkitError

__all__ = [
    "BatchCommitter",
    "BatchFetchLog",
    "BlobPut",
    "EPOCH",
    "FetchRecord",
    "Info",
    "IngestManager",
    "IngestRecord",
    "Ingester",
    "LabelChange",
    "LabelTransform",
    "Manager",
    "Provider",
    "ReaderAt",
    "Status",
    "Store",
    "Writer",
]

#: The zero time: what an :class:`Info` built by hand for :meth:`Manager.update` carries.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: What :meth:`Manager.update_label` applies to one label: the current value (``None`` when
#: absent) in, the new value out (``None`` or ``""`` removes the label).
LabelTransform = Callable[[str | None], str | None]

_NO_LABELS: Mapping[str, str] = MappingProxyType({})


def _frozen_labels(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    if not labels:
        return _NO_LABELS
    if not isinstance(labels, Mapping):
        raise InvalidArgument(f"labels must be a mapping, not {type(labels).__name__}")
    for key, value in labels.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidArgument(f"labels must map str to str, got {key!r}: {value!r}")
    return MappingProxyType(dict(labels))


@dataclass(frozen=True, slots=True, init=False, eq=False)
class Info:
    """What the store knows about one committed blob.

    Build one by hand (``Info(digest, labels={...})``, the digest as Digest or str) to pass to
    :meth:`Manager.update`; only ``digest`` and ``labels`` are read there. Hashing uses
    ``(digest, size)``; labels are a read-only mapping.
    """

    digest: Digest
    size: int
    created_at: datetime
    updated_at: datetime
    labels: Mapping[str, str]

    def __init__(
        self,
        digest: DigestLike,
        size: int = 0,
        created_at: datetime = EPOCH,
        updated_at: datetime = EPOCH,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        object.__setattr__(self, "digest", as_digest(digest))
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "created_at", created_at)
        object.__setattr__(self, "updated_at", updated_at)
        object.__setattr__(self, "labels", _frozen_labels(labels))

    def __hash__(self) -> int:
        return hash((self.digest, self.size))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Info):
            return NotImplemented
        return (
            self.digest == other.digest
            and self.size == other.size
            and self.created_at == other.created_at
            and self.updated_at == other.updated_at
            and dict(self.labels) == dict(other.labels)
        )


@dataclass(frozen=True, slots=True)
class Status:
    """Progress of one unfinished ingest, as :meth:`IngestManager.status` reports it.

    ``offset`` is the number of bytes already in the ingest (where a resumed writer continues);
    ``total`` the size announced by the expected descriptor, 0 when unknown.
    """

    ref: str
    offset: int
    total: int
    expected: Digest | None
    started_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LabelChange:
    """One row of the label history: ``old`` is None for a new key, ``new`` None for a removal."""

    digest: Digest
    key: str
    old: str | None
    new: str | None
    at: datetime
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One registry fetch as the audit log keeps it (``outcome`` e.g. ``"ok"``/``"error"``)."""

    at: datetime
    registry: str
    repository: str
    reference: str
    digest: str
    media_type: str
    size: int
    outcome: str
    error_category: str = ""
    ratelimit_remaining: int | None = None


@dataclass(frozen=True, slots=True)
class IngestRecord:
    """How an ingest ended: ``outcome`` is ``"committed"``, ``"already-exists"`` or
    ``"aborted"``; ``digest`` is None for an abort."""

    ref: str
    digest: Digest | None
    size: int
    started_at: datetime | None
    finished_at: datetime
    outcome: str
    actor: str


@runtime_checkable
class ReaderAt(Protocol):
    """Random access to one committed blob; close it (or use ``with``) when done."""

    @property
    def size(self) -> int: ...

    def read_at(self, n: int, offset: int) -> bytes:
        """Up to *n* bytes from *offset*; fewer at the end, ``b""`` at or past the end."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Writer(Protocol):
    """One open ingest, holding its ref's lock until :meth:`close` or :meth:`commit`."""

    def write(self, data: bytes | bytearray | memoryview) -> int: ...

    def digest(self) -> Digest:
        """The digest of everything written so far."""
        ...

    def status(self) -> Status: ...

    def truncate(self, size: int) -> None:
        """Start over; only ``0`` is supported, as in containerd."""
        ...

    def close(self) -> None:
        """Release the lock and keep the ingest for a later writer to resume."""
        ...

    def commit(
        self,
        size: int,
        expected: DigestLike | None,
        *,
        labels: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> None:
        """Verify size (if > 0) and digest (if given), make the blob visible, set labels."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Provider(Protocol):
    """Reads committed content."""

    def info(self, digest: DigestLike) -> Info: ...

    def read(self, digest: DigestLike) -> bytes: ...

    def reader_at(self, digest: DigestLike) -> ReaderAt: ...


@runtime_checkable
class Ingester(Protocol):
    """Opens writers: one per ref at a time, across every process sharing the store."""

    def writer(self, ref: str, *, expected: Descriptor | None = None) -> Writer: ...


@runtime_checkable
class IngestManager(Protocol):
    """Inspects and cancels unfinished ingests."""

    def status(self, ref: str) -> Status: ...

    def list_statuses(self, *filters: str) -> list[Status]: ...

    def abort(self, ref: str) -> None: ...


@runtime_checkable
class Manager(Protocol):
    """Reads and edits blob metadata; labels are the only mutable field."""

    def info(self, digest: DigestLike) -> Info: ...

    def update(self, info: Info, *fieldpaths: str, reason: str = "") -> Info: ...

    def update_label(
        self, digest: DigestLike, key: str, transform: LabelTransform, *, reason: str = ""
    ) -> Info:
        """Atomic read-modify-write of one label, across threads and (for stores shared on
        disk) processes: ``update`` after ``info`` would lose a concurrent writer's value.

        *transform* gets the current value (``None`` when absent) and returns the new one
        (``None``/``""`` removes the label); it runs under the store's lock, so it must be
        quick and must not call the store. Its exceptions propagate and change nothing. One
        history row is written per actual change, none when the value stays the same.
        """
        ...

    def walk(self, *filters: str) -> Iterator[Info]: ...

    def delete(self, digest: DigestLike) -> None: ...


@runtime_checkable
class Store(Provider, Ingester, IngestManager, Manager, Protocol):
    """All four roles plus the label history and the fetch log."""

    def label_history(
        self, digest: DigestLike | None = None, key: str | None = None
    ) -> list[LabelChange]: ...

    def record_fetch(self, rec: FetchRecord) -> None: ...

    def fetch_log(self) -> list[FetchRecord]: ...


@dataclass(frozen=True, slots=True)
class BlobPut:
    """One blob for :meth:`BatchCommitter.commit_many`: its bytes, the digest they must have,
    the labels to commit it with and what the ingest log and label history should say."""

    data: bytes
    expected: Digest
    labels: Mapping[str, str] = field(default_factory=lambda: _NO_LABELS)
    reason: str = ""
    #: The ingest log's ref for this blob ("" → ``batch-<digest>``).
    ref: str = ""


@runtime_checkable
class BatchCommitter(Protocol):
    """Commits many small blobs at once (group commit), each as durable at return as
    :meth:`Writer.commit` makes one.

    A writer per blob pays a ref lock, an ingest folder and two syncs per blob; a batch pays
    the syncs once. The answer has one entry per put, in order: ``None`` (committed),
    :class:`~mstoolkit.errors.AlreadyExists` (already held; labels untouched), or the error
    that refused that put alone (digest mismatch, bad labels). A failure of the store itself
    (disk full, database) raises; puts committed before it stay committed.
    """

    def commit_many(self, puts: Sequence[BlobPut], /) -> list[MstoolkitError | None]: ...


@runtime_checkable
class BatchFetchLog(Protocol):
    """Appends many fetch records in one transaction (an audit logs a row per manifest)."""

    def record_fetches(self, recs: Sequence[FetchRecord], /) -> None: ...


def __dir__() -> list[str]:
    return sorted(__all__)
