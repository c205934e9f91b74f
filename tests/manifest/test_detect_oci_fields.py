"""``detection_label_and_oci_fields``: the same label as ``detection_label`` on every input,
and the two OCI 1.1 artifact fields read from the detector's own parse equal what a full
decoder reads, or are marked unsure when decoders could disagree (duplicate keys)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstoolkit.manifest import detect as det
from mstoolkit.manifest.detect import OciFields, detection_label, detection_label_and_oci_fields
from tests.manifest._detect_inputs import OCI_MANIFEST, generated_inputs, jsonish_bytes
from tests.support.fixtures_data import expected_rows

PROPERTY = settings(max_examples=1500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

_VALUES = [b'"application/vnd.oci.image.config.v1+json"', b'"application/vnd.x+json"', b'""',
           b"null", b"1", b"[]", b"{}", b'"\\u0061/b"', b"true"]
_INNER_VALUES = [b"null", b'"a/b"', b'"application/vnd.oci.image.config.v1+json"', b"1"]
_KEYS = [b'"artifactType"', b'"config"', b'"mediaType"', b'"layers"', b'"manifests"',
         b'"artifactTyp\\u0065"', b'"CONFIG"', b'"schemaVersion"', b'"subject"']


@st.composite
def oci_like(draw: st.DrawFn) -> bytes:
    """Manifest-like objects built around ``artifactType`` and ``config.mediaType``, with
    duplicates, escapes, nulls and values of every kind."""
    inner = draw(st.lists(st.tuples(st.sampled_from([b'"mediaType"', b'"mediaType"',
                                                      b'"digest"', b'"mediaTyp\\u0065"']),
                                    st.sampled_from(_INNER_VALUES)), max_size=4))
    config = b"{" + b",".join(k + b":" + v for k, v in inner) + b"}"
    members = draw(st.lists(st.tuples(st.sampled_from(_KEYS),
                                      st.sampled_from([*_VALUES, config, config, config])),
                            max_size=5))
    if draw(st.booleans()):
        members.insert(0, (b'"config"', config))
    if draw(st.booleans()):
        members.insert(0, (b'"mediaType"', b'"' + OCI_MANIFEST.encode() + b'"'))
    return b"{" + b",".join(k + b":" + v for k, v in members) + b"}"


def _decoded(data: bytes) -> tuple[Any, Any] | None:
    """(artifactType, config.mediaType) as orjson reads them, strings only; None if orjson
    refuses the input."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    artifact_type = doc.get("artifactType")
    config = doc.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    return (artifact_type if isinstance(artifact_type, str) else None,
            config_type if isinstance(config_type, str) else None)


def _check(data: bytes) -> OciFields | None:
    label, fields = detection_label_and_oci_fields(data)
    assert label == detection_label(data)
    if label != OCI_MANIFEST:
        assert fields is None
    if fields is not None and fields.sure:
        decoded = _decoded(data)
        if decoded is not None:
            assert (fields.artifact_type, fields.config_media_type) == decoded
    return fields


@PROPERTY
@given(data=oci_like())
def test_fields_equal_a_full_decode(data: bytes) -> None:
    """On OCI-manifest-like objects, the label is detection_label's and sure fields equal
    orjson's reading (last of duplicate keys wins there, which is why duplicates are
    unsure)."""
    _check(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_label_equals_detection_label_on_jsonish_bytes(data: bytes) -> None:
    """On the detector's adversarial inputs the label never differs from detection_label."""
    _check(data)


def test_label_equals_detection_label_on_generated_inputs_and_fixtures() -> None:
    """The seeded corpus generator's inputs and every fixture blob give detection_label's
    label, and OCI manifests among them mostly come with their fields."""
    with_fields = 0
    for data in [*generated_inputs(7, 3000), *(row.read() for row in expected_rows())]:
        with_fields += _check(data) is not None
    assert with_fields > 0


@pytest.mark.parametrize(("doc", "expected"), [
    (b'{"mediaType":"%s","config":{"mediaType":"a/b"}}', OciFields(None, "a/b")),
    (b'{"mediaType":"%s","artifactType":"x/y","config":null}', OciFields("x/y", None)),
    (b'{"mediaType":"%s","artifactType":1,"config":[]}', OciFields(None, None)),
    (b'{"mediaType":"%s"}', OciFields(None, None)),
    (b'{"layers":[],"artifactType":""}', OciFields("", None)),
    (b'{"mediaType":"%s","artifactType":"a","artifactType":""}', OciFields(None, None, False)),
    (b'{"mediaType":"%s","config":{},"config":{"mediaType":"a"}}', OciFields(None, None, False)),
    (b'{"mediaType":"%s","config":{"mediaType":"a","mediaType":"b"}}',
     OciFields(None, None, False)),
    (b'{"mediaType":"%s","config":{"mediaType":null,"mediaType":"b"}}',
     OciFields(None, None, False)),
])
def test_fields_of_small_documents(doc: bytes, expected: OciFields) -> None:
    """Each field is its string value or None, and a repeated key makes the pair unsure."""
    data = doc.replace(b"%s", OCI_MANIFEST.encode())
    assert detection_label_and_oci_fields(data) == (OCI_MANIFEST, expected)


@pytest.mark.parametrize("data", [
    b'\xef\xbb\xbf{"mediaType":"%s"}',  # a BOM: the exact path decides, nothing is read
    b'{"mediaType":"%s","MediaType":"%s"}',  # a folded key: the exact path again
    b'{"mediaType":"%s","config":{"mediaType":"a\xff"}}',  # invalid UTF-8: Go accepts
])
def test_no_fields_when_the_fast_path_does_not_answer(data: bytes) -> None:
    """Inputs only the exact slow path labels come back without fields."""
    data = data.replace(b"%s", OCI_MANIFEST.encode())
    label, fields = detection_label_and_oci_fields(data)
    assert (label, fields) == (detection_label(data), None)


def test_without_simdjson_there_are_no_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the orjson fallback the label is the same and the caller decodes itself."""
    data = b'{"mediaType":"%s","config":{"mediaType":"a/b"}}'.replace(
        b"%s", OCI_MANIFEST.encode())
    monkeypatch.setattr(det, "_simdjson", None)
    assert detection_label_and_oci_fields(data) == (OCI_MANIFEST, None)


def test_other_labels_and_bytes_like_inputs() -> None:
    """Non-OCI labels carry no fields; bytearray and memoryview are accepted like bytes."""
    assert detection_label_and_oci_fields(b'{"manifests":[]}') == (
        "application/vnd.oci.image.index.v1+json", None)
    data = b'{"config":{"mediaType":"a/b"},"layers":[]}'
    expected = (OCI_MANIFEST, OciFields(None, "a/b"))
    assert detection_label_and_oci_fields(bytearray(data)) == expected
    assert detection_label_and_oci_fields(memoryview(data)) == expected
