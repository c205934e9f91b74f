"""Properties of the detector: only mstoolkit errors escape, the fast paths agree with the
exact slow path, the fast validity check agrees with the Go scanner port, depth limits hold
without RecursionError, and the thread-local parser is safe."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings

from mstoolkit.errors import InvalidJSON, ManifestConflict, MstoolkitError
from mstoolkit.manifest import detect as det
from mstoolkit.manifest import detect_media_type, detection_label
from mstoolkit.manifest.gojson import is_valid, syntax_error
from tests.manifest._detect_inputs import OCI_MANIFEST, generated_inputs, jsonish_bytes
from tests.support.fixtures_data import expected_rows

PROPERTY = settings(max_examples=1500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _quiet_deprecation_warnings() -> Iterator[None]:
    """Closed-gate runs log moby's notice for schema1 inputs; keep the output short."""
    logger = logging.getLogger("mstoolkit.manifest.detect")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def label_of_call(data: bytes) -> str:
    """The label implied by detect_media_type's own result with the gate open."""
    try:
        return detect_media_type(data, allow_schema1=True)
    except InvalidJSON as error:
        return "error:json-syntax" if error.offset >= 0 else "error:json-type"
    except ManifestConflict as error:
        if str(error) == "media-type: cannot determine":
            return "error:cannot-determine"
        return "error:conflict:" + str(error).split('"')[1]


@PROPERTY
@given(data=jsonish_bytes())
def test_only_mstoolkit_errors_escape(data: bytes) -> None:
    """No input makes detect_media_type raise anything but an MstoolkitError, under either
    gate state, and detection_label never raises."""
    for gate in (True, False):
        with contextlib.suppress(MstoolkitError):
            detect_media_type(data, allow_schema1=gate)
    detection_label(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_label_agrees_with_the_call(data: bytes) -> None:
    """detection_label is detect_media_type with the gate open, reduced to a label."""
    assert detection_label(data) == label_of_call(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_simdjson_fast_path_equals_slow_path(data: bytes) -> None:
    """Whenever the simdjson fast path answers, it answers what the exact path does."""
    fast = det._fast_simdjson(data)
    if fast is not None:
        assert fast == det._slow(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_orjson_fast_path_equals_slow_path(data: bytes) -> None:
    """Whenever the orjson fallback answers, it answers what the exact path does."""
    fast = det._fast_orjson(data)
    if fast is not None:
        assert fast == det._slow(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_fast_validity_equals_scanner_port(data: bytes) -> None:
    """is_valid (C scanner with Go's rules) accepts exactly what the Go scanner port does."""
    assert is_valid(data) == (syntax_error(data) is None)


@pytest.mark.parametrize("seed", range(4))
def test_fast_paths_and_validity_on_generated_batches(seed: int) -> None:
    """On 2000 seeded inputs per seed: both fast paths equal the slow path where they
    answer, and the fast validity check equals the scanner port."""
    for data in generated_inputs(1000 + seed, 2000):
        expected = det._slow(data)
        for fast in (det._fast_simdjson(data), det._fast_orjson(data)):
            assert fast is None or fast == expected, data
        assert is_valid(data) == (syntax_error(data) is None), data


def test_fast_path_takes_ordinary_manifests() -> None:
    """Every valid fixture whose top-level keys are exact spellings is answered by the
    simdjson fast path (speed regression guard), and equals the slow path."""
    taken = 0
    for row in expected_rows():
        data = row.read()
        fast = det._fast_simdjson(data)
        if fast is not None:
            taken += 1
            assert fast == det._slow(data), row.file
    assert taken >= 270


@pytest.mark.parametrize(("opener", "closer"), [(b"[", b"]"), (b'{"a":', b"}"),
                                                (b'{"layers":[', b"]}")])
def test_depth_limit_is_gos(opener: bytes, closer: bytes) -> None:
    """Nesting to 10000 levels is valid and 10001 is Go's 'exceeded max depth' at the
    offending bracket, through every entry point."""
    per_level = opener.count(b"[") + opener.count(b"{")
    levels = 10000 // per_level
    ok = opener * levels + b"1" + closer * levels
    assert is_valid(ok)
    assert syntax_error(ok) is None
    assert not detection_label(ok).startswith("error:json-syntax")
    deep = opener * (levels + 1) + b"1" + closer * (levels + 1)
    error = syntax_error(deep)
    assert error is not None
    assert error.message == f"invalid character '{chr(opener[0])}' exceeded max depth"
    assert error.offset == len(opener) * levels + 1
    assert not is_valid(deep)
    assert detection_label(deep) == "error:json-syntax"
    with pytest.raises(InvalidJSON) as caught:
        detect_media_type(deep)
    assert caught.value.offset == error.offset


def test_very_deep_input_never_raises_recursion_error() -> None:
    """200000 levels of nesting, balanced or not, end in InvalidJSON, never RecursionError."""
    for data in (b"[" * 200000 + b"]" * 200000, b"[" * 200000, b'{"a":' * 200000):
        assert detection_label(data) == "error:json-syntax"
        with pytest.raises(InvalidJSON, match="exceeded max depth"):
            detect_media_type(data)


def test_deep_but_allowed_nesting_inside_a_manifest() -> None:
    """A 9000-deep value inside a manifest (past simdjson's and Python's limits, within
    Go's) is decoded by the exact path like any other."""
    data = b'{"layers":' + b"[" * 9000 + b"]" * 9000 + b"}"
    assert det._fast_simdjson(data) is None
    assert detection_label(data) == OCI_MANIFEST
    assert detect_media_type(data) == OCI_MANIFEST


def test_threads_share_nothing() -> None:
    """Labels computed on four threads at once equal the sequential ones (each thread has
    its own simdjson parser)."""
    inputs = [row.read() for row in expected_rows()] * 8
    sequential = [detection_label(blob) for blob in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(detection_label, inputs, chunksize=7)) == sequential


def test_large_documents_use_a_throwaway_parser() -> None:
    """A document above the cached-parser limit is still answered by the fast path."""
    data = b'{"layers":[' + b",".join([b'"' + b"a" * 1000 + b'"'] * 1500) + b"]}"
    assert len(data) > det._CACHED_PARSER_LIMIT
    assert det._fast_simdjson(data) == det._slow(data)
