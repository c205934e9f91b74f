"""The per-unit classifier: one unit in, one Arrow record batch of ``CLASSIFY`` rows out.

This is the hot loop every engine runs (in-process, in a pool worker, on a Dask worker), so
it is written for speed rather than beauty: one pass over the unit's items, every blob
hashed once, detected once, and appended to plain Python lists and ``array`` buffers; the
repeated strings are dictionary-encoded once per column at the end (in Arrow, not per row in
Python), and kinds, errors and media types are derived from the handful of distinct labels.
Files units skip :class:`~mstoolkit.catalog.units.Item` objects and the record columns they
cannot have. It imports neither pandas nor anything heavier than pyarrow, so pool workers
start fast.

A JSON Lines byte range does not know its first line number; its chunk keeps the
range-relative line of each row, and :func:`finish` writes the locators once the base is
known.
"""

from __future__ import annotations

import gc
import hashlib
import os
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mstoolkit import mediatypes as mt
from mstoolkit.catalog.kinds import KIND_BY_MEDIA_TYPE, kind_of_fields
from mstoolkit.catalog.readers import expected_digest, iter_dir_files, iter_files, read_unit
from mstoolkit.catalog.schema import (
    CLASSIFY,
    KNOWN_MEDIA_TYPES,
    BlobError,
    Kind,
    Verdict,
    arrow_schema,
    error_categories,
)
from mstoolkit.catalog.units import FilesUnit, JsonlRangeUnit, Unit
from mstoolkit.catalog.verdicts import kind_codes_to_verdict_codes
from mstoolkit.digest import ALGORITHMS
from mstoolkit.manifest.detect import detection_label_and_oci_fields

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
_OCI_MANIFEST: Final = mt.OCI_MANIFEST
_TIMESTAMP: Final = pa.timestamp("us", tz="UTC")
_NO_SEPARATOR: Final = pa.scalar("", pa.large_string())


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows of one unit. ``lines`` holds range-relative line indexes when the locators still
    need a base (JSON Lines byte ranges), and ``n_lines`` how many lines the range spans."""

    batch: pa.RecordBatch
    lines: np.ndarray | None = None
    n_lines: int = 0


def _encode(values: Sequence[str], known: Sequence[str]) -> pa.DictionaryArray:
    """Dictionary-encode *values*: the *known* values first, the others as first seen.

    Done once per column in C (``index_in``) rather than once per row in Python. A value
    Arrow refuses (a lone surrogate from a record's ``"\\ud800"`` escape) is shown escaped.
    """
    try:
        return _encode_text(values, known)
    except UnicodeEncodeError:
        return _encode_text([_printable(value) for value in values], known)


def _encode_text(values: Sequence[str], known: Sequence[str]) -> pa.DictionaryArray:
    index = set(known)
    extra = [v for v in dict.fromkeys(values) if v not in index]
    dictionary = pa.array([*known, *extra], pa.string())
    if len(index) + len(extra) == 1:
        codes = pa.array(np.zeros(len(values), np.int32))
    else:
        codes = pc.index_in(pa.array(values, pa.string()), value_set=dictionary)
    return pa.DictionaryArray.from_arrays(codes, dictionary)


def _constant(rows: int, known: Sequence[str]) -> pa.DictionaryArray:
    """A column of ``""`` (the first known value) for *rows* rows."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, np.int32)),
                                          pa.array(list(known), pa.string()))


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


_MEDIA: Final = tuple(KNOWN_MEDIA_TYPES)
_ERRORS: Final = error_categories()
_MISMATCH: Final = _ERRORS.index(BlobError.DIGEST_MISMATCH)
_ARTIFACT: Final = _KIND_CODE[Kind.ARTIFACT]
_OTHER: Final = Kind.OTHER
_sha256: Final = hashlib.sha256
_detect: Final = detection_label_and_oci_fields
_ARTIFACT_KIND: Final = Kind.ARTIFACT


class _Rows:
    """The row-varying columns of one unit, as plain lists and ``array`` buffers.

    ``labels`` holds the detector's label per row (a reader error ``e`` as ``error:e``);
    kinds, errors and media types are derived from the few distinct labels at the end.
    ``artifacts`` and ``mismatches`` list the rows whose kind or error the label alone does
    not decide.
    """

    __slots__ = ("artifacts", "digests", "labels", "mismatches", "sizes")

    def __init__(self) -> None:
        self.digests: list[str] = []
        self.labels: list[str] = []
        self.sizes = array("q")
        self.artifacts: list[int] = []
        self.mismatches: list[int] = []

    def add_blob(self, data: bytes, expected: str) -> None:
        """Hash, detect and record one blob (the path every row but reader errors takes)."""
        digest = ("sha256:" + _sha256(data).hexdigest()
                  if not expected or expected.startswith("sha256:")
                  else _hash(data, expected))
        label, fields = _detect(data)
        if label == _OCI_MANIFEST and kind_of_fields(label, fields, data) is _ARTIFACT_KIND:
            self.artifacts.append(len(self.labels))
        if expected and expected != digest:
            self.mismatches.append(len(self.labels))
        self.digests.append(digest)
        self.labels.append(label)
        self.sizes.append(len(data))

    def add_error(self, error: str, size: int) -> None:
        """Record a blob the reader could not deliver."""
        self.digests.append("")
        self.labels.append(_ERROR_PREFIX + error)
        self.sizes.append(max(size, 0))

    def columns(self) -> tuple[pa.DictionaryArray, pa.DictionaryArray, np.ndarray]:
        """Media type and error columns, and the kind codes."""
        rows = len(self.labels)
        if not rows:
            return (_encode([], _MEDIA), _encode([], _ERRORS), np.zeros(0, np.int8))
        encoded = pa.array(self.labels, pa.string()).dictionary_encode()
        distinct: list[str] = encoded.dictionary.to_pylist()
        media = [label if not label.startswith(_ERROR_PREFIX) else "" for label in distinct]
        errors = [label[len(_ERROR_PREFIX):] if label.startswith(_ERROR_PREFIX) else ""
                  for label in distinct]
        kinds = np.array([_INVALID if error else _KIND_CODE[KIND_BY_MEDIA_TYPE.get(label, _OTHER)]
                          for label, error in zip(media, errors, strict=True)], np.int8)
        picks = encoded.indices.to_numpy()
        media_column = _encode(media, _MEDIA)
        error_column = _encode(errors, _ERRORS)
        media_codes = media_column.indices.to_numpy()[picks]
        error_codes = error_column.indices.to_numpy(zero_copy_only=False)[picks]
        kind_codes = kinds[picks]
        if self.artifacts:
            kind_codes[self.artifacts] = _ARTIFACT
        if self.mismatches:
            kind_codes[self.mismatches] = _INVALID
            error_codes[self.mismatches] = _MISMATCH
        return (
            pa.DictionaryArray.from_arrays(pa.array(media_codes), media_column.dictionary),
            pa.DictionaryArray.from_arrays(pa.array(error_codes), error_column.dictionary),
            kind_codes,
        )


def _strings(values: Sequence[str], kind: pa.DataType) -> pa.Array:
    """An Arrow string array of *values*; a file or member name that is not UTF-8 (kept by
    Python as surrogate escapes, which Arrow refuses) is shown with backslash escapes."""
    try:
        return pa.array(values, kind)
    except UnicodeEncodeError:
        return pa.array([_printable(value) for value in values], kind)


def _printable(text: str) -> str:
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes the name really had
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _batch(source: str, locators: Sequence[str] | pa.Array, registries: pa.Array,
           repositories: pa.Array, created: pa.Array, declared: pa.Array,
           rows: _Rows) -> pa.RecordBatch:
    n = len(rows.labels)
    media, errors, kind_codes = rows.columns()
    columns: list[pa.Array] = [
        _dictionary(np.zeros(n, np.int32), _strings([source], pa.string())),
        locators if isinstance(locators, pa.Array) else _strings(locators, pa.large_string()),
        registries,
        repositories,
        created,
        pa.array(rows.digests, pa.large_string()),
        pa.array(np.frombuffer(rows.sizes, dtype=np.int64) if n else np.zeros(0, np.int64)),
        declared,
        media,
        _dictionary(kind_codes, _KIND_VALUES),
        errors,
        *(_dictionary(codes, _VERDICTS) for codes in kind_codes_to_verdict_codes(kind_codes)),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=_SCHEMA)


def _add_sha256_named(rows: _Rows, names: Sequence[str],
                      read: Iterable[tuple[bytes, str, int]]) -> None:
    """:meth:`_Rows.add_blob` for files named by their sha256 hex digest (nearly every
    layout blob), inlined: the hex digest is compared with the name as it is."""
    digests, labels, sizes = rows.digests, rows.labels, rows.sizes
    artifacts, mismatches = rows.artifacts, rows.mismatches
    for name, (data, error, size) in zip(names, read, strict=True):
        if error:
            rows.add_error(error, size)
            continue
        hexdigest = _sha256(data).hexdigest()
        label, fields = _detect(data)
        if label == _OCI_MANIFEST and kind_of_fields(label, fields, data) is _ARTIFACT_KIND:
            artifacts.append(len(labels))
        if hexdigest != name:
            mismatches.append(len(labels))
        digests.append("sha256:" + hexdigest)
        labels.append(label)
        sizes.append(len(data))


def _classify_files(unit: FilesUnit) -> Chunk:
    """The files loop: no :class:`Item` per blob, constant record columns."""
    rows = _Rows()
    add_blob = rows.add_blob
    digest_names = unit.digest_names
    prefix = unit.prefix
    names = unit.names
    if prefix:
        # every name is directly under one directory: the expected digest is "<dir>:name"
        algorithm = prefix[:-1].rpartition("/")[2] + ":" if digest_names else ""
        read = iter_dir_files(os.path.join(unit.root, prefix), names, unit.limit)
        if algorithm == "sha256:":
            _add_sha256_named(rows, names, read)
        else:
            for name, (data, error, size) in zip(names, read, strict=True):
                if error:
                    rows.add_error(error, size)
                else:
                    add_blob(data, algorithm + name if algorithm else "")
    else:
        files = iter_files(unit.root, names, unit.limit)
        for name, (base, data, error, size) in zip(names, files, strict=True):
            if error:
                rows.add_error(error, size)
            elif not digest_names:
                add_blob(data, "")
            elif name.endswith(base) and name[-len(base) - 8:-len(base)] == "/sha256/":
                add_blob(data, "sha256:" + base)
            else:
                add_blob(data, expected_digest(name))
    n = len(names)
    hints = unit.hints
    declared = (_encode([hints.get(name, "") for name in names], _MEDIA) if hints
                else _constant(n, _MEDIA))
    locators = _strings(names, pa.large_string())
    if prefix:
        locators = pc.binary_join_element_wise(_strings([prefix], pa.large_string())[0],
                                               locators, _NO_SEPARATOR)
    return Chunk(_batch(unit.source, locators, _constant(n, ("",)), _constant(n, ("",)),
                        pa.nulls(n, _TIMESTAMP), declared, rows))


def classify_unit(unit: Unit) -> Chunk:
    """Classify every blob of *unit*; never raises for bad content (rows say what is wrong).

    The cyclic garbage collector is paused meanwhile (and restored as found): the loop
    makes no reference cycles, but its short-lived tuples trigger collections that, in a
    process holding pandas, walk hundreds of thousands of objects (about 2% of the run).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _classify_unit(unit)
    finally:
        if paused:
            gc.enable()


def _classify_unit(unit: Unit) -> Chunk:
    if isinstance(unit, FilesUnit):
        return _classify_files(unit)
    items, n_lines = read_unit(unit)
    relative = isinstance(unit, JsonlRangeUnit)
    rows = _Rows()
    add_blob = rows.add_blob
    locators: list[str] = []
    lines = array("q")
    declared: list[str] = []
    registries: list[str] = []
    repositories: list[str] = []
    created: list[int | None] = []
    for (locator, data, hint, expected, error, size, line, registry, repository,
         stamp) in items:
        lines.append(line)
        locators.append(str(line + 1) if line >= 0 and not relative else locator)
        declared.append(hint)
        registries.append(registry)
        repositories.append(repository)
        created.append(_timestamp(stamp) if stamp else None)
        if error:
            rows.add_error(error, size)
        else:
            add_blob(data, expected)
    batch = _batch(unit.source, locators, _encode(registries, ("",)),
                   _encode(repositories, ("",)), pa.array(created, _TIMESTAMP),
                   _encode(declared, _MEDIA), rows)
    if not relative:
        return Chunk(batch)
    line_array = np.frombuffer(lines, dtype=np.int64) if len(lines) else np.zeros(0, np.int64)
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
