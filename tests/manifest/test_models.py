"""The manifest model types: what they expose, how they compare, and that they stay frozen."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import Digest
from mstoolkit.manifest import models
from mstoolkit.manifest.models import (
    DOCKER_SCHEMA1_LAYER,
    DockerManifestList,
    DockerSchema1,
    DockerSchema2,
    Manifest,
    OCIIndex,
    OCIManifest,
)
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

RAW = b'{"schemaVersion":2}'
CONFIG = Descriptor(OCI_CONFIG, Digest.from_bytes(b"config"), 10)
LAYERS = (
    Descriptor(OCI_LAYER_GZIP, Digest.from_bytes(b"base"), 100),
    Descriptor(OCI_LAYER_GZIP, Digest.from_bytes(b"top"), 20),
)
SUBJECT = Descriptor(OCI_MANIFEST, Digest.from_bytes(b"subject"), 500)
AMD64 = Descriptor(
    OCI_MANIFEST, Digest.from_bytes(b"amd64"), 7, platform=Platform("linux", "amd64")
)
NOPLAT = Descriptor(OCI_MANIFEST, Digest.from_bytes(b"attestation"), 8)


def oci_manifest(raw: bytes = RAW, **kwargs: object) -> OCIManifest:
    fields: dict[str, object] = {
        "raw": raw,
        "digest": Digest.from_bytes(raw),
        "schema_version": 2,
        "declared_media_type": OCI_MANIFEST,
        "config": CONFIG,
        "layers": LAYERS,
    }
    fields.update(kwargs)
    return OCIManifest(**fields)  # type: ignore[arg-type]


def oci_index(raw: bytes = RAW, **kwargs: object) -> OCIIndex:
    fields: dict[str, object] = {
        "raw": raw,
        "digest": Digest.from_bytes(raw),
        "schema_version": 2,
        "declared_media_type": "",
        "manifests": (AMD64, NOPLAT),
    }
    fields.update(kwargs)
    return OCIIndex(**fields)  # type: ignore[arg-type]


def schema1(*, signed: bool = True) -> DockerSchema1:
    payload = b'{"schemaVersion":1}'
    raw = payload[:-1] + b',"signatures":[]}' if signed else payload
    newest, oldest = Digest.from_bytes(b"newest"), Digest.from_bytes(b"oldest")
    return DockerSchema1(
        raw=raw,
        digest=Digest.from_bytes(payload),
        canonical_payload=payload,
        signed=signed,
        signatures=1 if signed else 0,
        schema_version=1,
        name="library/hello",
        tag="latest",
        architecture="amd64",
        fs_layers=(newest, oldest, newest),
        history=("{}", "{}", "{}"),
    )


def every_model() -> list[Manifest]:
    return [
        schema1(),
        DockerSchema2(RAW, Digest.from_bytes(RAW), 2, CONFIG, LAYERS),
        oci_manifest(),
        DockerManifestList(RAW, Digest.from_bytes(RAW), 2, (AMD64,)),
        oci_index(),
    ]


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_every_model_satisfies_the_manifest_protocol(model: Manifest) -> None:
    """All five models are Manifests at runtime, with the protocol's members."""
    assert isinstance(model, Manifest)
    assert isinstance(model.raw, bytes)
    assert isinstance(model.digest, Digest)
    assert model.media_type
    assert isinstance(model.annotations, MappingProxyType)
    assert all(isinstance(d, Descriptor) for d in model.descriptors())


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_models_are_frozen(model: Manifest) -> None:
    """No attribute of a parsed manifest can be reassigned or added."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.raw = b"{}"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        model.extra = 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", every_model(), ids=lambda m: type(m).__name__)
def test_descriptor_points_at_the_manifest(model: Manifest) -> None:
    """descriptor() is (media type, digest, size of the digested bytes)."""
    desc = model.descriptor()
    assert (desc.media_type, desc.digest, desc.size) == (
        model.media_type,
        model.digest,
        model.size,
    )


def test_media_types_are_the_registered_ones() -> None:
    """Each model reports the media type distribution registers for its format."""
    assert [m.media_type for m in every_model()] == [
        DOCKER_SCHEMA1_SIGNED,
        DOCKER_SCHEMA2,
        OCI_MANIFEST,
        DOCKER_MANIFEST_LIST,
        OCI_INDEX,
    ]
    assert schema1(signed=False).media_type == DOCKER_SCHEMA1


def test_oci_manifest_media_type_does_not_depend_on_the_declared_one() -> None:
    """An OCI manifest without mediaType in its body is still an OCI manifest."""
    model = oci_manifest(declared_media_type="")
    assert model.media_type == OCI_MANIFEST
    assert model.declared_media_type == ""


def test_image_descriptors_are_config_then_layers_without_subject() -> None:
    """descriptors() of an image lists config first, then the layers, never the subject."""
    model = oci_manifest(subject=SUBJECT, artifact_type="application/vnd.example")
    assert model.descriptors() == (CONFIG, *LAYERS)
    assert model.subject == SUBJECT
    assert SUBJECT not in model.descriptors()
    schema2 = DockerSchema2(RAW, Digest.from_bytes(RAW), 2, CONFIG, LAYERS)
    assert schema2.descriptors() == (CONFIG, *LAYERS)
    assert (schema2.subject, schema2.artifact_type) == (None, "")


def test_index_descriptors_are_its_children_and_platforms_follow_them() -> None:
    """descriptors() of an index is its manifests; platforms() gives None where absent."""
    model = oci_index(subject=SUBJECT)
    assert model.descriptors() == (AMD64, NOPLAT)
    assert model.platforms() == (Platform("linux", "amd64"), None)
    docker = DockerManifestList(RAW, Digest.from_bytes(RAW), 2, (AMD64,))
    assert docker.platforms() == (Platform("linux", "amd64"),)
    assert docker.annotations == {}


def test_schema1_layers_keep_manifest_order_and_distribution_media_type() -> None:
    """fsLayers become layer descriptors newest first, duplicates kept, size unknown."""
    model = schema1()
    layers = model.descriptors()
    assert [d.digest for d in layers] == list(model.fs_layers)
    assert {d.media_type for d in layers} == {DOCKER_SCHEMA1_LAYER}
    assert {d.size for d in layers} == {-1}
    assert model.layers == layers


def test_schema1_size_and_digest_cover_the_canonical_payload() -> None:
    """A signed schema1's size is the payload's length, not the signed body's."""
    model = schema1()
    assert model.size == len(model.canonical_payload) < len(model.raw)
    assert model.digest == Digest.from_bytes(model.canonical_payload)


def test_oci_annotations_are_read_only() -> None:
    """Annotations handed out by a model cannot be changed through it."""
    model = oci_manifest(annotations=MappingProxyType({"a": "b"}))
    with pytest.raises(TypeError):
        model.annotations["a"] = "c"  # type: ignore[index]


def test_equality_is_by_type_and_raw_bytes() -> None:
    """Two models are equal when they are the same format over the same bytes."""
    assert oci_manifest() == oci_manifest()
    assert oci_manifest() != oci_manifest(raw=b'{"schemaVersion": 2}')
    assert oci_manifest() != oci_index()
    assert len({oci_manifest(), oci_manifest(), oci_index()}) == 2


def test_resigned_schema1_bodies_differ_but_hash_alike() -> None:
    """Two signings of one payload are different bodies with one digest."""
    first = schema1()
    second = dataclasses.replace(first, raw=first.raw.replace(b"[]", b"[ ]"))
    assert first != second
    assert hash(first) == hash(second)
    assert first.digest == second.digest


def test_repr_leaves_out_the_raw_bytes() -> None:
    """A model's repr stays short: no raw body, no payload."""
    text = repr(oci_manifest(raw=b"{" + b" " * 5000 + b"}"))
    assert "OCIManifest(" in text
    assert len(text) < 1000


def test_module_exports_are_sorted_and_complete() -> None:
    """__all__ is sorted and __dir__ returns it."""
    assert models.__all__ == sorted(models.__all__)
    assert dir(models) == sorted(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name)


def test_docker_types_have_docker_media_types_in_their_descriptors() -> None:
    """A schema2 model keeps its descriptors' own media types untouched."""
    config = Descriptor(DOCKER_CONFIG, Digest.from_bytes(b"c"), 1)
    layer = Descriptor(DOCKER_LAYER, Digest.from_bytes(b"l"), 2)
    model = DockerSchema2(RAW, Digest.from_bytes(RAW), 2, config, (layer,))
    assert [d.media_type for d in model.descriptors()] == [DOCKER_CONFIG, DOCKER_LAYER]
