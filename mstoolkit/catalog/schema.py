"""Every DataFrame the catalog layer returns: its columns, their dtypes, and the closed sets.

One module owns the shapes so that plots, widgets, the CLI and users' notebooks can rely on
them: a column never changes name or dtype between :func:`~mstoolkit.catalog.classify`, a
Parquet dump written by it, a Dask partition, and :class:`~mstoolkit.catalog.Catalog`.

Dtype choices, and why (measured on 1,000,000 classified blobs, ``memory_usage(deep=True)``):

* Repeated strings (media types, kinds, verdicts, error labels, registries, repositories,
  sources) are ``category``: one byte per row instead of a string each. Closed sets have a
  fixed category order (so frames from different runs, workers and partitions compare
  equal); open sets list the known values first and any others after them, sorted, which
  :func:`conform` restores after concatenation.
* Digests are pandas' ``str`` (Arrow-backed): 75 bytes a row, the largest column. A
  categorical would not help (digests are unique) and fixed-width bytes would make every
  notebook decode them before it can print or join on them; the 1M-row frame stays near
  115 MiB, under the 150 MiB budget, with the string form.
* ``locator`` (where inside ``source`` the blob was) is ``str`` for the same reason, and
  ``source`` (the input path) a category, because a million rows usually come from a handful
  of inputs.
* Sizes are ``int64``; counts that can be unknown are nullable (``Int64``/``Int32``).
* Times are ``datetime64[us, UTC]``: Python's ``datetime`` precision, always zone-aware.

Missing strings in categorical columns are the empty string ``""`` rather than NaN, so
``df[df.error == ""]`` and ``df.groupby("media_type")`` behave without ``dropna`` care.

Kinds: every row gets exactly one :class:`Kind`. ``invalid`` is a kind of its own (rather than
a missing value) so that counts by kind add up to the number of rows; a row is ``invalid``
exactly when its ``error`` is not empty, and then every verdict is ``invalid`` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

import pandas as pd
import pyarrow as pa

from mstoolkit import mediatypes as mt
from mstoolkit.errors import InvalidArgument

__all__ = [
    "ARTIFACT_MANIFEST_TYPES",
    "BlobError",
    "CLASSIFY",
    "Column",
    "Dtype",
    "FETCHES",
    "KNOWN_MEDIA_TYPES",
    "Kind",
    "LABELS",
    "LABEL_HISTORY",
    "LAYERS",
    "MANIFESTS",
    "PLATFORMS",
    "TABLES",
    "Table",
    "VERDICT_COLUMNS",
    "Verdict",
    "arrow_schema",
    "conflict_label",
    "conform",
    "empty_frame",
    "error_categories",
]


def __dir__() -> list[str]:
    return sorted(__all__)


class Kind(StrEnum):
    """What a blob is, coarser than its media type and stable across Docker and OCI names."""

    SCHEMA1 = "schema1"
    SCHEMA2 = "schema2"
    LIST = "list"
    OCI_MANIFEST = "oci-manifest"
    OCI_INDEX = "oci-index"
    ARTIFACT = "artifact"
    OTHER = "other"
    INVALID = "invalid"


class Verdict(StrEnum):
    """Whether an engine pulls a manifest; ordered from best to worst."""

    OK = "ok"
    NEEDS_ENV = "needs-env"
    REFUSED = "refused"
    INVALID = "invalid"


class BlobError(StrEnum):
    """Why a row could not be classified (the ``error`` column); ``NONE`` when it could.

    The first four are the detector's labels without their ``error:`` prefix; conflicts are
    ``conflict:<declared media type>`` (see :func:`conflict_label`). The rest come from
    reading the input or, in the catalog, from parsing the manifest.
    """

    NONE = ""
    JSON_SYNTAX = "json-syntax"
    JSON_TYPE = "json-type"
    CANNOT_DETERMINE = "cannot-determine"
    DIGEST_MISMATCH = "digest-mismatch"
    TOO_LARGE = "too-large"
    NOT_FOUND = "not-found"
    READ_ERROR = "read-error"
    BAD_RECORD = "bad-record"
    BAD_ARCHIVE = "bad-archive"
    INVALID_MANIFEST = "invalid-manifest"


#: Manifest media types outside distribution's six that registries hold: the OCI 1.1 release
#: candidate's artifact manifest and ORAS' pre-OCI one. The detector returns them as they are.
ARTIFACT_MANIFEST_TYPES: Final = (
    "application/vnd.oci.artifact.manifest.v1+json",
    "application/vnd.cncf.oras.artifact.manifest.v1+json",
)

#: Known media types first, in a fixed order; anything else a blob declares follows, sorted.
KNOWN_MEDIA_TYPES: Final = (
    "",
    mt.OCI_MANIFEST,
    mt.OCI_INDEX,
    mt.DOCKER_SCHEMA2,
    mt.DOCKER_MANIFEST_LIST,
    mt.DOCKER_SCHEMA1,
    mt.DOCKER_SCHEMA1_SIGNED,
    *ARTIFACT_MANIFEST_TYPES,
)

#: The media types moby's detector can report a conflict for.
_CONFLICT_TYPES: Final = (
    mt.OCI_MANIFEST,
    mt.OCI_INDEX,
    mt.DOCKER_SCHEMA2,
    mt.DOCKER_MANIFEST_LIST,
    mt.DOCKER_SCHEMA1,
)


def conflict_label(media_type: str) -> str:
    """The ``error`` value for a blob whose fields contradict its declared *media_type*."""
    return f"conflict:{media_type}"


def error_categories() -> tuple[str, ...]:
    """Every ``error`` value, in category order: none, detector labels, conflicts, the rest."""
    head = (BlobError.NONE, BlobError.JSON_SYNTAX, BlobError.JSON_TYPE, BlobError.CANNOT_DETERMINE)
    conflicts = tuple(conflict_label(t) for t in _CONFLICT_TYPES)
    rest = tuple(e.value for e in BlobError if e not in head)
    return (*(e.value for e in head), *conflicts, *rest)


class Dtype(StrEnum):
    """The dtypes the catalog uses; each maps to one pandas dtype and one Arrow type."""

    CATEGORY = "category"
    STRING = "str"
    INT64 = "int64"
    INT32 = "int32"
    NULLABLE_INT64 = "Int64"
    NULLABLE_INT32 = "Int32"
    BOOL = "bool"
    TIMESTAMP = "datetime64[us, UTC]"


_ARROW: Final[Mapping[Dtype, pa.DataType]] = {
    Dtype.CATEGORY: pa.dictionary(pa.int32(), pa.string()),
    Dtype.STRING: pa.large_string(),
    Dtype.INT64: pa.int64(),
    Dtype.INT32: pa.int32(),
    Dtype.NULLABLE_INT64: pa.int64(),
    Dtype.NULLABLE_INT32: pa.int32(),
    Dtype.BOOL: pa.bool_(),
    Dtype.TIMESTAMP: pa.timestamp("us", tz="UTC"),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, dtype and, for categoricals, the known categories in order.

    ``closed`` says the categories are the complete set (kinds, verdicts); an open column
    (media types, registries) keeps unknown values, sorted after the known ones.
    """

    name: str
    dtype: Dtype
    doc: str
    categories: tuple[str, ...] = ()
    closed: bool = False
    ordered: bool = False

    def pandas_dtype(self, extra: Iterable[str] = ()) -> str | pd.CategoricalDtype:
        """The pandas dtype; for a categorical, the known categories plus *extra*, sorted."""
        if self.dtype is not Dtype.CATEGORY:
            return self.dtype.value
        known = set(self.categories)
        others = sorted({str(v) for v in extra if str(v) not in known})
        return pd.CategoricalDtype([*self.categories, *others], ordered=self.ordered)

    @property
    def arrow_type(self) -> pa.DataType:
        """The Arrow type used for Parquet dumps and for chunks passed between processes."""
        return _ARROW[self.dtype]


@dataclass(frozen=True, slots=True)
class Table:
    """A named, ordered set of columns."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called *name*; :class:`InvalidArgument` if there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise InvalidArgument(f"table {self.name!r} has no column {name!r}")


_KINDS: Final = tuple(k.value for k in Kind)
_VERDICTS: Final = tuple(v.value for v in Verdict)

#: The verdict column names, one per engine, in the order of :class:`~.verdicts.Engine`.
VERDICT_COLUMNS: Final = (
    "verdict_docker_25",
    "verdict_docker_26",
    "verdict_docker_28_2",
    "verdict_docker_29",
    "verdict_containerd_1_7",
    "verdict_containerd_2_0",
    "verdict_containerd_2_1",
)


def _cat(name: str, doc: str, categories: tuple[str, ...] = ("",), *, closed: bool = False,
         ordered: bool = False) -> Column:
    return Column(name, Dtype.CATEGORY, doc, categories, closed=closed, ordered=ordered)


_VERDICT_COLS: Final = tuple(
    _cat(name, f"pull verdict of {name.removeprefix('verdict_')}", _VERDICTS, closed=True,
         ordered=True)
    for name in VERDICT_COLUMNS
)
_MEDIA_TYPE = _cat("media_type", "detected media type (moby's rules, schema1 gate open); "
                   "'' when detection failed", KNOWN_MEDIA_TYPES)
_DECLARED = _cat("declared_media_type", "media type the container, record or registry "
                 "declared; '' when unknown", KNOWN_MEDIA_TYPES)
_KIND = _cat("kind", "coarse kind, see Kind", _KINDS, closed=True)
_ERROR = _cat("error", "why the row could not be classified; '' when it could",
              error_categories())

#: classify(): one row per blob read from files, archives, JSON Lines or Parquet.
CLASSIFY: Final = Table("classify", (
    _cat("source", "the input path the blob came from"),
    Column("locator", Dtype.STRING, "where in source: member path for folders, layouts and "
           "tarballs; 1-based line for JSON Lines; 0-based row for Parquet; '' for a file"),
    _cat("registry", "registry the record names (JSON Lines/Parquet); '' when unknown"),
    _cat("repository", "repository the record names; '' when unknown"),
    Column("created", Dtype.TIMESTAMP, "push time the record names; NaT when unknown"),
    Column("digest", Dtype.STRING, "algorithm:hex of the blob's bytes, computed once"),
    Column("size", Dtype.INT64, "bytes in the blob"),
    _DECLARED,
    _MEDIA_TYPE,
    _KIND,
    _ERROR,
    *_VERDICT_COLS,
))

#: Catalog.manifests(): one row per manifest blob in a content store.
MANIFESTS: Final = Table("manifests", (
    Column("digest", Dtype.STRING, "the blob's digest in the store"),
    Column("size", Dtype.INT64, "bytes in the blob"),
    _DECLARED,
    _MEDIA_TYPE,
    _KIND,
    Column("schema_version", Dtype.NULLABLE_INT32, "schemaVersion field; NA if absent"),
    Column("layer_count", Dtype.NULLABLE_INT32, "layers (fsLayers for schema1); NA for "
           "indexes and errors"),
    Column("layer_bytes", Dtype.NULLABLE_INT64, "sum of layer sizes; NA when unknown "
           "(schema1 records no sizes)"),
    _cat("config_media_type", "config descriptor's media type; '' if none"),
    _cat("artifact_type", "artifactType field; '' if none"),
    Column("subject_digest", Dtype.STRING, "subject descriptor's digest; '' if none"),
    Column("platforms", Dtype.STRING, "indexes: comma-joined os/arch[/variant] of the "
           "entries, in order; '' otherwise"),
    _cat("registry", "registries named by distribution-source labels, comma-joined"),
    Column("repositories", Dtype.STRING, "registry/repository names from the "
           "distribution-source labels, sorted, comma-joined"),
    Column("first_seen", Dtype.TIMESTAMP, "earliest label change, else the blob's creation"),
    Column("last_seen", Dtype.TIMESTAMP, "latest label change, else the blob's update time"),
    _ERROR,
    *_VERDICT_COLS,
))

#: Catalog.layers(): one row per layer (or schema1 fsLayer) of each image manifest.
LAYERS: Final = Table("layers", (
    Column("manifest_digest", Dtype.STRING, "digest of the manifest listing the layer"),
    Column("position", Dtype.INT32, "0-based position in the manifest's layer list"),
    Column("digest", Dtype.STRING, "the layer's digest"),
    _cat("media_type", "the layer's media type; '' for schema1 fsLayers",
         ("", mt.OCI_LAYER_GZIP, mt.OCI_LAYER_ZSTD, mt.OCI_LAYER, mt.DOCKER_LAYER,
          mt.DOCKER_FOREIGN_LAYER)),
    Column("size", Dtype.NULLABLE_INT64, "declared size; NA for schema1"),
    Column("foreign", Dtype.BOOL, "has download URLs (foreign or non-distributable layer)"),
    Column("urls", Dtype.STRING, "comma-joined URLs; '' if none"),
))

#: Catalog.platforms(): one row per entry of each index or manifest list.
PLATFORMS: Final = Table("platforms", (
    Column("index_digest", Dtype.STRING, "digest of the index or list"),
    Column("position", Dtype.INT32, "0-based position of the entry"),
    Column("digest", Dtype.STRING, "the entry's digest"),
    _cat("media_type", "the entry's media type", KNOWN_MEDIA_TYPES),
    _cat("os", "platform os; '' when absent"),
    _cat("architecture", "platform architecture; '' when absent"),
    _cat("variant", "platform variant; '' when absent"),
    _cat("os_version", "platform os.version; '' when absent"),
    _cat("platform", "os/arch[/variant]; '' when the entry has no platform"),
    Column("attestation", Dtype.BOOL, "a buildkit attestation entry (unknown/unknown or "
           "vnd.docker.reference.type=attestation-manifest)"),
))

#: Catalog.labels(): one row per label of each blob.
LABELS: Final = Table("labels", (
    Column("digest", Dtype.STRING, "the labelled blob"),
    _cat("key", "label key"),
    Column("value", Dtype.STRING, "label value"),
))

#: Catalog.label_history(): one row per recorded label change.
LABEL_HISTORY: Final = Table("label_history", (
    Column("digest", Dtype.STRING, "the labelled blob"),
    _cat("key", "label key"),
    Column("old", Dtype.STRING, "value before; NA when the label was added"),
    Column("new", Dtype.STRING, "value after; NA when the label was removed"),
    Column("at", Dtype.TIMESTAMP, "when"),
    _cat("reason", "why, as the writer said"),
    _cat("actor", "who"),
))

#: Catalog.fetches(): the store's fetch log, one row per registry request.
FETCHES: Final = Table("fetches", (
    Column("at", Dtype.TIMESTAMP, "when"),
    _cat("registry", "registry host"),
    _cat("repository", "repository path"),
    Column("reference", Dtype.STRING, "tag or digest asked for"),
    Column("digest", Dtype.STRING, "digest received; '' on failure"),
    _cat("media_type", "Content-Type received", KNOWN_MEDIA_TYPES),
    Column("size", Dtype.INT64, "bytes received"),
    _cat("outcome", "what happened (ok, cached, error...)"),
    _cat("error_category", "mstoolkit error category; '' on success"),
    Column("ratelimit_remaining", Dtype.NULLABLE_INT64, "rate-limit remaining; NA if absent"),
))

#: Every table, by name.
TABLES: Final[Mapping[str, Table]] = {
    t.name: t for t in (CLASSIFY, MANIFESTS, LAYERS, PLATFORMS, LABELS, LABEL_HISTORY, FETCHES)
}


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of *table* (dictionary-encoded categoricals, large strings)."""
    return pa.schema([pa.field(c.name, c.arrow_type) for c in table.columns])


def empty_frame(table: Table) -> pd.DataFrame:
    """A zero-row frame with *table*'s columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype()) for c in table.columns})


def _as_column(series: pd.Series, col: Column) -> pd.Series:
    if col.dtype is Dtype.CATEGORY:
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            observed = series.cat.categories.take(pd.unique(codes[codes >= 0]))
            target = col.pandas_dtype(observed)
            assert isinstance(target, pd.CategoricalDtype)
            out = series.cat.set_categories(target.categories, ordered=col.ordered)
            if "" in target.categories and out.hasnans:
                out = out.fillna("")
            return out
        text = series.astype("str")
        if text.hasnans:
            text = text.fillna("")
        category: Any = col.pandas_dtype(text.unique())
        converted_text: pd.Series = text.astype(category)
        return converted_text
    if col.dtype is Dtype.TIMESTAMP:
        stamps: Any = pd.to_datetime(series, utc=True)
        series = stamps
    dtype: Any = col.dtype.value
    converted: pd.Series = series.astype(dtype)
    return converted


def conform(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """*frame* with exactly *table*'s columns, in order, each in its canonical dtype.

    Use it after concatenating partitions or reading a Parquet dump: categories are put back
    in their canonical order (known values first, the rest sorted), so frames built by
    different engines compare equal. Raises :class:`InvalidArgument` if a column is missing.
    """
    missing = [c.name for c in table.columns if c.name not in frame.columns]
    if missing:
        raise InvalidArgument(f"{table.name}: missing columns {missing}")
    frame = frame.reset_index(drop=True)
    return pd.DataFrame({c.name: _as_column(frame[c.name], c) for c in table.columns})
