"""Group commit for audits: many fetched manifests persisted with one content-store batch.

A fresh manifest committed through a writer costs a ref lock, an ingest folder and two
syncs (milliseconds of CPU and disk wait), which held a first audit to ~200 manifests/s.
When the content store has ``commit_many`` (:class:`~mstoolkit.content.protocols.
BatchCommitter`), the audit hands its fetched manifests to a :class:`GroupCommit`: while one
batch is being committed in a store thread the next one gathers, so the batch size follows
the load by itself (one manifest when the registry is slow, a hundred when it is fast) and
no timer is needed. Each manifest is durable when its ``submit`` returns, as after a writer's
commit.

Only the plain case is batched: a manifest the store does not hold, fetched from the
repository it is labelled with. Anything else (already held, refused by the store, an answer
that fails to parse or verify) comes back as ``None`` and takes :meth:`ManifestStore.serve`,
the seed's path, which then decides exactly as it always did (and raises what it raises).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mstoolkit.content.protocols import BatchCommitter, BatchFetchLog, BlobPut
from mstoolkit.descriptor import Descriptor
from mstoolkit.labels import distribution_source_label
from mstoolkit.manifest_store.protocols import FetchHistory, LoggedReferences
from mstoolkit.manifest_store.pull import fetch_record, record_rows
from mstoolkit.manifest_store.results import FetchOutcome
from mstoolkit.manifest_store.store import Served, Source, _parse_answer, _payload

if TYPE_CHECKING:
    from mstoolkit.manifest.models import Manifest
    from mstoolkit.manifest_store.protocols import FetchedLike
    from mstoolkit.manifest_store.results import FetchRow
    from mstoolkit.manifest_store.store import ManifestStore
    from mstoolkit.reference import Reference

__all__ = ["Fetched", "GroupCommit", "RowLog", "can_batch", "persist_fetched", "seen_tags"]

_log = logging.getLogger(__name__)

#: At most this many manifests per batch (about 100 KB of manifests, one transaction).
MAX_BATCH = 128
#: Fetch-log rows buffered before one transaction writes them...
ROWS_PER_FLUSH = 256
#: ... or seconds since the last write, so that the log stays fresh for whoever watches it.
FLUSH_SECONDS = 0.25

_Runner = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Fetched:
    """A registry answer for *desc*, obtained for *ref*'s repository."""

    desc: Descriptor
    ref: Reference
    answer: FetchedLike


def can_batch(store: ManifestStore) -> bool:
    """Whether *store*'s content store commits batches."""
    return isinstance(store.local, BatchCommitter)


def persist_fetched(store: ManifestStore, items: Sequence[Fetched]) -> list[Served | None]:
    """Parse, verify and commit *items* in one batch; ``None`` for those left to ``serve``.

    A store failure (disk full, a busy database) leaves every item to ``serve`` as well,
    whose writer path then reports it per manifest, as before batches existed.
    """
    local = store.local
    results: list[Served | None] = [None] * len(items)
    if not isinstance(local, BatchCommitter):
        return results
    puts: list[BlobPut] = []
    parsed: list[tuple[int, Manifest]] = []
    for i, item in enumerate(items):
        try:
            manifest = _parse_answer(item.answer, item.desc)
        except Exception as exc:  # serve parses again and raises it for this row
            _log.debug("manifest %s left to serve: %s", item.desc.digest, exc)
            continue
        key, repo = distribution_source_label(item.ref)
        puts.append(
            BlobPut(
                _payload(manifest),
                item.desc.digest,
                {key: repo},
                "manifest fetched",
                f"audit-{item.desc.digest}",
            )
        )
        parsed.append((i, manifest))
    if not puts:
        return results
    try:
        outcomes = local.commit_many(puts)
    except Exception as exc:
        _log.warning("batch commit of %d manifests failed (%s); one by one", len(puts), exc)
        return results
    for (i, manifest), error in zip(parsed, outcomes, strict=True):
        if error is None:
            store._remember(manifest, items[i].desc)
            results[i] = Served(manifest, Source.REMOTE, True, items[i].answer)
    return results


class GroupCommit:
    """Collects fetched manifests and commits them in batches, one batch at a time."""

    def __init__(self, store: ManifestStore, run: _Runner, *, max_batch: int = MAX_BATCH) -> None:
        self._store = store
        self._run = run
        self._max = max_batch
        self._pending: list[tuple[Fetched, asyncio.Future[Served | None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        #: Batch sizes committed so far (the benchmark prints them).
        self.sizes: list[int] = []

    async def submit(self, item: Fetched) -> Served | None:
        """Persist *item* with the next batch; ``None`` means "use ``serve``"."""
        future: asyncio.Future[Served | None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._max], self._pending[self._max :]
            self.sizes.append(len(batch))
            try:
                results = await self._run(persist_fetched, self._store, [b[0] for b in batch])
            except Exception as exc:  # persist_fetched catches the store's; this is the thread's
                _log.warning("batch of %d manifests not committed: %s", len(batch), exc)
                results = [None] * len(batch)
            except BaseException:
                # Cancelled: nobody may wait for ever; serve takes over whoever still waits.
                for _, future in batch + self._pending:
                    if not future.done():
                        future.set_result(None)
                self._pending = []
                raise
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        """Wait for the batch in progress (a cancelled audit still finishes its commit)."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)


class RowLog:
    """Fetch-log rows written a transaction per :data:`ROWS_PER_FLUSH` rows or
    :data:`FLUSH_SECONDS`, whichever comes first (a transaction per row cost ~0.2 ms).

    A kill loses the rows not yet written (a quarter of a second's worth); an audit's rows
    are also in its result, and a rerun only uses the log to choose HEAD or GET
    (``resolve="auto"``: such a tag costs one GET more).
    """

    def __init__(
        self, store: ManifestStore, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._store = store
        self._rows: list[FetchRow] = []
        self._clock = clock
        self._last = clock()

    def add(self, row: FetchRow) -> None:
        self._rows.append(row)
        if len(self._rows) >= ROWS_PER_FLUSH or self._clock() - self._last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        self._last = self._clock()
        rows, self._rows = self._rows, []
        if not rows:
            return
        local = self._store.local
        try:
            if isinstance(local, BatchFetchLog):
                local.record_fetches([fetch_record(row) for row in rows])
            else:
                record_rows(self._store, rows)
        except Exception as exc:
            _log.warning("could not record %d fetches: %s", len(rows), exc)


def seen_tags(store: ManifestStore, host: str) -> set[tuple[str, str]]:
    """The (repository, tag) pairs of *host* this store's fetch log holds a manifest for."""
    local = store.local
    if isinstance(local, LoggedReferences):
        return local.logged_references(host, tuple(_SEEN_OUTCOMES))
    if not isinstance(local, FetchHistory):
        return set()
    return {
        (rec.repository, rec.reference)
        for rec in local.fetch_log()
        if rec.registry == host and rec.digest and rec.outcome in _SEEN_OUTCOMES
    }


#: Fetch-log outcomes that mean "this tag's manifest was obtained" (not an error row).
_SEEN_OUTCOMES = frozenset({FetchOutcome.FETCHED.value, FetchOutcome.CACHED.value})


def __dir__() -> list[str]:
    return sorted(__all__)
