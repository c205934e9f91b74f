"""``kind_of_fields`` (the kind from the fields the detector already read) equals
``kind_of`` (which decodes the blob again) on every input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from mstoolkit.catalog.kinds import kind_of, kind_of_fields
from mstoolkit.catalog.schema import Kind
from mstoolkit.manifest.detect import OciFields, detection_label_and_oci_fields
from tests.manifest._detect_inputs import OCI_MANIFEST, generated_inputs, jsonish_bytes
from tests.manifest.test_detect_oci_fields import oci_like
from tests.support.fixtures_data import expected_rows

PROPERTY = settings(max_examples=1500, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _same(data: bytes) -> Kind:
    label, fields = detection_label_and_oci_fields(data)
    kind = kind_of_fields(label, fields, data)
    assert kind is kind_of(label, data)
    return kind


@PROPERTY
@given(data=oci_like())
def test_equal_on_oci_like_objects(data: bytes) -> None:
    """Duplicates, nulls, escapes and every value kind around the two fields."""
    _same(data)


@PROPERTY
@given(data=jsonish_bytes())
def test_equal_on_jsonish_bytes(data: bytes) -> None:
    """The detector's adversarial inputs."""
    _same(data)


def test_equal_on_generated_inputs_and_fixtures() -> None:
    """The seeded generator's inputs and the fixture blobs, artifacts among them."""
    kinds = {_same(data) for data in
             [*generated_inputs(11, 3000), *(row.read() for row in expected_rows())]}
    assert {Kind.OCI_MANIFEST, Kind.ARTIFACT} <= kinds


def test_an_artifact_answer_is_confirmed_by_a_full_decode() -> None:
    """Fields saying "artifact" are not taken on trust: the blob's own decode decides."""
    data = b'{"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json"}}'
    data = data.replace(b"%s", OCI_MANIFEST.encode())
    assert kind_of_fields(OCI_MANIFEST, OciFields("x/y", None), data) is Kind.OCI_MANIFEST
    assert kind_of_fields(OCI_MANIFEST, OciFields(None, None, sure=False), data) is (
        Kind.OCI_MANIFEST)
    assert kind_of_fields(OCI_MANIFEST, None, data) is Kind.OCI_MANIFEST
    assert kind_of_fields(OCI_MANIFEST, OciFields(None, "a/b"), b"{}") is Kind.OCI_MANIFEST
