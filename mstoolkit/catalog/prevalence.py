"""Prevalence tables: how many rows of a kind (schema1, by default) per group, and what share.

Computed in two steps so that the same code serves an in-memory frame and a Dask dump:
:func:`partial_counts` reduces any piece of a frame to ``total``/``count`` per group, the
pieces' counts are summed, and :func:`finish_counts` adds the share and sorts. Summing counts
is exact, so a prevalence table computed over partitions equals the one computed in memory.

Grouping by ``repository`` works on catalog frames too: they list every repository a
manifest is in (``repositories``, comma-joined), and each of them counts the manifest once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd

from mstoolkit.catalog.schema import CLASSIFY, Kind
from mstoolkit.errors import InvalidArgument

__all__ = [
    "SUMMARY_KEYS",
    "finish_counts",
    "group_keys",
    "partial_counts",
    "prevalence",
    "summary_frame",
]


def __dir__() -> list[str]:
    return sorted(__all__)


_ALL: Final = "all"

#: The columns of the run summary ``classify(..., output=...)`` returns.
SUMMARY_KEYS: Final = ("kind", "media_type", "error")


def group_keys(by: str | Sequence[str] | None) -> list[str]:
    """*by* as a list of column names (``None`` = one group of everything)."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _with_repository(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if "repository" in keys and "repository" not in frame.columns:
        if "repositories" not in frame.columns:
            raise InvalidArgument("no 'repository' or 'repositories' column to group by")
        split = frame["repositories"].astype(str).str.split(",")
        return frame.assign(repository=split).explode("repository")
    return frame


def partial_counts(frame: pd.DataFrame, by: str | Sequence[str] | None,
                   kind: Kind | str = Kind.SCHEMA1) -> pd.DataFrame:
    """``total`` rows and ``count`` rows of *kind* per group of *frame* (unsorted, no share)."""
    keys = group_keys(by)
    frame = _with_repository(frame, keys)
    missing = [k for k in (*keys, "kind") if k not in frame.columns]
    if missing:
        raise InvalidArgument(f"cannot compute prevalence: no column(s) {missing}")
    hit = (frame["kind"].astype(str) == str(Kind(kind))).astype("int64")
    if not keys:
        index = pd.Index([_ALL], name="group")
        return pd.DataFrame({"total": [len(hit)], "count": [int(hit.sum())]}, index=index)
    groups = [frame[k].astype(str).rename(k) for k in keys]
    counted = hit.groupby(groups, observed=True, sort=False).agg(["size", "sum"])
    return counted.rename(columns={"size": "total", "sum": "count"}).astype("int64")


def finish_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Summed partial counts with ``share`` = count / total, largest count first."""
    keys = list(counts.index.names)
    summed = counts.groupby(level=keys, sort=False).sum() if len(counts) else counts
    out = summed.astype("int64")
    out["share"] = out["count"] / out["total"].where(out["total"] > 0)
    return out.sort_values(["count", "total"], ascending=False, kind="stable")


def prevalence(frame: pd.DataFrame, by: str | Sequence[str] | None = "source",
               kind: Kind | str = Kind.SCHEMA1) -> pd.DataFrame:
    """Per group of *by*: ``total`` rows, ``count`` of *kind*, ``share``; largest count first."""
    return finish_counts(partial_counts(frame, by, kind))


def summary_frame(counts: Counter[tuple[str, str, str]]) -> pd.DataFrame:
    """Row counts by kind, media type and error (:data:`SUMMARY_KEYS`), largest first."""
    rows = [(*key, n) for key, n in counts.most_common()]
    frame = pd.DataFrame(rows, columns=[*SUMMARY_KEYS, "count"])
    for name in SUMMARY_KEYS:
        dtype: Any = CLASSIFY.column(name).pandas_dtype(frame[name])
        frame[name] = frame[name].astype(dtype)
    return frame.astype({"count": "int64"})
