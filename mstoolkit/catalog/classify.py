"""Batch classification of manifest dumps, without a content store.

``classify(paths)`` reads folders, OCI layouts, tarballs, JSON Lines and Parquet
(:mod:`~mstoolkit.catalog.readers`) and returns one ``CLASSIFY`` row per blob
(:mod:`~mstoolkit.catalog.schema`): digest, size, the media type moby's detector gives with
the schema1 gate open, kind, error and the pull verdicts.

How the work is cut: the inputs are *planned* into units of about ``chunk_size`` blobs
(file names, byte ranges, row groups, or blobs already pulled out of a stream), lazily, and
each unit is classified by :func:`~mstoolkit.catalog.chunk.classify_unit` into an Arrow
record batch. The same function runs everywhere:

``engine="local"``
    in a process pool (``workers``, default: every core), at most ``2 × workers + 2`` units
    in flight so memory stays bounded however large the input; with ``workers=1`` in this
    process. Results are consumed in input order, which is also how JSON Lines line numbers
    are known.
``engine="dask"``
    as a Dask graph on a cluster (:mod:`~mstoolkit.catalog.dask_engine`).

``output="x.parquet"`` streams the batches into a Parquet file, row group by row group, in
constant memory; the call then returns the prevalence summary (rows per kind, media type and
error) instead of the rows. :func:`read_classified` loads such a file with the canonical
dtypes.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Literal, overload

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from mstoolkit.catalog.chunk import Chunk, classify_unit, finish
from mstoolkit.catalog.pool import map_in_order, start_method
from mstoolkit.catalog.prevalence import SUMMARY_KEYS, summary_frame
from mstoolkit.catalog.readers import plan
from mstoolkit.catalog.schema import CLASSIFY, arrow_schema, conform, empty_frame
from mstoolkit.catalog.units import DEFAULT_LIMIT, JsonlRangeUnit, Unit
from mstoolkit.errors import InvalidArgument, NotFound

__all__ = ["DEFAULT_CHUNK_SIZE", "classify", "read_classified", "run_local", "start_method"]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)

#: Blobs per unit: big enough that per-task overhead vanishes, small enough to balance cores.
DEFAULT_CHUNK_SIZE: Final = 4096
#: Rows per Parquet row group written by ``output=``.
_ROW_GROUP: Final = 65_536

PathArg = str | os.PathLike[str]


def _as_paths(paths: PathArg | Iterable[PathArg]) -> list[str]:
    if isinstance(paths, str | os.PathLike):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


class _Lines:
    """Line bases per JSON Lines source, advanced as range chunks arrive in order."""

    def __init__(self) -> None:
        self.bases: dict[str, int] = {}

    def finish(self, unit: Unit, chunk: Chunk) -> pa.RecordBatch:
        if not isinstance(unit, JsonlRangeUnit):
            return finish(chunk)
        base = self.bases.get(unit.source, 0)
        self.bases[unit.source] = base + chunk.n_lines
        return finish(chunk, base)


def run_local(units: Iterable[Unit], *, workers: int | None = None,
              mp_context: str | None = None) -> Iterator[pa.RecordBatch]:
    """Classify *units* with a local process pool, yielding finished batches in order.

    *mp_context* is the start method (default: :func:`start_method`, decided when the pool
    starts)."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 1:
        raise InvalidArgument(f"workers must be positive, not {count}")
    lines = _Lines()
    if count == 1:
        for unit in units:
            yield lines.finish(unit, classify_unit(unit))
        return
    work = ((unit, (unit,)) for unit in units)
    for unit, chunk in map_in_order(classify_unit, work, workers=count, method=mp_context):
        yield lines.finish(unit, chunk)


def _progress_bar(progress: bool | None) -> Any:
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return None
    return tqdm(unit="blob", unit_scale=True, desc="classify", smoothing=0.1)


def _count(counts: Counter[tuple[str, str, str]], batch: pa.RecordBatch) -> None:
    keys = batch.select(list(SUMMARY_KEYS)).to_pandas().astype(str)
    for key, n in keys.value_counts(sort=False).items():
        counts[(str(key[0]), str(key[1]), str(key[2]))] += int(n)


def _write_parquet(batches: Iterator[pa.RecordBatch], output: str, bar: Any) -> pd.DataFrame:
    counts: Counter[tuple[str, str, str]] = Counter()
    pending: list[pa.RecordBatch] = []
    rows = 0
    with pq.ParquetWriter(output, arrow_schema(CLASSIFY), compression="zstd") as writer:
        for batch in batches:
            _count(counts, batch)
            pending.append(batch)
            rows += batch.num_rows
            if bar is not None:
                bar.update(batch.num_rows)
            if rows >= _ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending), row_group_size=rows)
                pending, rows = [], 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending), row_group_size=max(rows, 1))
    return summary_frame(counts)


def _collect(batches: Iterator[pa.RecordBatch], bar: Any) -> pd.DataFrame:
    collected: list[pa.RecordBatch] = []
    for batch in batches:
        collected.append(batch)
        if bar is not None:
            bar.update(batch.num_rows)
    if not collected:
        return empty_frame(CLASSIFY)
    table = pa.Table.from_batches(collected, schema=arrow_schema(CLASSIFY))
    del collected
    return conform(table.to_pandas(), CLASSIFY)


@overload
def classify(paths: PathArg | Iterable[PathArg], *, workers: int | None = ...,
             chunk_size: int = ..., output: PathArg | None = ...,
             engine: Literal["local", "dask"] = ..., progress: bool | None = ...,
             scheduler: Any = ..., compute: Literal[True] = ..., limit: int = ...,
             mp_context: str | None = ...) -> pd.DataFrame: ...


@overload
def classify(paths: PathArg | Iterable[PathArg], *, workers: int | None = ...,
             chunk_size: int = ..., output: PathArg | None = ...,
             engine: Literal["local", "dask"] = ..., progress: bool | None = ...,
             scheduler: Any = ..., compute: Literal[False], limit: int = ...,
             mp_context: str | None = ...) -> Any: ...


def classify(paths: PathArg | Iterable[PathArg], *, workers: int | None = None,
             chunk_size: int = DEFAULT_CHUNK_SIZE, output: PathArg | None = None,
             engine: Literal["local", "dask"] = "local", progress: bool | None = None,
             scheduler: Any = None, compute: bool = True, limit: int = DEFAULT_LIMIT,
             mp_context: str | None = None) -> Any:
    """Classify every manifest blob under *paths*; one ``CLASSIFY`` row per blob.

    *workers*: local processes (default: all cores; 1 = this process). *chunk_size*: blobs
    per unit of work. *output*: a ``.parquet`` path to stream rows into; the return value is
    then the summary by kind, media type and error. *engine* ``"dask"`` runs on *scheduler*
    (a ``distributed.Client`` or a scheduler address; default: the current client, else
    Dask's process scheduler); with ``compute=False`` it returns the lazy Dask DataFrame.
    *progress*: a tqdm bar with blobs/s (default: when stderr is a terminal). *limit*:
    larger blobs get the ``too-large`` error. Bad blobs never stop the run.
    """
    names = _as_paths(paths)
    units = plan(names, chunk_size=chunk_size, limit=limit)
    if engine == "dask":
        # Dask loads in about a second; only runs that ask for it pay for it.
        from mstoolkit.catalog.dask_engine import classify_dask  # noqa: PLC0415

        return classify_dask(list(units), scheduler=scheduler, compute=compute,
                             output=None if output is None else os.fspath(output))
    if engine != "local":
        raise InvalidArgument(f"engine must be 'local' or 'dask', not {engine!r}")
    if not compute:
        raise InvalidArgument("compute=False needs engine='dask'")
    # chosen before the progress bar starts its monitor thread, which would force a fork server
    method = mp_context or start_method()
    bar = _progress_bar(progress)
    try:
        batches = run_local(units, workers=workers, mp_context=method)
        if output is not None:
            return _write_parquet(batches, os.fspath(output), bar)
        return _collect(batches, bar)
    finally:
        if bar is not None:
            bar.close()


def read_classified(path: PathArg) -> pd.DataFrame:
    """A Parquet file (or directory of files) written by ``classify(..., output=...)`` or
    the Dask engine, with the canonical ``CLASSIFY`` dtypes.

    :class:`NotFound` if there is nothing at *path*, :class:`InvalidArgument` if it is not
    Parquet (pyarrow's ``ArrowInvalid``) or not classify's columns."""
    try:
        frame = pd.read_parquet(Path(path))
    except FileNotFoundError as exc:
        raise NotFound(f"no classified rows at {path}") from exc
    except pa.ArrowException as exc:
        raise InvalidArgument(f"{path} is not a Parquet file of classified rows: {exc}") from exc
    return conform(frame, CLASSIFY)
