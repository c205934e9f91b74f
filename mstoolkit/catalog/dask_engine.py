"""The Dask engine: the same per-unit classifier, as a graph on a cluster.

Each planned unit becomes one delayed call of
:func:`~mstoolkit.catalog.chunk.classify_unit` and one partition of a Dask DataFrame.
Units that *point* at data (file names, JSON Lines byte ranges, Parquet row groups) are a
few hundred bytes in the graph, so the workers read the inputs themselves: the paths must
be visible to them under the same names (a shared or network file system, or a single
machine). Units that *carry* data (tarball members, blocks of a compressed JSON Lines
file) are read by the client and shipped through the scheduler.

JSON Lines line numbers: a byte range's first line number is the sum of the line counts of
the ranges before it, so each partition depends on a chain of tiny "add the previous
range's count" tasks, not on the previous ranges' rows.

To use a real cluster::

    from distributed import Client
    df = classify("/shared/dump.jsonl", engine="dask", scheduler="tcp://scheduler:8786")

or pass a ``Client``; ``compute=False`` returns the lazy Dask DataFrame instead.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import dask.base
import dask.dataframe
import distributed
import pandas as pd
from dask.delayed import delayed as dask_delayed

from mstoolkit.catalog.chunk import Chunk, classify_unit, finish
from mstoolkit.catalog.prevalence import (
    SUMMARY_KEYS,
    finish_counts,
    group_keys,
    partial_counts,
    summary_frame,
)
from mstoolkit.catalog.schema import CLASSIFY, Kind, conform, empty_frame
from mstoolkit.catalog.units import JsonlRangeUnit, Unit

# Dask's annotations are partial; these handles say "untyped" once instead of at every call.
_dd: Any = dask.dataframe
_delayed: Any = dask_delayed
_compute_all: Any = dask.base.compute
_distributed: Any = distributed

__all__ = ["classify_dask", "prevalence_dask"]


def __dir__() -> list[str]:
    return sorted(__all__)


def _frame(chunk: Chunk, base: int) -> pd.DataFrame:
    return conform(finish(chunk, base).to_pandas(), CLASSIFY)


def _lines(chunk: Chunk) -> int:
    return chunk.n_lines


def to_dask_frame(units: Sequence[Unit]) -> Any:
    """A lazy Dask DataFrame with one partition per unit."""
    parts = []
    bases: dict[str, Any] = {}
    for unit in units:
        chunk = _delayed(classify_unit, pure=False)(unit)
        if isinstance(unit, JsonlRangeUnit):
            base = bases.get(unit.source, 0)
            bases[unit.source] = _delayed(operator.add)(base, _delayed(_lines)(chunk))
        else:
            base = 0
        parts.append(_delayed(_frame)(chunk, base))
    meta = empty_frame(CLASSIFY)
    if not parts:
        return _dd.from_pandas(meta, npartitions=1)
    return _dd.from_delayed(parts, meta=meta, verify_meta=False)


def _client(scheduler: Any, stack: ExitStack) -> Any:
    """A client for *scheduler* (an address or a Client), the default client, or None."""
    if scheduler is None:
        try:
            return _distributed.default_client()
        except ValueError:
            return None
    if isinstance(scheduler, str):
        return stack.enter_context(_distributed.Client(scheduler, set_as_default=False))
    return scheduler


def _compute(collection: Any, scheduler: Any) -> Any:
    with ExitStack() as stack:
        client = _client(scheduler, stack)
        if client is None:
            return collection.compute(scheduler="processes")
        return client.compute(collection, sync=True)


def _part_name(index: int) -> str:
    """Zero-padded, so that reading the directory back keeps the input order."""
    return f"part.{index:06d}.parquet"


def _summary_counts(part: pd.DataFrame) -> pd.DataFrame:
    keys = part[list(SUMMARY_KEYS)].astype(str)
    return keys.value_counts(sort=False).rename("count").reset_index()


def _write(frame: Any, written: Any, scheduler: Any) -> pd.DataFrame:
    """Run the Parquet write and the summary counts as one graph (each unit classified once)."""
    meta = pd.DataFrame({k: pd.Series(dtype="str") for k in SUMMARY_KEYS})
    counts = frame.map_partitions(_summary_counts, meta=meta.assign(count=pd.Series(dtype="int64")))
    with ExitStack() as stack:
        client = _client(scheduler, stack)
        where = "processes" if client is None else client
        _, parts = _compute_all(written, counts, scheduler=where)
    summed = parts.groupby(list(SUMMARY_KEYS), sort=False)["count"].sum()
    return summary_frame(Counter({(str(k[0]), str(k[1]), str(k[2])): int(v)
                                  for k, v in summed.items()}))


def classify_dask(units: Sequence[Unit], *, scheduler: Any = None, compute: bool = True,
                  output: str | None = None) -> Any:
    """Classify *units* on Dask; see :func:`~mstoolkit.catalog.classify`."""
    frame = to_dask_frame(units)
    if output is not None:
        written = frame.to_parquet(output, write_index=False, compute=False,
                                   name_function=_part_name)
        return _write(frame, written, scheduler)
    if not compute:
        return frame
    return conform(_compute(frame, scheduler), CLASSIFY)


def prevalence_dask(path: str | Any, by: str | Sequence[str] | None = "source",
                    kind: Kind | str = Kind.SCHEMA1, *, scheduler: Any = None) -> pd.DataFrame:
    """The prevalence table of a Parquet dump (file, directory or glob) or a Dask DataFrame,
    computed partition by partition; equal to :func:`~mstoolkit.catalog.prevalence`."""
    keys = group_keys(by)
    if isinstance(path, str):
        wanted = {*keys, "kind"}
        if "repository" in wanted:
            wanted.add("repositories")
        frame = _dd.read_parquet(path)
        frame = frame[[c for c in frame.columns if c in wanted]]
    else:
        frame = path
    meta = pd.DataFrame({"total": pd.Series(dtype="int64"), "count": pd.Series(dtype="int64")})
    parts = frame.map_partitions(partial_counts, keys, Kind(kind), meta=meta)
    counts = _compute(parts, scheduler)
    return finish_counts(counts)
