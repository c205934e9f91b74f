"""parse_manifest: distribution's validation rules, Go's field matching, and nothing but
MstoolkitError for bad input."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    InvalidArgument,
    InvalidDigest,
    InvalidJSON,
    InvalidManifest,
    MstoolkitError,
    UnsupportedMediaType,
)
from mstoolkit.manifest import parse
from mstoolkit.manifest.models import (
    DockerManifestList,
    DockerSchema1,
    DockerSchema2,
    Manifest,
    OCIIndex,
    OCIManifest,
)
from mstoolkit.manifest.parse import PARSEABLE_MEDIA_TYPES, normalize_media_type, parse_manifest
from mstoolkit.mediatypes import (
    DOCKER_CONFIG,
    DOCKER_LAYER,
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_LAYER_GZIP,
    OCI_MANIFEST,
)
from tests.support.fixtures_data import ExpectedRow, expected_rows

ROWS = expected_rows()
MODEL_FOR = {
    DOCKER_SCHEMA1: DockerSchema1,
    DOCKER_SCHEMA2: DockerSchema2,
    DOCKER_MANIFEST_LIST: DockerManifestList,
    OCI_MANIFEST: OCIManifest,
    OCI_INDEX: OCIIndex,
}

D_CONFIG = {"mediaType": OCI_CONFIG, "digest": str(Digest.from_bytes(b"config")), "size": 3}
D_LAYER = {"mediaType": OCI_LAYER_GZIP, "digest": str(Digest.from_bytes(b"layer")), "size": 5}
D_CHILD = {
    "mediaType": OCI_MANIFEST,
    "digest": str(Digest.from_bytes(b"child")),
    "size": 7,
    "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"},
}


def doc(**fields: Any) -> bytes:
    """A JSON document from keyword fields (``_`` in a name stands for nothing special)."""
    return json.dumps(fields).encode()


def oci_manifest(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": D_CONFIG,
        "layers": [D_LAYER],
    }
    base.update(extra)
    return base


def oci_index(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [D_CHILD]}
    base.update(extra)
    return base


def dumps(obj: object) -> bytes:
    return json.dumps(obj).encode()


# -- every fixture ------------------------------------------------------------------------------

# What parse_manifest says of the fixtures it refuses (with their expected media type, or
# with detection where EXPECTED.tsv has none). Everything else parses.
REFUSED = {
    "blobs/containers-image/oci1-config.json": "schema version 0",  # a config blob
    "blobs/containers-image/schema2-to-schema1-by-docker.json": "payload rebuilt",
    "blobs/containers-image/non-json.manifest.json": InvalidJSON,
    "blobs/containers-image/ociv1.artifact.json": "invalid checksum digest format",
    "blobs/containers-image/ociv1nomime.artifact.json": "invalid checksum digest format",
    "blobs/containers-image/unknown-version.manifest.json": "schema version 99999",
    "blobs/containers-image/v2s1-invalid-signatures.manifest.json": "'signatures' is a number",
    "blobs/skopeo/v2s1-invalid-signatures.manifest.json": "'signatures' is a number",
    "blobs/moby/bad_manifest": "schema version 2",
    "blobs/regclient/testrepo__03d7b3c657a4af5b4ff7967bf843d04a93008f28d658a7df3f679b2c7e519639": (
        "schema version 0"
    ),
    "blobs/regclient/manifest_test__rawAmbiguousOCI.json": MstoolkitError,
    "blobs/regclient/manifest_test__rawOCIImage.json": MstoolkitError,
    "blobs/regclient/manifest_test__rawOCIIndex.json": MstoolkitError,
    "blobs/regclient/manifest_test__rawOCI1Artifact.json": UnsupportedMediaType,
    "blobs/ggcr/hello-world-v25.tar__blobs-sha256-ac09ed77c1b58dc3f93528f17515cb1c5487fa8f304ba2ed54d0f14686f1136e": (  # noqa: E501
        "schema version 0"
    ),
    "blobs/ggcr/hello-world-v25.tar__blobs-sha256-ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44": (  # noqa: E501
        "schema version 0"
    ),
    "blobs/ggcr/hello-world-v25.tar__manifest.json": InvalidJSON,
    "blobs/ggcr/null_manifest.tar__manifest.json": "schema version 0",
    "blobs/ggcr/mutate_test__annotations_arbitrary.json": "schema version 0",
    "blobs/image-spec/manifest_test__case01.json": InvalidJSON,
    "blobs/image-spec/manifest_test__case02.json": "'size' must be an integer",
    "blobs/image-spec/manifest_test__case06.json": "unsupported digest algorithm",
    "blobs/image-spec/manifest_test__case08.json": "subject must be an object",
    "blobs/image-spec/manifest_test__case09.json": "unsupported digest algorithm",
    "blobs/image-spec/imageindex_test__case01.json": "'size' must be an integer",
    "blobs/image-spec/imageindex_test__case02.json": "missing 'digest'",
    "blobs/image-spec/imageindex_test__case11.json": "subject must be an object",
    "blobs/image-spec/backwards_compatibility_test__config0.json": "schema version 0",
    "blobs/image-spec/imagelayout_test__case00.json": InvalidJSON,
    "blobs/image-spec/imagelayout_test__case01.json": "schema version 0",
    "blobs/image-spec/descriptor_test__case00.json": "schema version 0",
    "blobs/image-spec/manifest.md__L167.json": UnsupportedMediaType,
    "blobs/image-spec/v1.1.0-rc2__artifact.md__L49.json": InvalidJSON,
    "blobs/oras-artifacts-spec/net-monitor-image-nydus-ondemand-loading.json": (
        UnsupportedMediaType
    ),
    "blobs/oras-artifacts-spec/net-monitor-image-sbom.json": UnsupportedMediaType,
    "blobs/oras-artifacts-spec/net-monitor-image-signature.json": UnsupportedMediaType,
    "blobs/oras-artifacts-spec/oci-image-artifact.json": UnsupportedMediaType,
    "blobs/stereoscope/invalid_file__index.json": InvalidJSON,
    "blobs/notation-go/oci-layout__manifest.json": InvalidJSON,
    "blobs/cosign/BUNDLE_SPEC.md__L55.json": "invalid checksum digest length",
    "blobs/cosign/BUNDLE_SPEC.md__L105.json": "invalid checksum digest length",
    "blobs/cosign/BUNDLE_SPEC.md__L219.json": "invalid checksum digest length",
    "blobs/cosign/BUNDLE_SPEC.md__L255.json": "invalid checksum digest length",
    "blobs/cosign/BUNDLE_SPEC.md__L290.json": "invalid checksum digest length",
    "blobs/cncf-tag-runtime/wasm-oci-artifact__L32.jsonc": InvalidJSON,
}


def _outcome(data: bytes, media_type: str | None) -> Manifest | MstoolkitError:
    try:
        return parse_manifest(data, media_type)
    except MstoolkitError as exc:
        return exc


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.file)
def test_every_fixture_parses_or_fails_as_recorded(row: ExpectedRow) -> None:
    """Each fixture parses into the model its expected media type names, or fails as pinned."""
    data = row.read()
    result = _outcome(data, row.expected_media_type or None)
    expected = REFUSED.get(row.file)
    if expected is None:
        assert isinstance(result, Manifest), f"{row.file}: {result!r}"
        assert type(result) is MODEL_FOR[row.expected_media_type]
        assert result.raw == data
        if not isinstance(result, DockerSchema1):
            assert result.digest == Digest.from_bytes(data)
        return
    assert isinstance(result, MstoolkitError), f"{row.file} parsed: {result!r}"
    if isinstance(expected, str):
        assert expected in str(result)
    else:
        assert isinstance(result, expected)


def test_refused_table_names_only_real_fixtures() -> None:
    """The pinned refusals refer to fixtures that exist (no stale entries)."""
    assert set(REFUSED) <= {row.file for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.file)
def test_detection_and_the_expected_media_type_agree(row: ExpectedRow) -> None:
    """Parsing with no media type gives what parsing with the detector's answer gives."""
    data = row.read()
    sniffed = _outcome(data, None)
    if not row.expected_media_type:
        assert isinstance(sniffed, MstoolkitError)
        return
    given_type = _outcome(data, row.expected_media_type)
    if isinstance(given_type, MstoolkitError):
        assert type(sniffed) is type(given_type)
        assert str(sniffed) == str(given_type)
    else:
        assert sniffed == given_type


@pytest.mark.parametrize("media_type", sorted(PARSEABLE_MEDIA_TYPES))
def test_every_fixture_under_every_parser_raises_only_mstoolkit_errors(media_type: str) -> None:
    """Feeding any fixture to any parser gives a model or an MstoolkitError, nothing else."""
    outcomes = [_outcome(row.read(), media_type) for row in ROWS]
    assert all(isinstance(o, Manifest | MstoolkitError) for o in outcomes)
    assert any(isinstance(o, Manifest) for o in outcomes)


# -- what each format must say about itself ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "media_type", "message"),
    [
        (
            dumps({"schemaVersion": 2, "config": D_CONFIG}),
            DOCKER_SCHEMA2,
            f"mediaType in manifest should be '{DOCKER_SCHEMA2}' not ''",
        ),
        (
            dumps(oci_manifest()),
            DOCKER_SCHEMA2,
            f"mediaType in manifest should be '{DOCKER_SCHEMA2}' not '{OCI_MANIFEST}'",
        ),
        (
            dumps({"schemaVersion": 2, "manifests": []}),
            DOCKER_MANIFEST_LIST,
            f"mediaType in manifest list should be '{DOCKER_MANIFEST_LIST}' not ''",
        ),
        (
            dumps(oci_manifest(mediaType=OCI_INDEX)),
            OCI_MANIFEST,
            f"if present, mediaType in manifest should be '{OCI_MANIFEST}' not '{OCI_INDEX}'",
        ),
        (
            dumps(oci_index(mediaType=DOCKER_MANIFEST_LIST)),
            OCI_INDEX,
            "if present, mediaType in image index should be",
        ),
        (
            dumps(oci_manifest(manifests=[])),
            OCI_MANIFEST,
            "ocimanifest: expected manifest but found index",
        ),
        (dumps(oci_index(config={})), OCI_INDEX, "index: expected index but found manifest"),
        (dumps(oci_index(Layers=[])), OCI_INDEX, "index: expected index but found manifest"),
        (dumps(oci_manifest(mediaType=5)), OCI_MANIFEST, "'mediaType' must be a string"),
    ],
)
def test_distribution_media_type_rules(data: bytes, media_type: str, message: str) -> None:
    """Each UnmarshalJSON rule of distribution gives its own message, as InvalidManifest."""
    with pytest.raises(InvalidManifest) as info:
        parse_manifest(data, media_type)
    assert message in str(info.value)


def test_null_fields_of_the_other_kind_are_allowed() -> None:
    """validateManifest/validateIndex look at interface{} values, which null leaves nil."""
    assert isinstance(parse_manifest(dumps(oci_manifest(manifests=None)), OCI_MANIFEST), Manifest)
    index = parse_manifest(dumps(oci_index(config=None, layers=None)), OCI_INDEX)
    assert isinstance(index, OCIIndex)


def test_manifest_list_does_not_reject_image_fields() -> None:
    """distribution runs validateIndex for OCI indexes only, not for Docker manifest lists."""
    data = dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST_LIST, "layers": []})
    model = parse_manifest(data, DOCKER_MANIFEST_LIST)
    assert isinstance(model, DockerManifestList)
    assert model.manifests == ()


def test_oci_types_accept_an_absent_media_type() -> None:
    """OCI manifests and indexes may leave mediaType out; the model says what the body said."""
    manifest = parse_manifest(dumps(oci_manifest(mediaType=None)), OCI_MANIFEST)
    index = parse_manifest(dumps({"schemaVersion": 2, "manifests": [D_CHILD]}), OCI_INDEX)
    assert isinstance(manifest, OCIManifest)
    assert isinstance(index, OCIIndex)
    assert (manifest.declared_media_type, manifest.media_type) == ("", OCI_MANIFEST)
    assert (index.declared_media_type, index.media_type) == ("", OCI_INDEX)


@pytest.mark.parametrize("version", [None, 0, 1, 3, "2", 2.0, True, [2]])
@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (oci_manifest(), OCI_MANIFEST),
        (oci_index(), OCI_INDEX),
        ({"mediaType": DOCKER_SCHEMA2, "config": D_CONFIG}, DOCKER_SCHEMA2),
        ({"mediaType": DOCKER_MANIFEST_LIST, "manifests": []}, DOCKER_MANIFEST_LIST),
    ],
)
def test_v2_formats_need_schema_version_2(
    body: dict[str, Any], media_type: str, version: object
) -> None:
    """Anything but the integer 2 is refused, as distribution's push validators refuse it."""
    data = dumps({**body, "schemaVersion": version})
    with pytest.raises(InvalidManifest, match=r"schema version|'schemaVersion' must be"):
        parse_manifest(data, media_type)


def test_schema1_needs_schema_version_1() -> None:
    """moby's schema1 pull refuses any other schemaVersion."""
    data = dumps({"schemaVersion": 2, "fsLayers": []})
    with pytest.raises(InvalidManifest, match="schema version 2"):
        parse_manifest(data, DOCKER_SCHEMA1)


# -- shapes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (oci_manifest(config=None), "missing 'config'"),
        ({k: v for k, v in oci_manifest().items() if k != "config"}, "missing 'config'"),
        (oci_manifest(config=[]), "config must be an object"),
        (oci_manifest(layers={}), "'layers' must be an array"),
        (oci_manifest(layers=["x"]), r"layers[0] must be an object"),
        (oci_manifest(layers=[{"size": 1}]), "missing 'digest'"),
        (oci_manifest(layers=[{**D_LAYER, "digest": "sha256:zz"}]), "invalid checksum digest"),
        (oci_manifest(layers=[{**D_LAYER, "size": 1.5}]), "'size' must be an integer"),
        (oci_manifest(layers=[{**D_LAYER, "size": -2}]), "size must be an integer >= -1"),
        (oci_manifest(layers=[{**D_LAYER, "urls": "x"}]), "'urls' must be an array"),
        (oci_manifest(annotations={"a": 1}), "'annotations' must be an object of strings"),
        (oci_manifest(annotations=[]), "'annotations' must be an object of strings"),
        (oci_manifest(artifactType=1), "'artifactType' must be a string"),
        (oci_manifest(subject="sha256:x"), "subject must be an object"),
        (oci_index(manifests=[{**D_CHILD, "platform": "linux"}]), "platform must be an object"),
        (oci_index(manifests=[{**D_CHILD, "platform": {"os": 1}}]), "'os' must be a string"),
        (oci_index(manifests=7), "'manifests' must be an array"),
    ],
)
def test_wrong_shapes_are_invalid_manifests(body: dict[str, Any], message: str) -> None:
    """Bad descriptors, arrays and maps become InvalidManifest naming where, never KeyError."""
    media_type = OCI_INDEX if "manifests" in body else OCI_MANIFEST
    with pytest.raises(InvalidManifest) as info:
        parse_manifest(dumps(body), media_type)
    assert message in str(info.value)


def test_bad_descriptor_digest_keeps_the_digest_error_as_cause() -> None:
    """The InvalidDigest behind an InvalidManifest is chained for callers that want it."""
    body = oci_manifest(config={**D_CONFIG, "digest": "md5:abc"})
    with pytest.raises(InvalidManifest) as info:
        parse_manifest(dumps(body), OCI_MANIFEST)
    assert isinstance(info.value.__cause__, InvalidDigest)
    assert "config" in str(info.value)


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ({}, "'fsLayers' must be an array"),
        ([5], r"fsLayers[0] must be an object"),
        ([{"blobSum": 5}], "'blobSum' must be a string"),
        ([{"blobSum": "tarsum+sha256:abc"}], "fsLayers[0]"),
        ([{}], "fsLayers[0]"),
    ],
)
def test_schema1_wrong_shapes_are_invalid_manifests(layers: object, message: str) -> None:
    """Schema1 layers must be objects with a valid blobSum digest."""
    data = dumps({"schemaVersion": 1, "fsLayers": layers})
    with pytest.raises(InvalidManifest) as info:
        parse_manifest(data, DOCKER_SCHEMA1)
    assert message in str(info.value)


@pytest.mark.parametrize("media_type", sorted(PARSEABLE_MEDIA_TYPES))
@pytest.mark.parametrize("data", [b"[]", b'"manifest"', b"12", b"true"])
def test_non_object_documents_are_invalid_manifests(data: bytes, media_type: str) -> None:
    """A JSON value that is not an object cannot be any manifest."""
    with pytest.raises(InvalidManifest):
        parse_manifest(data, media_type)


# -- Go's field matching ----------------------------------------------------------------------


def test_keys_match_fields_case_insensitively() -> None:
    """Go matches "MediaType", "CONFIG" and "Digest" to their fields, as the detector does."""
    config = {"MediaType": DOCKER_CONFIG, "DIGEST": D_CONFIG["digest"], "Size": 3}
    layer = {"mediatype": DOCKER_LAYER, "digest": D_LAYER["digest"], "SIZE": 5}
    data = dumps(
        {"SchemaVersion": 2, "MEDIATYPE": DOCKER_SCHEMA2, "Config": config, "Layers": [layer]}
    )
    for media_type in (None, DOCKER_SCHEMA2):
        model = parse_manifest(data, media_type)
        assert isinstance(model, DockerSchema2)
        assert model.config == Descriptor(DOCKER_CONFIG, D_CONFIG["digest"], 3)
        assert model.layers == (Descriptor(DOCKER_LAYER, D_LAYER["digest"], 5),)


def test_long_s_and_kelvin_sign_fold_into_ascii_field_names() -> None:
    """U+017F folds to s and U+212A to k, so "ſize" is size and "\u212aey" would be key."""
    platform = {"o\u017f": "linux", "architecture": "amd64"}
    child = {"mediaType": OCI_MANIFEST, "digest": D_CHILD["digest"], "\u017fize": 9}
    data = dumps({"\u017fchemaVersion": 2, "manifests": [{**child, "platform": platform}]})
    model = parse_manifest(data, OCI_INDEX)
    assert isinstance(model, OCIIndex)
    assert model.manifests[0].size == 9
    assert model.platforms() == (Platform("linux", "amd64"),)


def test_dotless_and_dotted_i_do_not_fold_to_i() -> None:
    """U+0131 and U+0130 are outside i's fold orbit in Go, so "archıtecture" is unknown."""
    platform = {"os": "linux", "arch\u0131tecture": "amd64", "arch\u0130tecture": "arm"}
    data = dumps(oci_index(manifests=[{**D_CHILD, "platform": platform}]))
    model = parse_manifest(data, OCI_INDEX)
    assert isinstance(model, OCIIndex)
    assert model.platforms() == (Platform("linux", ""),)


def test_null_leaves_scalars_but_clears_slices() -> None:
    """A later null key keeps an earlier string but resets an earlier array, as in Go."""
    text = (
        f'{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","MediaType":null,'
        f'"config":{json.dumps(D_CONFIG)},"layers":[{json.dumps(D_LAYER)}],"Layers":null}}'
    )
    model = parse_manifest(text.encode(), OCI_MANIFEST)
    assert isinstance(model, OCIManifest)
    assert model.declared_media_type == OCI_MANIFEST
    assert model.layers == ()


def test_duplicate_keys_last_one_wins() -> None:
    """With the same key twice, the second value is the one used (moby's extra_data case)."""
    text = (
        f'{{"schemaVersion":2,"mediaType":"{OCI_INDEX}",'
        f'"manifests":[],"manifests":[{json.dumps(D_CHILD)}]}}'
    )
    model = parse_manifest(text.encode())
    assert isinstance(model, OCIIndex)
    assert len(model.manifests) == 1


# -- the models' contents ---------------------------------------------------------------------


def test_oci_manifest_exposes_artifact_type_subject_and_annotations() -> None:
    """artifactType, subject and annotations land on the model; subject is not a descriptor."""
    subject = {"mediaType": OCI_MANIFEST, "digest": D_CHILD["digest"], "size": 7}
    data = dumps(
        oci_manifest(
            artifactType="application/vnd.example.sbom",
            subject=subject,
            annotations={"org.opencontainers.image.created": "2024-01-01T00:00:00Z"},
        )
    )
    model = parse_manifest(data)
    assert isinstance(model, OCIManifest)
    assert model.artifact_type == "application/vnd.example.sbom"
    assert model.subject == Descriptor.from_dict(subject)
    assert model.subject not in model.descriptors()
    assert model.descriptors() == (Descriptor.from_dict(D_CONFIG), Descriptor.from_dict(D_LAYER))
    assert dict(model.annotations) == {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
    assert model.descriptor().annotations == model.annotations


def test_oci_index_exposes_platforms_and_subject() -> None:
    """An index's children keep their platforms; a child without one gives None."""
    bare = {"mediaType": OCI_MANIFEST, "digest": str(Digest.from_bytes(b"x")), "size": 1}
    subject = {"mediaType": OCI_MANIFEST, "digest": D_CHILD["digest"], "size": 7}
    data = dumps(oci_index(manifests=[D_CHILD, bare], subject=subject, artifactType="a/b"))
    model = parse_manifest(data)
    assert isinstance(model, OCIIndex)
    assert model.platforms() == (Platform("linux", "arm64", "v8"), None)
    assert model.subject == Descriptor.from_dict(subject)
    assert model.artifact_type == "a/b"
    assert len(model.descriptors()) == 2


def test_unsigned_schema1_fields() -> None:
    """An unsigned schema1 parses with its fields, digest over its exact bytes."""
    top, base = Digest.from_bytes(b"top"), Digest.from_bytes(b"base")
    data = dumps(
        {
            "schemaVersion": 1,
            "name": "library/hello",
            "tag": "1.0",
            "architecture": "arm64",
            "fsLayers": [{"blobSum": str(top)}, {"blobSum": str(base)}],
            "history": [{"v1Compatibility": "{}"}, None],
        }
    )
    model = parse_manifest(data)
    assert isinstance(model, DockerSchema1)
    assert (model.name, model.tag, model.architecture) == ("library/hello", "1.0", "arm64")
    assert model.fs_layers == (top, base)
    assert model.history == ("{}", "")
    assert (model.signed, model.signatures, model.media_type) == (False, 0, DOCKER_SCHEMA1)
    assert model.digest == Digest.from_bytes(data)


def test_both_schema1_media_types_select_the_schema1_parser() -> None:
    """v1+json (what moby's detector says) and v1+prettyjws both parse a schema1 body."""
    data = dumps({"schemaVersion": 1, "fsLayers": []})
    for media_type in (DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED):
        assert isinstance(parse_manifest(data, media_type), DockerSchema1)


@pytest.mark.parametrize("env", [None, "", "1"])
def test_parsing_ignores_the_schema1_pull_gate(
    monkeypatch: pytest.MonkeyPatch, env: str | None
) -> None:
    """Detection inside parse_manifest runs with the gate open, whatever the environment."""
    if env is None:
        monkeypatch.delenv("DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE", raising=False)
    else:
        monkeypatch.setenv("DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE", env)
    data = dumps({"schemaVersion": 1, "name": "library/old", "fsLayers": []})
    model = parse_manifest(data)
    assert isinstance(model, DockerSchema1)
    assert model.name == "library/old"


# -- media types ------------------------------------------------------------------------------


def test_unknown_media_types_are_unsupported() -> None:
    """A type no parser knows raises UnsupportedMediaType carrying the type."""
    for media_type in ("application/vnd.oci.artifact.manifest.v1+json", "image/png"):
        with pytest.raises(UnsupportedMediaType) as info:
            parse_manifest(dumps(oci_manifest()), media_type)
        assert info.value.media_type == media_type


def test_detected_but_unparseable_types_are_unsupported() -> None:
    """A body whose own mediaType is foreign is detected as that type, then unsupported."""
    data = dumps({"schemaVersion": 2, "mediaType": "application/vnd.example+json"})
    with pytest.raises(UnsupportedMediaType):
        parse_manifest(data)


@pytest.mark.parametrize(
    "header",
    [
        f"{OCI_MANIFEST}; charset=utf-8",
        f"  {OCI_MANIFEST.upper()}  ",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/octet-stream",
        "",
    ],
)
def test_content_type_values_are_normalised_or_sniffed(header: str) -> None:
    """Parameters and case are ignored; generic types fall back to detection."""
    assert isinstance(parse_manifest(dumps(oci_manifest()), header), OCIManifest)


def test_normalize_media_type() -> None:
    """Content-Type values reduce to the bare lower-case type; None to empty."""
    assert normalize_media_type(None) == ""
    assert normalize_media_type(f"{DOCKER_SCHEMA2.upper()} ; q=1") == DOCKER_SCHEMA2
    with pytest.raises(InvalidArgument):
        normalize_media_type(5)  # type: ignore[arg-type]


# -- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"{", b"\xef\xbb\xbf{}", b"{} x", b"{,}", b"{'a':1}", b"NaN", b"\x1f\x8b\x08\x00"],
)
@pytest.mark.parametrize("media_type", [None, OCI_MANIFEST, DOCKER_SCHEMA1])
def test_broken_json_is_invalid_json(data: bytes, media_type: str | None) -> None:
    """Bytes Go would not decode are InvalidJSON whatever the media type."""
    with pytest.raises(InvalidJSON):
        parse_manifest(data, media_type)


def test_invalid_utf8_and_lone_surrogates_decode_to_replacement_characters() -> None:
    """Go accepts both inside strings and reads U+FFFD; so do we, byte by byte."""
    # a: two bytes that are not UTF-8; b: an unpaired high surrogate escape; c: an escaped
    # backslash followed by the letters "ud800", which must stay as they are.
    annotations = rb'{"a":"\xff\xfe","b":"\ud800 ok","c":"\\ud800"}'.replace(
        rb"\xff\xfe", b"\xff\xfe"
    )
    data = dumps(oci_manifest(annotations="ANN")).replace(b'"ANN"', annotations)
    model = parse_manifest(data)
    assert isinstance(model, OCIManifest)
    assert model.annotations["a"] == "\ufffd\ufffd"
    assert model.annotations["b"] == "\ufffd ok"
    assert model.annotations["c"] == "\\ud800"


@pytest.mark.parametrize("depth", [2000, 9000, 20000, 200000])
@pytest.mark.parametrize("media_type", [None, OCI_MANIFEST, DOCKER_SCHEMA1_SIGNED])
def test_deep_nesting_never_raises_recursion_error(depth: int, media_type: str | None) -> None:
    """Nesting beyond orjson's 1024 levels is InvalidJSON (Go allows 10000; see _decode)."""
    body = dumps(oci_manifest(x=None)).replace(b"null", b"[" * depth + b"]" * depth)
    with pytest.raises(InvalidJSON):
        parse_manifest(body, media_type)


def test_non_bytes_input_is_invalid_argument() -> None:
    """parse_manifest takes bytes; a str is refused with InvalidArgument."""
    with pytest.raises(InvalidArgument):
        parse_manifest("{}")  # type: ignore[arg-type]
    model = parse_manifest(bytearray(dumps(oci_manifest())))
    assert isinstance(model.raw, bytes)


def test_module_exports_are_sorted_and_complete() -> None:
    """__all__ is sorted and __dir__ returns it."""
    assert parse.__all__ == sorted(parse.__all__)
    assert dir(parse) == sorted(parse.__all__)


# -- properties -------------------------------------------------------------------------------

MEDIA_TYPES = st.sampled_from([None, *sorted(PARSEABLE_MEDIA_TYPES), "application/x-unknown"])
PARSED_FIXTURES = [row for row in ROWS if row.file not in REFUSED]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "schemaVersion",
                    "mediaType",
                    "config",
                    "layers",
                    "manifests",
                    "fsLayers",
                    "signatures",
                    "digest",
                    "size",
                    "platform",
                    "subject",
                    "annotations",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


def _only_mstoolkit_errors(data: bytes, media_type: str | None) -> None:
    # _outcome lets any other exception escape, which fails the test with its traceback.
    assert isinstance(_outcome(data, media_type), Manifest | MstoolkitError)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=512), media_type=MEDIA_TYPES)
def test_arbitrary_bytes_raise_only_mstoolkit_errors(data: bytes, media_type: str | None) -> None:
    """No byte string makes parse_manifest raise anything but an MstoolkitError."""
    _only_mstoolkit_errors(data, media_type)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, media_type=MEDIA_TYPES)
def test_arbitrary_json_raises_only_mstoolkit_errors(value: Any, media_type: str | None) -> None:
    """No JSON document, however shaped, makes parse_manifest raise anything else."""
    _only_mstoolkit_errors(json.dumps(value).encode(), media_type)


def _replace_somewhere(document: Any, value: Any, rng: random.Random) -> Any:
    """*document* with one randomly chosen node (possibly the root) replaced by *value*."""
    if rng.random() < 0.25 or not isinstance(document, dict | list) or not document:
        return value
    if isinstance(document, dict):
        key = rng.choice(sorted(document))
        return {**document, key: _replace_somewhere(document[key], value, rng)}
    index = rng.randrange(len(document))
    return [
        *document[:index],
        _replace_somewhere(document[index], value, rng),
        *document[index + 1 :],
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.sampled_from(PARSED_FIXTURES),
    value=JSON_VALUES,
    seed=st.integers(0, 2**32 - 1),
    media_type=MEDIA_TYPES,
)
def test_mutated_fixture_documents_raise_only_mstoolkit_errors(
    row: ExpectedRow, value: Any, seed: int, media_type: str | None
) -> None:
    """Real manifests with one node swapped for arbitrary JSON still fail cleanly."""
    document = json.loads(row.read())
    mutated = _replace_somewhere(document, value, random.Random(seed))
    _only_mstoolkit_errors(json.dumps(mutated).encode(), media_type)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.sampled_from(PARSED_FIXTURES),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(-1, 255)), min_size=1, max_size=4),
    media_type=MEDIA_TYPES,
)
def test_mutated_fixture_bytes_raise_only_mstoolkit_errors(
    row: ExpectedRow, edits: list[tuple[float, int]], media_type: str | None
) -> None:
    """Real manifests with bytes deleted or overwritten still fail cleanly (or still parse)."""
    data = bytearray(row.read())
    for where, byte in edits:
        if not data:
            break
        index = min(int(where * len(data)), len(data) - 1)
        if byte < 0:
            del data[index]
        else:
            data[index] = byte
    _only_mstoolkit_errors(bytes(data), media_type)
