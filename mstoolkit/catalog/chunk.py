"""The per-unit classifier: one unit in, one Arrow record batch of ``CLASSIFY`` rows out.

This is the hot loop every engine runs (in-process, in a pool worker, on a Dask worker), so
it is written for speed rather than beauty: one pass over the unit's items, every blob
hashed once, detected once, and appended to plain Python lists and ``array`` buffers; the
repeated strings are encoded to dictionary codes on the way, and the batch is assembled
column-wise at the end. It imports neither pandas nor anything heavier than pyarrow, so
pool workers start fast.

A JSON Lines byte range does not know its first line number; its chunk keeps the
range-relative line of each row, and :func:`finish` writes the locators once the base is
known.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pyarrow as pa

from mstoolkit.catalog.kinds import kind_of
from mstoolkit.catalog.readers import read_unit
from mstoolkit.catalog.schema import (
    CLASSIFY,
    KNOWN_MEDIA_TYPES,
    BlobError,
    Kind,
    Verdict,
    arrow_schema,
    error_categories,
)
from mstoolkit.catalog.units import JsonlRangeUnit, Unit
from mstoolkit.catalog.verdicts import kind_codes_to_verdict_codes
from mstoolkit.digest import ALGORITHMS
from mstoolkit.manifest.detect import detection_label

__all__ = ["Chunk", "classify_unit", "finish"]


def __dir__() -> list[str]:
    return sorted(__all__)


_SCHEMA: Final = arrow_schema(CLASSIFY)
_KINDS: Final = tuple(k.value for k in Kind)
_KIND_CODE: Final = {k: i for i, k in enumerate(_KINDS)}
_INVALID: Final = _KIND_CODE[Kind.INVALID]
_VERDICTS: Final = pa.array([v.value for v in Verdict], pa.string())
_KIND_VALUES: Final = pa.array(_KINDS, pa.string())
_LOCATOR: Final = CLASSIFY.names.index("locator")
_ERROR_PREFIX: Final = "error:"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows of one unit. ``lines`` holds range-relative line indexes when the locators still
    need a base (JSON Lines byte ranges), and ``n_lines`` how many lines the range spans."""

    batch: pa.RecordBatch
    lines: np.ndarray | None = None
    n_lines: int = 0


class _Codes:
    """Dictionary-encodes one categorical column as values arrive."""

    __slots__ = ("codes", "index", "values")

    def __init__(self, known: Iterable[str] = ("",)) -> None:
        self.values: list[str] = list(known)
        self.index: dict[str, int] = {v: i for i, v in enumerate(self.values)}
        self.codes = array("i")

    def add(self, value: str) -> None:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        self.codes.append(code)

    def arrow(self) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(
            pa.array(np.frombuffer(self.codes, dtype=np.int32), pa.int32()),
            pa.array(self.values, pa.string()),
        )


def _timestamp(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1_000_000)


def _hash(data: bytes, expected: str) -> str:
    algorithm = expected.partition(":")[0] if expected else "sha256"
    if algorithm not in ALGORITHMS:
        algorithm = "sha256"
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def _dictionary(codes: np.ndarray, values: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), pa.int32()), values)


def classify_unit(unit: Unit) -> Chunk:
    """Classify every blob of *unit*; never raises for bad content (rows say what is wrong)."""
    items, n_lines = read_unit(unit)
    relative = isinstance(unit, JsonlRangeUnit)
    sha256 = hashlib.sha256
    locators: list[str] = []
    lines = array("q")
    digests: list[str] = []
    sizes = array("q")
    kinds = array("b")
    declared = _Codes(KNOWN_MEDIA_TYPES)
    media = _Codes(KNOWN_MEDIA_TYPES)
    errors = _Codes(error_categories())
    registries = _Codes()
    repositories = _Codes()
    created: list[int | None] = []
    for item in items:
        line = item.line
        lines.append(line)
        locators.append(str(line + 1) if line >= 0 and not relative else item.locator)
        declared.add(item.hint)
        registries.add(item.registry)
        repositories.add(item.repository)
        created.append(_timestamp(item.created) if item.created else None)
        if item.error:
            digests.append("")
            sizes.append(max(item.size, 0))
            media.add("")
            errors.add(item.error)
            kinds.append(_INVALID)
            continue
        data = item.data
        expected = item.expected
        if expected and not expected.startswith("sha256:"):
            digest = _hash(data, expected)
        else:
            digest = "sha256:" + sha256(data).hexdigest()
        digests.append(digest)
        sizes.append(len(data))
        label = detection_label(data)
        if label.startswith(_ERROR_PREFIX):
            media.add("")
            error = label[len(_ERROR_PREFIX):]
            kind = _INVALID
        else:
            media.add(label)
            error = ""
            kind = _KIND_CODE[kind_of(label, data)]
        if expected and expected != digest:
            error = BlobError.DIGEST_MISMATCH
            kind = _INVALID
        errors.add(error)
        kinds.append(kind)
    rows = len(locators)
    kind_codes = np.frombuffer(kinds, dtype=np.int8) if rows else np.zeros(0, np.int8)
    columns: list[pa.Array] = [
        _dictionary(np.zeros(rows, np.int32), pa.array([unit.source], pa.string())),
        pa.array(locators, pa.large_string()),
        registries.arrow(),
        repositories.arrow(),
        pa.array(created, pa.timestamp("us", tz="UTC")),
        pa.array(digests, pa.large_string()),
        pa.array(np.frombuffer(sizes, dtype=np.int64) if rows else np.zeros(0, np.int64)),
        declared.arrow(),
        media.arrow(),
        _dictionary(kind_codes, _KIND_VALUES),
        errors.arrow(),
        *(_dictionary(codes, _VERDICTS) for codes in kind_codes_to_verdict_codes(kind_codes)),
    ]
    batch = pa.RecordBatch.from_arrays(columns, schema=_SCHEMA)
    if not relative:
        return Chunk(batch)
    line_array = np.frombuffer(lines, dtype=np.int64) if rows else np.zeros(0, np.int64)
    return Chunk(batch, line_array, n_lines or 0)


def finish(chunk: Chunk, base: int = 0) -> pa.RecordBatch:
    """The chunk's batch with its JSON Lines locators set, *base* lines preceding its range."""
    if chunk.lines is None:
        return chunk.batch
    old = chunk.batch.column(_LOCATOR).to_pylist()
    locators = [
        str(line + base + 1) if line >= 0 else previous
        for line, previous in zip(chunk.lines.tolist(), old, strict=True)
    ]
    field = _SCHEMA.field(_LOCATOR)
    return chunk.batch.set_column(_LOCATOR, field, pa.array(locators, pa.large_string()))
