"""MemoryStore: the LocalStore's semantics in a dict, the fast fake for tests and notebooks.

It passes the same conformance suite (:mod:`mstoolkit.content.testing`) as
:class:`~mstoolkit.content.local.LocalStore`: the same locking order, the same resumable
ingests, the same label rules and the same error texts. It is thread-safe (one lock guards the
dicts) but lives in one process; refs are locked per store instance.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Self

from mstoolkit.content import _common as common
from mstoolkit.content.filters import AnyOf, adapt_info, adapt_status, parse_all
from mstoolkit.content.protocols import (
    BlobPut,
    FetchRecord,
    Info,
    IngestRecord,
    LabelChange,
    LabelTransform,
    Status,
)
from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import FailedPrecondition, InvalidArgument, MstoolkitError

__all__ = ["MemoryStore"]


@dataclass(slots=True)
class _Blob:
    data: bytes
    created_at: datetime
    updated_at: datetime
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Ingest:
    data: bytearray
    total: int
    expected: Digest | None
    started_at: datetime
    updated_at: datetime


class MemoryStore:
    """An in-memory :class:`~mstoolkit.content.protocols.Store`."""

    def __init__(self, *, actor: str | None = None, clock: common.Clock = common.utcnow) -> None:
        self._mu = threading.RLock()
        self._actor = actor
        self._clock = clock
        self._blobs: dict[Digest, _Blob] = {}
        self._ingests: dict[str, _Ingest] = {}
        self._locks: dict[str, datetime] = {}
        self._history: list[LabelChange] = []
        self._fetches: list[FetchRecord] = []
        self._ingest_log: list[IngestRecord] = []

    def __repr__(self) -> str:
        return f"<MemoryStore blobs={len(self._blobs)} ingests={len(self._ingests)}>"

    def close(self) -> None:
        """Nothing to release; present so code can treat every store alike."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def actor(self) -> str:
        return self._actor or common.default_actor()

    # -- Provider ------------------------------------------------------------------------

    def _blob(self, digest: Digest) -> _Blob:
        blob = self._blobs.get(digest)
        if blob is None:
            raise common.content_not_found(digest)
        return blob

    def info(self, digest: DigestLike) -> Info:
        dgst = as_digest(digest)
        with self._mu:
            blob = self._blob(dgst)
            return Info(dgst, len(blob.data), blob.created_at, blob.updated_at, blob.labels)

    def read(self, digest: DigestLike) -> bytes:
        dgst = as_digest(digest)
        with self._mu:
            return self._blob(dgst).data

    def reader_at(self, digest: DigestLike) -> _BytesReaderAt:
        return _BytesReaderAt(self.read(digest))

    # -- Manager -------------------------------------------------------------------------

    def update(self, info: Info, *fieldpaths: str, reason: str = "") -> Info:
        if not isinstance(info, Info):
            raise InvalidArgument(f"update needs an Info, not {type(info).__name__}")
        dgst = info.digest
        with self._mu:
            blob = self._blob(dgst)
            new = common.planned_labels(dgst, blob.labels, info.labels, fieldpaths)
            now = self._clock()
            self._record(dgst, blob.labels, new, now, reason)
            blob.labels = new
            blob.updated_at = now
            return Info(dgst, len(blob.data), blob.created_at, blob.updated_at, blob.labels)

    def update_label(
        self, digest: DigestLike, key: str, transform: LabelTransform, *, reason: str = ""
    ) -> Info:
        """Set the label *key* to ``transform(current value or None)``, atomically (under the
        store's lock); ``None`` or ``""`` removes it, an unchanged value writes nothing."""
        dgst = as_digest(digest)
        with self._mu:
            blob = self._blob(dgst)
            new = common.transformed_labels(blob.labels, key, transform)
            if new != blob.labels:
                now = self._clock()
                self._record(dgst, blob.labels, new, now, reason)
                blob.labels = new
                blob.updated_at = now
            return Info(dgst, len(blob.data), blob.created_at, blob.updated_at, blob.labels)

    def walk(self, *filters: str) -> Iterator[Info]:
        matcher = parse_all(*filters)
        with self._mu:
            infos = [
                Info(d, len(b.data), b.created_at, b.updated_at, b.labels)
                for d, b in sorted(self._blobs.items(), key=lambda item: str(item[0]))
            ]
        return _matching(infos, matcher)

    def delete(self, digest: DigestLike, *, reason: str = "") -> None:
        dgst = as_digest(digest)
        with self._mu:
            blob = self._blob(dgst)
            self._record(dgst, blob.labels, {}, self._clock(), reason)
            del self._blobs[dgst]

    def _record(
        self, digest: Digest, old: Mapping[str, str], new: Mapping[str, str], at: datetime,
        reason: str,
    ) -> None:
        actor = self.actor()
        self._history.extend(
            LabelChange(digest, key, before, after, at, reason, actor)
            for key, before, after in common.label_diff(old, new)
        )

    # -- Ingester ------------------------------------------------------------------------

    def writer(self, ref: str, *, expected: Descriptor | None = None) -> _MemoryWriter:
        common.check_ref(ref)
        if expected is not None and not isinstance(expected, Descriptor):
            raise InvalidArgument(f"expected must be a Descriptor, not {type(expected).__name__}")
        with self._mu:
            now = self._clock()
            since = self._locks.get(ref)
            if since is not None:
                raise common.ref_locked(ref, since, now=now)
            if expected is not None and expected.digest in self._blobs:
                raise common.content_exists(expected.digest)
            total = expected.size if expected is not None and expected.size > 0 else 0
            want = expected.digest if expected is not None else None
            hasher = hashlib.new(want.algorithm if want else "sha256")
            ingest = self._ingests.get(ref)
            if ingest is not None and total > 0 and ingest.total > 0 and total != ingest.total:
                ingest = None  # containerd starts over when the announced size changed
            if ingest is None:
                ingest = _Ingest(bytearray(), total, want, now, now)
                self._ingests[ref] = ingest
            else:
                hasher.update(ingest.data)
                ingest.total = ingest.total or total
                ingest.expected = want or ingest.expected
            self._locks[ref] = now
            return _MemoryWriter(self, ref, ingest, hasher)

    def _unlock(self, ref: str) -> None:
        with self._mu:
            self._locks.pop(ref, None)

    # -- IngestManager -------------------------------------------------------------------

    def status(self, ref: str) -> Status:
        common.check_ref_type(ref)
        with self._mu:
            ingest = self._ingests.get(ref)
            if ingest is None:
                raise common.ingest_not_found(ref)
            return _status(ref, ingest)

    def list_statuses(self, *filters: str) -> list[Status]:
        matcher = parse_all(*filters)
        with self._mu:
            statuses = [_status(ref, ing) for ref, ing in sorted(self._ingests.items())]
        return [s for s in statuses if matcher.match(adapt_status(s))]

    def abort(self, ref: str) -> None:
        common.check_ref_type(ref)
        with self._mu:
            now = self._clock()
            since = self._locks.get(ref)
            if since is not None:
                raise common.ref_locked(ref, since, now=now)
            ingest = self._ingests.pop(ref, None)
            if ingest is None:
                raise common.ingest_not_found(ref)
            self._ingest_log.append(
                IngestRecord(
                    ref, None, len(ingest.data), ingest.started_at, now, "aborted", self.actor()
                )
            )

    # -- history and logs ----------------------------------------------------------------

    def label_history(
        self, digest: DigestLike | None = None, key: str | None = None
    ) -> list[LabelChange]:
        dgst = as_digest(digest) if digest is not None else None
        with self._mu:
            return [
                c
                for c in self._history
                if (dgst is None or c.digest == dgst) and (key is None or c.key == key)
            ]

    def record_fetch(self, rec: FetchRecord) -> None:
        if not isinstance(rec, FetchRecord):
            raise InvalidArgument(f"record_fetch needs a FetchRecord, not {type(rec).__name__}")
        with self._mu:
            self._fetches.append(rec)

    def fetch_log(self) -> list[FetchRecord]:
        with self._mu:
            return list(self._fetches)

    def logged_references(self, registry: str, outcomes: Sequence[str]) -> set[tuple[str, str]]:
        """As :meth:`LocalStore.logged_references`."""
        wanted = frozenset(outcomes)
        with self._mu:
            return {
                (rec.repository, rec.reference)
                for rec in self._fetches
                if rec.registry == registry and rec.digest and rec.outcome in wanted
            }

    def ingest_log(self) -> list[IngestRecord]:
        with self._mu:
            return list(self._ingest_log)

    # -- batches (group commit) ----------------------------------------------------------

    def commit_many(self, puts: Sequence[BlobPut], /) -> list[MstoolkitError | None]:
        """Commit many blobs at once, with :meth:`LocalStore.commit_many`'s answers."""
        checked: list[tuple[Digest, dict[str, str]] | MstoolkitError] = []
        for put in puts:
            try:
                checked.append(common.check_put(put))
            except MstoolkitError as exc:
                checked.append(exc)
        results: list[MstoolkitError | None] = []
        with self._mu:
            now = self._clock()
            actor = self.actor()
            for put, check in zip(puts, checked, strict=True):
                if isinstance(check, MstoolkitError):
                    results.append(check)
                    continue
                dgst, labels = check
                if dgst in self._blobs:
                    results.append(common.content_exists(dgst))
                    continue
                data = bytes(put.data)
                self._blobs[dgst] = _Blob(data, now, now, dict(sorted(labels.items())))
                self._record(dgst, {}, labels, now, put.reason)
                self._ingest_log.append(
                    IngestRecord(
                        put.ref or f"batch-{dgst}", dgst, len(data), None, now, "committed", actor
                    )
                )
                results.append(None)
        return results

    def record_fetches(self, recs: Sequence[FetchRecord], /) -> None:
        """:meth:`record_fetch` for many records at once."""
        bad = [type(rec).__name__ for rec in recs if not isinstance(rec, FetchRecord)]
        if bad:
            raise InvalidArgument(f"record_fetches needs FetchRecord values, not {bad[0]}")
        with self._mu:
            self._fetches.extend(recs)


def _status(ref: str, ingest: _Ingest) -> Status:
    return Status(
        ref, len(ingest.data), ingest.total, ingest.expected, ingest.started_at, ingest.updated_at
    )


def _matching(infos: list[Info], matcher: AnyOf) -> Iterator[Info]:
    for info in infos:
        if matcher.match(adapt_info(info)):
            yield info


class _MemoryWriter:
    def __init__(
        self, store: MemoryStore, ref: str, ingest: _Ingest, hasher: hashlib._Hash
    ) -> None:
        self._store = store
        self._ref = ref
        self._ingest = ingest
        self._hasher = hasher
        self._open = True

    def __repr__(self) -> str:
        state = f"offset={len(self._ingest.data)}" if self._open else "closed"
        return f"<MemoryStore writer {self._ref!r} {state}>"

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if not self._open:
            raise FailedPrecondition(f"writer {self._ref!r} is closed")
        view = common.as_bytes(data)
        self._ingest.data += view
        self._hasher.update(view)
        self._ingest.updated_at = self._store._clock()
        return len(view)

    def digest(self) -> Digest:
        return Digest(self._hasher.name, self._hasher.hexdigest())

    def status(self) -> Status:
        return _status(self._ref, self._ingest)

    def truncate(self, size: int) -> None:
        if size != 0:
            raise InvalidArgument("Truncate: unsupported size")
        if not self._open:
            raise FailedPrecondition(f"writer {self._ref!r} is closed")
        self._ingest.data.clear()
        self._hasher = hashlib.new(self._hasher.name)
        self._ingest.updated_at = self._store._clock()

    def close(self) -> None:
        if self._open:
            self._open = False
            self._store._unlock(self._ref)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def commit(
        self,
        size: int,
        expected: DigestLike | None,
        *,
        labels: Mapping[str, str] | None = None,
        reason: str = "",
    ) -> None:
        store = self._store
        try:
            if not self._open:
                raise FailedPrecondition("cannot commit on closed writer")
            self._open = False
            size = common.check_size(size)
            want = common.expected_digest(expected)
            clean = common.clean_labels(labels)
            data = bytes(self._ingest.data)
            dgst = self.digest()
            common.check_committed(size, len(data), want, dgst)
            self._publish(dgst, data, clean, reason)
        finally:
            store._unlock(self._ref)

    def _publish(self, dgst: Digest, data: bytes, labels: dict[str, str], reason: str) -> None:
        store = self._store
        with store._mu:
            now = store._clock()
            if store._ingests.get(self._ref) is self._ingest:
                del store._ingests[self._ref]
            if dgst in store._blobs:
                store._ingest_log.append(
                    IngestRecord(
                        self._ref, dgst, len(data), self._ingest.started_at, now,
                        "already-exists", store.actor(),
                    )
                )
                raise common.content_exists(dgst)
            store._blobs[dgst] = _Blob(data, now, now, dict(sorted(labels.items())))
            store._record(dgst, {}, labels, now, reason)
            store._ingest_log.append(
                IngestRecord(
                    self._ref, dgst, len(data), self._ingest.started_at, now, "committed",
                    store.actor(),
                )
            )


class _BytesReaderAt:
    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data
        self._size = len(data)

    @property
    def size(self) -> int:
        return self._size

    def read_at(self, n: int, offset: int) -> bytes:
        if self._data is None:
            raise FailedPrecondition("reader is closed")
        if n < 0 or offset < 0:
            raise InvalidArgument(f"read_at needs n >= 0 and offset >= 0, got {n}, {offset}")
        return self._data[offset : offset + n]

    def close(self) -> None:
        self._data = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def __dir__() -> list[str]:
    return sorted(__all__)
