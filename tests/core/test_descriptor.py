"""Descriptor and Platform value types."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstoolkit import Descriptor, Digest, InvalidArgument, MstoolkitError, Platform

DIGEST = Digest.from_bytes(b"layer")


def test_descriptor_round_trips_through_json_form() -> None:
    """from_dict(to_dict()) is the identity, camelCase keys and all."""
    desc = Descriptor(
        "application/vnd.oci.image.manifest.v1+json",
        DIGEST,
        42,
        annotations={"org.opencontainers.image.ref.name": "1.0"},
        platform=Platform("linux", "arm64", "v8"),
        artifact_type="application/vnd.example",
        urls=["https://example.invalid/blob"],
    )
    obj = desc.to_dict()
    assert obj["mediaType"] == desc.media_type
    assert obj["artifactType"] == "application/vnd.example"
    assert obj["platform"] == {"architecture": "arm64", "os": "linux", "variant": "v8"}
    assert Descriptor.from_dict(obj) == desc


def test_descriptor_accepts_digest_string() -> None:
    """A digest string is parsed into a Digest."""
    assert Descriptor("x", str(DIGEST), 1).digest == DIGEST


def test_descriptor_is_frozen_and_its_annotations_read_only() -> None:
    """Nobody can mutate a descriptor that a manifest handed out."""
    desc = Descriptor("x", DIGEST, 1, annotations={"a": "b"})
    with pytest.raises(AttributeError):
        desc.size = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        desc.annotations["a"] = "c"  # type: ignore[index]


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        {},
        {"digest": "sha256:abc"},
        {"digest": str(DIGEST), "size": "1"},
        {"digest": str(DIGEST), "size": True},
        {"digest": str(DIGEST), "mediaType": 5},
        {"digest": str(DIGEST), "annotations": {"a": 1}},
        {"digest": str(DIGEST), "urls": "x"},
        {"digest": str(DIGEST), "platform": "linux/amd64"},
        {"digest": 7},
    ],
)
def test_from_dict_refuses_malformed_descriptors(obj: object) -> None:
    """Malformed JSON descriptors raise InvalidArgument, never KeyError or TypeError."""
    with pytest.raises(InvalidArgument):
        Descriptor.from_dict(obj)


def test_platform_parse_and_match() -> None:
    """os/arch[/variant] parses; an empty requested variant matches any variant."""
    arm = Platform.from_dict({"os": "linux", "architecture": "arm", "variant": "v7"})
    assert str(arm) == "linux/arm/v7"
    assert arm.matches(Platform.parse("linux/arm"))
    assert arm.matches(Platform.parse("linux/arm/v7"))
    assert not arm.matches(Platform.parse("linux/arm/v6"))
    with pytest.raises(InvalidArgument):
        Platform.parse("linux")


def test_windows_platform_keeps_os_version() -> None:
    """os.version and os.features survive the JSON round trip (Windows manifest lists)."""
    obj = {"os": "windows", "architecture": "amd64", "os.version": "10.0.17763.1"}
    assert Platform.from_dict(obj).to_dict() == obj


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from(["mediaType", "digest", "size", "platform", "urls",
                                         "annotations", "artifactType"]), json_values))
def test_from_dict_never_raises_outside_the_hierarchy(obj: dict[str, object]) -> None:
    """Arbitrary JSON objects either build a descriptor or raise an MstoolkitError."""
    with contextlib.suppress(MstoolkitError):
        Descriptor.from_dict(obj)
