"""Catalog: a content store's manifests, layers, platforms, labels and logs as DataFrames.

``Catalog(store)`` reads a store (``LocalStore``/``MemoryStore``, or anything with the four
methods of :class:`CatalogStore`) and tabulates it in the shapes of
:mod:`~mstoolkit.catalog.schema`. Nothing is cached: every call reflects the store as it is.

Built for size: :meth:`Catalog.manifests` makes one pass over ``walk()``, reads each blob
once, detects and decodes it once (:mod:`~mstoolkit.catalog.extract`), and appends to one
list per column; the label history and the fetch log are read once each and joined by
digest in dictionaries. A store that can list and read in one pass (``LocalStore.
iter_blobs``) and give each digest's first and last label change in one query
(``label_spans``) is read that way: the same rows for half the store's cost.
Repositories come from the ``containerd.io/distribution.source.*`` labels the manifest
store writes, first and last seen from the label history (else the blob's own creation and
update times), the declared media type from the newest fetch of the digest that recorded
one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol, runtime_checkable

import pandas as pd
from tqdm.auto import tqdm

from mstoolkit.catalog.extract import Fields, extract
from mstoolkit.catalog.pool import map_in_order, start_method
from mstoolkit.catalog.schema import (
    FETCHES,
    LABEL_HISTORY,
    LABELS,
    LAYERS,
    MANIFESTS,
    PLATFORMS,
    BlobError,
    Table,
    conform,
    empty_frame,
)
from mstoolkit.catalog.units import DEFAULT_LIMIT
from mstoolkit.catalog.verdicts import verdict_frame
from mstoolkit.digest import DigestLike
from mstoolkit.errors import InvalidArgument, NotFound
from mstoolkit.labels import LABEL_DISTRIBUTION_SOURCE
from mstoolkit.manifest.parse import parse_manifest
from mstoolkit.mediatypes import DOCKER_FOREIGN_LAYER

__all__ = ["Catalog", "CatalogStore"]


def __dir__() -> list[str]:
    return sorted(__all__)


_SOURCE_PREFIX: Final = LABEL_DISTRIBUTION_SOURCE + "."
#: Blobs per pool task: enough to amortise pickling the store handle and the results.
_BATCH: Final = 2048


class _InfoLike(Protocol):
    @property
    def digest(self) -> Any: ...
    @property
    def size(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def labels(self) -> Mapping[str, str]: ...


class CatalogStore(Protocol):
    """What the catalog needs from a content store (``mstoolkit.content.Store`` has it)."""

    def walk(self, *filters: str) -> Iterator[Any]: ...

    def read(self, digest: DigestLike) -> bytes: ...

    def label_history(self, digest: DigestLike | None = None,
                      key: str | None = None) -> Sequence[Any]: ...

    def fetch_log(self) -> Sequence[Any]: ...


@runtime_checkable
class _BlobIterator(Protocol):
    """A store that lists and reads in one pass (``LocalStore.iter_blobs``): walk()'s infos,
    in walk()'s order, each with its bytes or None for "call read() yourself"."""

    def iter_blobs(self, *filters: str,
                   limit: int | None = None) -> Iterator[tuple[_InfoLike, bytes | None]]: ...


@runtime_checkable
class _SpanSource(Protocol):
    """A store that gives each digest's first and last label change in one query
    (``LocalStore.label_spans``), instead of a LabelChange per history row."""

    def label_spans(self) -> Mapping[str, tuple[datetime, datetime]]: ...


@dataclass(slots=True)
class _Columns:
    """Column lists for one table, appended row by row and turned into a frame once."""

    table: Table
    data: dict[str, list[Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.data = {name: [] for name in self.table.names}

    def frame(self, extra: pd.DataFrame | None = None) -> pd.DataFrame:
        """The collected rows in the table's dtypes; *extra* supplies computed columns."""
        if not self.data[self.table.names[0]]:
            return empty_frame(self.table)
        raw = pd.DataFrame({k: v for k, v in self.data.items() if v})
        if extra is not None:
            raw = pd.concat([raw, extra], axis=1)
        return conform(raw, self.table)


def _sources(labels: Mapping[str, str]) -> tuple[str, str]:
    """(registries, repositories) named by a blob's distribution-source labels."""
    registries: list[str] = []
    repositories: list[str] = []
    for key, value in labels.items():
        if key.startswith(_SOURCE_PREFIX):
            registry = key[len(_SOURCE_PREFIX):]
            registries.append(registry)
            repositories.extend(f"{registry}/{repo}" for repo in value.split(",") if repo)
    return ",".join(sorted(registries)), ",".join(sorted(repositories))


def _sources_memo(labels: Mapping[str, str],
                  memo: dict[tuple[tuple[str, str], ...], tuple[str, str]]) -> tuple[str, str]:
    """:func:`_sources`, once per distinct label set (blobs share a few)."""
    key = tuple(labels.items())
    got = memo.get(key)
    if got is None:
        got = memo[key] = _sources(labels)
    return got


def _seen(history: Sequence[Any]) -> dict[str, tuple[datetime, datetime]]:
    seen: dict[str, tuple[datetime, datetime]] = {}
    for change in history:
        key = str(change.digest)
        at = change.at
        first, last = seen.get(key, (at, at))
        seen[key] = (min(first, at), max(last, at))
    return seen


def _declared(fetches: Sequence[Any]) -> dict[str, str]:
    declared: dict[str, tuple[datetime, str]] = {}
    for rec in fetches:
        if rec.digest and rec.media_type:
            known = declared.get(rec.digest)
            if known is None or rec.at >= known[0]:
                declared[rec.digest] = (rec.at, rec.media_type)
    return {digest: media_type for digest, (_, media_type) in declared.items()}


def _fields_of(store: CatalogStore, digest: DigestLike, size: int, limit: int,
               validate: bool, detail: bool) -> Fields:
    if size > limit:
        return Fields(error=BlobError.TOO_LARGE)
    try:
        data = store.read(digest)
    except NotFound:
        return Fields(error=BlobError.NOT_FOUND)
    return extract(data, detail=detail, validate=parse_manifest if validate else None)


def _fields_batch(store: CatalogStore, work: list[tuple[DigestLike, int]], limit: int,
                  validate: bool, detail: bool) -> list[Fields]:
    """A pool task: the fields of a batch of blobs."""
    return [_fields_of(store, digest, size, limit, validate, detail) for digest, size in work]


def _batches(items: Iterator[_InfoLike], size: int) -> Iterator[list[_InfoLike]]:
    batch: list[_InfoLike] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Catalog:
    """DataFrames over a content store; see the module docstring.

    *filters* are containerd filters passed to ``walk()`` (e.g. to take only blobs labelled
    for one registry). *validate* runs the full manifest parser on every blob as well, so
    that ``invalid-manifest`` means "parse_manifest refuses it" (several times slower).
    Blobs larger than *limit* are not read and get ``too-large``. ``workers > 1`` reads and
    decodes blobs in a process pool while this process walks the store; the store must
    reopen itself in a worker when pickled (``LocalStore`` does). The default is one: the
    parent's own share (listing, rows, the frame) is most of the time, and measured here the
    pool did not beat one process.
    *progress* shows a tqdm bar (blobs/s) while the store is scanned.
    """

    def __init__(self, store: CatalogStore, *, filters: Sequence[str] = (),
                 validate: bool = False, limit: int = DEFAULT_LIMIT,
                 workers: int = 1, progress: bool = False) -> None:
        self.store = store
        self.filters = tuple(filters)
        self.validate = validate
        self.limit = limit
        if workers < 1:
            raise InvalidArgument(f"workers must be positive, not {workers}")
        self.workers = workers
        self.progress = progress

    def __repr__(self) -> str:
        return f"Catalog({self.store!r})"

    def _scan(self, *, detail: bool = False) -> Iterator[tuple[_InfoLike, Fields]]:
        """Each walked blob with its fields, in walk order; read and extracted here or, with
        several workers, by a pool while this process walks (batches of digests go out,
        Fields come back)."""
        size = self.workers
        store = self.store
        if size <= 1 and isinstance(store, _BlobIterator):
            limit, validate = self.limit, parse_manifest if self.validate else None
            pairs = store.iter_blobs(*self.filters, limit=limit)
            if self.progress:
                pairs = iter(tqdm(pairs, unit="blob", unit_scale=True, desc="catalog"))
            for info, data in pairs:
                if data is None:
                    yield info, _fields_of(store, info.digest, info.size, limit,
                                           self.validate, detail)
                else:
                    yield info, extract(data, detail=detail, validate=validate)
            return
        # chosen before the progress bar starts its monitor thread, which would force a fork server
        method = start_method()
        infos: Iterator[_InfoLike] = store.walk(*self.filters)
        if self.progress:
            infos = iter(tqdm(infos, unit="blob", unit_scale=True, desc="catalog"))
        if size <= 1:
            for info in infos:
                yield info, _fields_of(self.store, info.digest, info.size, self.limit,
                                       self.validate, detail)
            return
        # str digests: a Digest dataclass costs ~10 times more to pickle
        work = ((batch, (self.store, [(str(info.digest), info.size) for info in batch],
                         self.limit, self.validate, detail))
                for batch in _batches(infos, _BATCH))
        for batch, fields in map_in_order(_fields_batch, work, workers=size, method=method,
                                          in_flight=2 * size + 1):
            yield from zip(batch, fields, strict=True)

    def manifests(self) -> pd.DataFrame:
        """One row per blob: digest, media types, kind, layers, platforms, sources, first and
        last seen, error and verdicts (``MANIFESTS``)."""
        store = self.store
        seen = (store.label_spans() if isinstance(store, _SpanSource)
                else _seen(store.label_history()))
        declared = _declared(self.store.fetch_log())
        cols = _Columns(MANIFESTS)
        put = cols.data
        memo: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}
        for info, fields in self._scan():
            digest = str(info.digest)
            registries, repositories = _sources_memo(info.labels, memo)
            first, last = seen.get(digest, (info.created_at, info.updated_at))
            put["digest"].append(digest)
            put["size"].append(info.size)
            put["declared_media_type"].append(declared.get(digest, ""))
            put["media_type"].append(fields.media_type)
            put["kind"].append(fields.kind.value)
            put["schema_version"].append(fields.schema_version)
            put["layer_count"].append(fields.layer_count)
            put["layer_bytes"].append(fields.layer_bytes)
            put["config_media_type"].append(fields.config_media_type)
            put["artifact_type"].append(fields.artifact_type)
            put["subject_digest"].append(fields.subject_digest)
            put["platforms"].append(fields.platforms)
            put["registry"].append(registries)
            put["repositories"].append(repositories)
            put["first_seen"].append(first)
            put["last_seen"].append(last)
            put["error"].append(fields.error)
        kinds = pd.Series(put["kind"], dtype="str")
        return cols.frame(verdict_frame(kinds) if len(kinds) else None)

    def layers(self) -> pd.DataFrame:
        """One row per layer of each image manifest (``LAYERS``)."""
        cols = _Columns(LAYERS)
        put = cols.data
        for info, fields in self._scan(detail=True):
            digest = str(info.digest)
            for layer in fields.layers:
                put["manifest_digest"].append(digest)
                put["position"].append(layer.position)
                put["digest"].append(layer.digest)
                put["media_type"].append(layer.media_type)
                put["size"].append(layer.size)
                put["foreign"].append(bool(layer.urls) or layer.media_type in _FOREIGN)
                put["urls"].append(",".join(layer.urls))
        return cols.frame()

    def platforms(self) -> pd.DataFrame:
        """One row per entry of each index or manifest list (``PLATFORMS``)."""
        cols = _Columns(PLATFORMS)
        put = cols.data
        for info, fields in self._scan(detail=True):
            digest = str(info.digest)
            for entry in fields.entries:
                put["index_digest"].append(digest)
                put["position"].append(entry.position)
                put["digest"].append(entry.digest)
                put["media_type"].append(entry.media_type)
                put["os"].append(entry.os)
                put["architecture"].append(entry.architecture)
                put["variant"].append(entry.variant)
                put["os_version"].append(entry.os_version)
                put["platform"].append(entry.platform)
                put["attestation"].append(entry.attestation)
        return cols.frame()

    def labels(self) -> pd.DataFrame:
        """One row per label of each blob (``LABELS``)."""
        cols = _Columns(LABELS)
        put = cols.data
        for info in self.store.walk(*self.filters):
            for key, value in sorted(info.labels.items()):
                put["digest"].append(str(info.digest))
                put["key"].append(key)
                put["value"].append(value)
        return cols.frame()

    def label_history(self) -> pd.DataFrame:
        """Every recorded label change, oldest first (``LABEL_HISTORY``)."""
        cols = _Columns(LABEL_HISTORY)
        put = cols.data
        for change in self.store.label_history():
            put["digest"].append(str(change.digest))
            put["key"].append(change.key)
            put["old"].append(change.old)
            put["new"].append(change.new)
            put["at"].append(change.at)
            put["reason"].append(change.reason)
            put["actor"].append(change.actor)
        return cols.frame()

    def fetches(self) -> pd.DataFrame:
        """The fetch log, rate-limit figures included (``FETCHES``)."""
        cols = _Columns(FETCHES)
        put = cols.data
        for rec in self.store.fetch_log():
            for name in FETCHES.names:
                put[name].append(getattr(rec, name))
        return cols.frame()


_FOREIGN: Final = frozenset({
    DOCKER_FOREIGN_LAYER,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
})
