"""moby's detectManifestBlobMediaType, ported: the fixture corpus, moby's own cases, the
bench edge cases and a table of Go encoding/json facts, under both schema1 gate states."""

from __future__ import annotations

import logging

import pytest

import mstoolkit.manifest
from mstoolkit.errors import (
    DeprecatedSchema1ImageError,
    InvalidArgument,
    InvalidJSON,
    ManifestConflict,
    MstoolkitError,
)
from mstoolkit.manifest import (
    deprecation_notice,
    detect_media_type,
    detection_label,
    schema1_gate_open,
)
from mstoolkit.manifest import detect as detect_module
from tests.manifest._detect_inputs import BENCH_EDGE_CASES, GO_FACTS, OCI_MANIFEST, SCHEMA1
from tests.support.fixtures_data import ExpectedRow, expected_rows, moby_cases

GATE = "DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE"
NOTICE = (
    "[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1"
    " support is disabled by default and will be removed in an upcoming release. More"
    " information at https://docs.docker.com/go/deprecated-image-specs/"
)
ROWS = expected_rows()
MOBY = moby_cases()


def outcome(data: bytes, **kwargs: object) -> tuple[str, str]:
    """(error class name or "ok", result or message) of one detection."""
    try:
        return ("ok", detect_media_type(data, **kwargs))  # type: ignore[arg-type]
    except MstoolkitError as error:
        return (type(error).__name__, str(error))


def expected_class(message: str) -> str:
    if message.startswith("media-type:"):
        return "ManifestConflict"
    if message.startswith("[DEPRECATION NOTICE]"):
        return "DeprecatedSchema1ImageError"
    return "InvalidJSON"


@pytest.mark.parametrize("row", ROWS, ids=[row.file for row in ROWS])
def test_expected_rows_with_the_gate_open(row: ExpectedRow, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """Every fixture gives EXPECTED.tsv's media type or Go's exact error text when the
    environment variable is set."""
    monkeypatch.setenv(GATE, "1")
    if row.expected_media_type:
        assert outcome(row.read()) == ("ok", row.expected_media_type)
    else:
        assert outcome(row.read()) == (expected_class(row.expected_error), row.expected_error)


@pytest.mark.parametrize("row", ROWS, ids=[row.file for row in ROWS])
def test_expected_rows_with_the_gate_closed(row: ExpectedRow, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """With the variable unset, every fixture gives EXPECTED.tsv's env_unset_result."""
    monkeypatch.delenv(GATE, raising=False)
    if row.env_unset_result == "same":
        monkeypatch.setenv(GATE, "1")
        opened = outcome(row.read())
        monkeypatch.delenv(GATE)
        assert outcome(row.read()) == opened
    else:
        message = row.env_unset_result.removeprefix("error: ")
        assert outcome(row.read()) == (expected_class(message), message)


@pytest.mark.parametrize("row", ROWS, ids=[row.file for row in ROWS])
def test_expected_rows_labels(row: ExpectedRow) -> None:
    """The batch label of every fixture matches its EXPECTED.tsv outcome."""
    label = detection_label(row.read())
    if row.expected_media_type:
        assert label == row.expected_media_type
    elif row.expected_error == "media-type: cannot determine":
        assert label == "error:cannot-determine"
    elif row.expected_error.startswith("media-type:"):
        assert label == "error:conflict:" + row.expected_error.split('"')[1]
    elif row.expected_error.startswith("json: cannot unmarshal"):
        assert label == "error:json-type"
    else:
        assert label == "error:json-syntax"


@pytest.mark.parametrize("case", MOBY, ids=[f"{c['source'][:40]}:{c['case']}" for c in MOBY])
def test_moby_unit_cases(case: dict[str, str]) -> None:
    """moby's own TestDetectManifestBlobMediaType(Invalid) cases, as moby runs them."""
    gate = case["schema1_env_var"] == "set"
    got = outcome(case["input_json"].encode(), allow_schema1=gate)
    if case["expected_media_type"]:
        assert got == ("ok", case["expected_media_type"])
    else:
        assert got == ("ManifestConflict", case["expected_error"])


@pytest.mark.parametrize(("data", "label"), BENCH_EDGE_CASES,
                         ids=[repr(d)[:40] for d, _ in BENCH_EDGE_CASES])
def test_bench_edge_cases(data: bytes, label: str) -> None:
    """The bench's Go-vs-Python drift cases get Go's label."""
    assert detection_label(data) == label


@pytest.mark.parametrize(("what", "data", "label"), GO_FACTS, ids=[f[0] for f in GO_FACTS])
def test_go_facts(what: str, data: bytes, label: str) -> None:
    """Each encoding/json fact of the table holds, for the label and for the call."""
    assert detection_label(data) == label
    kind, value = outcome(data, allow_schema1=True)
    if not label.startswith("error:"):
        assert (kind, value) == ("ok", label)
    elif label == "error:json-syntax":
        assert kind == "InvalidJSON"
        assert value.startswith(("invalid character", "unexpected end of JSON input"))
    elif label == "error:json-type":
        assert kind == "InvalidJSON"
        assert value.startswith("json: cannot unmarshal ")
    elif label == "error:cannot-determine":
        assert (kind, value) == ("ManifestConflict", "media-type: cannot determine")
    else:
        assert kind == "ManifestConflict"
        assert value.startswith(f'media-type: "{label.removeprefix("error:conflict:")}" ')


def test_syntax_error_carries_go_offset() -> None:
    """A syntax error is an InvalidJSON with Go's message and SyntaxError.Offset."""
    with pytest.raises(InvalidJSON) as caught:
        detect_media_type(b'{"layers":[1,]}')
    assert (caught.value.message, caught.value.offset) == (
        "invalid character ']' looking for beginning of value", 14)
    with pytest.raises(InvalidJSON) as caught:
        detect_media_type(b'{"layers":')
    assert (str(caught.value), caught.value.offset) == ("unexpected end of JSON input", 10)


def test_type_errors_name_the_first_bad_kind() -> None:
    """A type error has offset -1 and names the first non-string mediaType, as Go does."""
    with pytest.raises(InvalidJSON) as caught:
        detect_media_type(b'{"mediaType":[1],"MediaType":2,"mediaType":"x"}')
    assert caught.value.offset == -1
    assert str(caught.value) == (
        "json: cannot unmarshal array into Go struct field .mediaType of type string")
    with pytest.raises(InvalidJSON, match=r"^json: cannot unmarshal string into Go value of"
                       r" type struct \{ MediaType string"):
        detect_media_type(b'"manifest"')


def test_cannot_determine_is_a_conflict_and_an_invalid_argument() -> None:
    """'media-type: cannot determine' is a ManifestConflict, hence an InvalidArgument."""
    with pytest.raises(ManifestConflict) as caught:
        detect_media_type(b'{"config":{},"manifests":[]}')
    assert isinstance(caught.value, InvalidArgument)
    assert str(caught.value) == "media-type: cannot determine"


def test_gate_is_checked_before_the_schema1_conflict() -> None:
    """With the gate closed, schema1 with layers is a deprecation error, not a conflict."""
    data = b'{"mediaType":"' + SCHEMA1.encode() + b'","layers":[]}'
    with pytest.raises(DeprecatedSchema1ImageError):
        detect_media_type(data, allow_schema1=False)
    with pytest.raises(ManifestConflict, match="should not have \"manifests\" or \"layers\""):
        detect_media_type(data, allow_schema1=True)


@pytest.mark.parametrize(("value", "is_open"), [(None, False), ("", False), ("0", True),
                                                 ("1", True), ("false", True), (" ", True)])
def test_gate_reads_the_environment_at_call_time(
    value: str | None, is_open: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any non-empty value opens the gate, even "0"; unset or empty keeps it closed."""
    if value is None:
        monkeypatch.delenv(GATE, raising=False)
    else:
        monkeypatch.setenv(GATE, value)
    assert schema1_gate_open() is is_open
    assert (outcome(b'{"fsLayers":[]}')[0] == "ok") is is_open


def test_keyword_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """allow_schema1=True/False wins over the environment variable either way."""
    monkeypatch.setenv(GATE, "1")
    assert schema1_gate_open(False) is False
    assert outcome(b'{"fsLayers":[]}', allow_schema1=False)[0] == "DeprecatedSchema1ImageError"
    monkeypatch.delenv(GATE)
    assert schema1_gate_open(True) is True
    assert outcome(b'{"fsLayers":[]}', allow_schema1=True) == ("ok", SCHEMA1)


def test_deprecation_error_message_reference_and_warning(caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    """The closed gate raises moby's notice naming the reference and logs it as a warning."""
    ref = "docker.io/library/docker:1.0"
    with caplog.at_level(logging.WARNING, logger="mstoolkit.manifest.detect"), \
            pytest.raises(DeprecatedSchema1ImageError) as caught:
        detect_media_type(b'{"fsLayers":[]}', allow_schema1=False, reference=ref)
    expected = NOTICE.replace(
        "release. More", f"release. Suggest the author of {ref} to upgrade the image to the"
        " OCI Format or Docker Image manifest v2, schema 2. More")
    assert str(caught.value) == expected == deprecation_notice(ref)
    assert caught.value.reference == ref
    assert [r.getMessage() for r in caplog.records] == [expected]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_deprecation_notice_without_reference_is_mobys_nil_form() -> None:
    """Without a reference the notice is moby's nil-reference text, one line."""
    assert deprecation_notice() == NOTICE
    assert "\n" not in NOTICE


def test_label_never_depends_on_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """detection_label always has the gate open, whatever the environment says."""
    monkeypatch.delenv(GATE, raising=False)
    assert detection_label(b'{"fsLayers":[]}') == SCHEMA1


def test_bytes_like_inputs_and_wrong_types() -> None:
    """bytearray and memoryview are read like bytes; a str is an InvalidArgument."""
    data = b'{"layers":[]}'
    assert detect_media_type(bytearray(data)) == OCI_MANIFEST
    assert detect_media_type(memoryview(data)) == OCI_MANIFEST
    assert detection_label(bytearray(data)) == OCI_MANIFEST
    with pytest.raises(InvalidArgument, match="needs bytes, not str"):
        detect_media_type(data.decode())  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="needs bytes, not int"):
        detection_label(3)  # type: ignore[arg-type]


def test_public_names() -> None:
    """The manifest package exports the detector API, sorted, and dir() shows only it."""
    names = {"deprecation_notice", "detect_media_type", "detection_label", "schema1_gate_open"}
    assert names <= set(mstoolkit.manifest.__all__)
    assert mstoolkit.manifest.__all__ == sorted(mstoolkit.manifest.__all__)
    assert detect_module.__all__ == sorted(detect_module.__all__)
    assert dir(detect_module) == sorted(detect_module.__all__)
