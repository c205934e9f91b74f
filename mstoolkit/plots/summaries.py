"""The numbers behind each chart, as small DataFrames: what the bars are, computed once.

Charts, widgets and the CLI report all draw from these, and tests assert on them, so a bar's
height is never computed in two places. They accept both frame shapes of the catalog
(:data:`~mstoolkit.catalog.schema.CLASSIFY` rows from ``classify()`` and
:data:`~mstoolkit.catalog.schema.MANIFESTS` rows from ``Catalog.manifests()``): the columns
they read (``media_type``, ``kind``, the verdict columns) are shared, and where the shapes
differ (``repository`` versus the comma-joined ``repositories``; ``created`` versus
``first_seen``) the grouping key is resolved here, in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from mstoolkit import mediatypes as mt
from mstoolkit.catalog.schema import VERDICT_COLUMNS, Kind, Verdict
from mstoolkit.errors import InvalidArgument

__all__ = [
    "ENGINE_LABELS",
    "UNDETECTED",
    "UNKNOWN",
    "engine_label",
    "history_counts",
    "media_type_counts",
    "schema1_prevalence",
    "short_media_type",
    "verdict_counts",
]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Group label for rows whose grouping value is empty (no repository, no date).
UNKNOWN: Final = "(unknown)"
#: Media-type label for rows the detector could not classify (their ``error`` says why).
UNDETECTED: Final = "(not detected: error)"

_SHORT: Final[Mapping[str, str]] = {
    mt.OCI_MANIFEST: "OCI manifest",
    mt.OCI_INDEX: "OCI index",
    mt.DOCKER_SCHEMA2: "Docker schema2",
    mt.DOCKER_MANIFEST_LIST: "Docker manifest list",
    mt.DOCKER_SCHEMA1: "Docker schema1",
    mt.DOCKER_SCHEMA1_SIGNED: "Docker schema1 (signed)",
    "application/vnd.oci.artifact.manifest.v1+json": "OCI artifact manifest (1.1-rc)",
    "application/vnd.cncf.oras.artifact.manifest.v1+json": "ORAS artifact manifest",
    "": UNDETECTED,
    # Layers and configs, for the tables that list a manifest's parts.
    mt.DOCKER_LAYER: "Docker layer (gzip)",
    mt.DOCKER_FOREIGN_LAYER: "Docker foreign layer",
    "application/vnd.docker.container.image.rootfs.diff+x-gtar": "schema1 layer",
    mt.OCI_LAYER: "OCI layer (tar)",
    mt.OCI_LAYER_GZIP: "OCI layer (gzip)",
    mt.OCI_LAYER_ZSTD: "OCI layer (zstd)",
    mt.DOCKER_CONFIG: "Docker image config",
    mt.OCI_CONFIG: "OCI image config",
    mt.OCI_EMPTY: "OCI empty",
}

#: Readable engine names for the verdict columns, in the columns' order.
ENGINE_LABELS: Final[Mapping[str, str]] = {
    "verdict_docker_25": "Docker 25",
    "verdict_docker_26": "Docker 26–28.1",
    "verdict_docker_28_2": "Docker 28.2",
    "verdict_docker_29": "Docker 29",
    "verdict_containerd_1_7": "containerd 1.7",
    "verdict_containerd_2_0": "containerd 2.0",
    "verdict_containerd_2_1": "containerd 2.1",
}

_MAX_LABEL = 40


def short_media_type(media_type: str) -> str:
    """A media type as a person reads it: ``Docker schema2`` rather than the full MIME name.

    Unknown types lose their ``application/`` and ``vnd.`` prefixes and are cut to 40
    characters, so a chart's tick labels never push the bars off the figure.
    """
    known = _SHORT.get(media_type)
    if known is not None:
        return known
    text = media_type.removeprefix("application/").removeprefix("vnd.")
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def engine_label(column: str) -> str:
    """The readable engine name of a verdict column (the column itself if unknown)."""
    return ENGINE_LABELS.get(column, column.removeprefix("verdict_"))


def _value_counts(values: pd.Series) -> pd.Series:
    """Non-zero counts by value as text, missing counted as ``""``; fast on categoricals.

    A categorical is counted on its codes (no per-row strings), which is what keeps the
    chart numbers of a million-row frame well under a second.
    """
    counts = values.value_counts(sort=False, dropna=False)
    counts = counts[counts > 0]
    labels = ["" if pd.isna(v) else str(v) for v in counts.index]
    return pd.Series(counts.to_numpy(), index=labels).groupby(level=0, sort=False).sum()


def _require(df: pd.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InvalidArgument(
            f"frame has no {', '.join(repr(c) for c in missing)} column; pass a frame from "
            "classify() or Catalog.manifests()"
        )


def media_type_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Rows per detected media type, most frequent first.

    Columns: ``media_type`` (as detected; ``""`` for errors), ``label`` (short form),
    ``count`` and ``share`` (of all rows, 0–1). Media types with no rows are left out.
    """
    _require(df, "media_type")
    counts = _value_counts(df["media_type"])
    total = int(counts.sum())
    out = pd.DataFrame({
        "media_type": counts.index.astype(str),
        "label": [short_media_type(str(m)) for m in counts.index],
        "count": counts.to_numpy(dtype="int64"),
    })
    out["share"] = out["count"] / total if total else 0.0
    out = out.sort_values(["count", "media_type"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def _split_joined(values: pd.Series) -> pd.Series:
    """Explode a comma-joined column (``repositories``) into one value per row, '' kept."""
    text = values.astype("object").fillna("").astype(str)
    return text.str.split(",").explode().str.strip()


def _group_key(df: pd.DataFrame, by: str) -> pd.Series:
    """The grouping values of *by* for each row (index repeated where a row has several)."""
    if by == "year":
        for name in ("created", "first_seen"):
            if name in df.columns:
                years = pd.to_datetime(df[name], utc=True).dt.year.astype("Int64")
                return years.astype("string").fillna(UNKNOWN).astype(object)
        raise InvalidArgument("by='year' needs a 'created' or 'first_seen' column")
    if by == "repository" and by not in df.columns and "repositories" in df.columns:
        return _split_joined(df["repositories"])
    _require(df, by)
    values: pd.Series = df[by]
    if by in ("repositories", "registry", "platforms"):
        return _split_joined(values)
    return values.astype("object").fillna("").astype(str)


def schema1_prevalence(
    df: pd.DataFrame, *, by: str = "repository", top: int | None = None
) -> pd.DataFrame:
    """How many manifests are Docker schema1, per *by* group, worst groups first.

    *by* is a column (``repository``, ``registry``, ``source``...) or ``"year"`` (from
    ``created`` or ``first_seen``). For catalog frames, ``repository`` reads the
    comma-joined ``repositories`` column and counts a manifest once in each repository that
    holds it. Columns: the group (named *by*), ``manifests``, ``schema1``, ``share`` (0–1);
    sorted by schema1 count, then share, then size (by year: oldest first); the first
    *top* groups if given.
    """
    _require(df, "kind")
    if top is not None and top < 1:
        raise InvalidArgument(f"top must be at least 1, not {top}")
    df = df.reset_index(drop=True)
    keys = _group_key(df, by)
    keys = keys.where(keys != "", UNKNOWN)
    is_schema1 = (df["kind"].astype("object") == Kind.SCHEMA1.value).astype("int64")
    flags = is_schema1.reindex(keys.index)
    frame = pd.DataFrame({by: keys.to_numpy(), "schema1": flags.to_numpy()})
    grouped = frame.groupby(by, sort=True)["schema1"].agg(["size", "sum"])
    out = pd.DataFrame({
        by: grouped.index.astype(str),
        "manifests": grouped["size"].to_numpy(dtype="int64"),
        "schema1": grouped["sum"].to_numpy(dtype="int64"),
    })
    out["share"] = out["schema1"] / out["manifests"]
    if by == "year":  # a timeline reads in order, unknown dates last
        out = out.sort_values(by, key=lambda s: s.replace(UNKNOWN, "~"), kind="stable")
    else:
        out = out.sort_values(
            ["schema1", "share", "manifests", by],
            ascending=[False, False, False, True],
            kind="stable",
        )
    out = out.reset_index(drop=True)
    return out if top is None else out.head(top)


def verdict_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Manifests per verdict for each engine: one row per engine, one column per verdict.

    The index is the readable engine name (:data:`ENGINE_LABELS`), in the columns' order;
    the columns are the :class:`~mstoolkit.catalog.schema.Verdict` values, best first, with
    zeros where no manifest got that verdict.
    """
    _require(df, *VERDICT_COLUMNS)
    verdicts = [v.value for v in Verdict]
    rows = {}
    for column in VERDICT_COLUMNS:
        counts = _value_counts(df[column])
        rows[engine_label(column)] = [int(counts.get(v, 0)) for v in verdicts]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=verdicts)
    out.index.name = "engine"
    return out.astype("int64")


def _history_group(history: pd.DataFrame, by: str | None) -> str:
    if by is not None:
        _require(history, by)
        return by
    for column in ("reason", "outcome", "key"):
        if column in history.columns:
            return column
    raise InvalidArgument("history frame needs a 'reason', 'outcome' or 'key' column (or by=)")


def history_counts(history: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Cumulative events over time, one column per *by* group: the lines of the history chart.

    *history* is ``Catalog.label_history()`` (grouped by ``reason`` by default) or the fetch
    log, ``Catalog.fetches()`` (grouped by ``outcome``). The index is the distinct event
    times (UTC, sorted); each column counts that group's events up to and including the
    time. Events with no time are dropped.
    """
    _require(history, "at")
    group = _history_group(history, by)
    at = pd.to_datetime(history["at"], utc=True)
    keys = history[group].astype("object").fillna("").astype(str)
    keys = keys.where(keys != "", UNKNOWN)
    frame = pd.DataFrame({"at": at.to_numpy(), group: keys.to_numpy()}).dropna(subset=["at"])
    if frame.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC", name="at"))
    table = pd.crosstab(frame["at"], frame[group]).sort_index()
    out = table.cumsum().astype("int64")
    out.columns.name = group
    out.index.name = "at"
    return out
