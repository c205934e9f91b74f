"""mstoolkit.labels against the seed's Go helpers and containerd's MakeRefKey and label limit."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstoolkit import Descriptor, ResourceExhausted
from mstoolkit.labels import (
    ANNOTATION_REF_NAME,
    LABEL_DISTRIBUTION_SOURCE,
    MAX_LABEL_BYTES,
    append_distribution_source,
    append_distribution_source_bounded,
    distribution_source_label,
    has_distribution_source,
    label_fits,
    make_ref_key,
    validate_label,
)
from mstoolkit.reference import parse_reference

DIGEST = "sha256:" + "c" * 64


def seed_append(origin_label: str, repo: str) -> str:
    """A literal port of the seed's appendDistributionSourceLabel loop (the test's oracle)."""
    repos: list[str] = []
    if origin_label != "":
        repos = origin_label.split(",")
    repos.append(repo)
    # use empty string to present duplicate items
    for i in range(1, len(repos)):
        tmp, j = repos[i], i - 1
        while j >= 0 and repos[j] >= tmp:
            if repos[j] == tmp:
                tmp = ""
            repos[j + 1] = repos[j]
            j -= 1
        repos[j + 1] = tmp
    i = 0
    while i < len(repos) and repos[i] == "":
        i += 1
    return ",".join(repos[i:])


def seed_has(label: str, repo: str) -> bool:
    """A literal port of the seed's hasDistributionSource."""
    return any(s == repo for s in label.split(","))


# Repository-like entries plus the awkward ones: empty, commas, non-ASCII, astral, prefixes.
_ENTRY = st.one_of(
    st.sampled_from(["", "library/ubuntu", "library/ubunt", "user/app", "a", "b", "A", "é", "𝔸"]),
    st.text(alphabet=st.sampled_from(list("ab/_.-Z,é𝔸")), max_size=8),
    st.text(max_size=6),
)
_LABEL = st.lists(_ENTRY, max_size=12).map(",".join)


@settings(max_examples=1000, deadline=None)
@given(_LABEL, _ENTRY)
def test_append_equals_the_seed_insertion_sort(origin: str, repo: str) -> None:
    """For any label and repo (commas, empties, duplicates, any Unicode) the result is the
    seed's loop's result."""
    assert append_distribution_source(origin, repo) == seed_append(origin, repo)


@settings(max_examples=500, deadline=None)
@given(_LABEL, _ENTRY)
def test_has_equals_the_seed(label: str, repo: str) -> None:
    """has_distribution_source is the seed's hasDistributionSource on any input."""
    assert has_distribution_source(label, repo) == seed_has(label, repo)


@settings(max_examples=300, deadline=None)
@given(_LABEL, st.text(alphabet=st.sampled_from(list("ab/_.-")), min_size=1, max_size=8))
def test_append_then_has(origin: str, repo: str) -> None:
    """After appending a comma-free repo it is found, and appending it again changes nothing."""
    once = append_distribution_source(origin, repo)
    assert has_distribution_source(once, repo)
    assert append_distribution_source(once, repo) == once


@pytest.mark.parametrize(
    ("origin", "repo", "expected"),
    [
        ("", "library/ubuntu", "library/ubuntu"),
        ("library/ubuntu", "library/ubuntu", "library/ubuntu"),
        ("user/b,user/a", "user/c", "user/a,user/b,user/c"),
        ("x,,y,", "", "x,y"),
        ("", "", ""),
        ("b,a,b", "a", "a,b"),
        ("Z,a", "_", "Z,_,a"),  # bytewise order: uppercase < underscore < lowercase
    ],
)
def test_append_examples(origin: str, repo: str, expected: str) -> None:
    """Sorted bytewise, de-duplicated, empty entries dropped."""
    assert append_distribution_source(origin, repo) == expected == seed_append(origin, repo)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("ubuntu", f"{LABEL_DISTRIBUTION_SOURCE}.docker.io", "library/ubuntu"),
        ("index.docker.io/user/app", f"{LABEL_DISTRIBUTION_SOURCE}.docker.io", "user/app"),
        ("localhost:5000/x/y:1", f"{LABEL_DISTRIBUTION_SOURCE}.localhost:5000", "x/y"),
        ("[::1]:5000/app", f"{LABEL_DISTRIBUTION_SOURCE}.[::1]:5000", "app"),
        ("Foo/bar", f"{LABEL_DISTRIBUTION_SOURCE}.Foo", "bar"),
        ("a_b.c/x", f"{LABEL_DISTRIBUTION_SOURCE}.docker.io", "a_b.c/x"),  # empty domain
        (f"ghcr.io/o/r@{DIGEST}", f"{LABEL_DISTRIBUTION_SOURCE}.ghcr.io", "o/r"),
    ],
)
def test_distribution_source_label(text: str, key: str, value: str) -> None:
    """moby's key keeps the domain verbatim (port included); an empty domain is docker.io."""
    assert distribution_source_label(parse_reference(text)) == (key, value)
    assert distribution_source_label(text) == (key, value)


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("application/vnd.docker.distribution.manifest.v2+json", "manifest-"),
        ("application/vnd.oci.image.manifest.v1+json", "manifest-"),
        ("application/vnd.docker.distribution.manifest.list.v2+json", "index-"),
        ("application/vnd.oci.image.index.v1+json", "index-"),
        ("application/vnd.docker.image.rootfs.diff.tar", "layer-"),
        ("application/vnd.docker.image.rootfs.diff.tar.gzip", "layer-"),
        ("application/vnd.docker.image.rootfs.diff.tar.gzip+encrypted", "layer-"),
        ("application/vnd.docker.image.rootfs.foreign.diff.tar", "layer-"),
        ("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "layer-"),
        ("application/vnd.oci.image.layer.v1.tar", "layer-"),
        ("application/vnd.oci.image.layer.v1.tar+gzip", "layer-"),
        ("application/vnd.oci.image.layer.v1.tar+zstd", "layer-"),
        ("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "layer-"),
        ("application/vnd.oci.image.layer.v1.tar+gzip+encrypted", "layer-"),
        ("application/vnd.docker.container.image.v1+json", "config-"),
        ("application/vnd.oci.image.config.v1+json", "config-"),
        ("application/vnd.containerd.container.criu.checkpoint.criu.tar", "config-"),
        ("application/vnd.containerd.container.checkpoint.config.v1+proto", "config-"),
        # containerd 1.7 has no attestation case: in-toto blobs fall to the default
        ("application/vnd.in-toto+json", "unknown-"),
        # exact matches only for manifests and indexes: no suffix stripping there
        ("application/vnd.oci.image.manifest.v1+json+encrypted", "unknown-"),
        ("application/vnd.docker.distribution.manifest.v1+prettyjws", "unknown-"),
        ("application/vnd.oci.empty.v1+json", "unknown-"),
        ("application/vnd.docker.image.rootfs.diff.tar.zstd", "unknown-"),
        ("", "unknown-"),
    ],
)
def test_make_ref_key_prefixes(media_type: str, expected: str) -> None:
    """containerd's MakeRefKey switch: the prefix for each media type, then the digest."""
    assert make_ref_key(Descriptor(media_type, DIGEST, 1)) == expected + DIGEST


def test_make_ref_key_uses_the_ref_name_annotation() -> None:
    """With org.opencontainers.image.ref.name the key is <name>@<digest> (even when empty)."""
    mt = "application/vnd.oci.image.index.v1+json"
    named = Descriptor(mt, DIGEST, 1, annotations={ANNOTATION_REF_NAME: "v1.0"})
    assert make_ref_key(named) == f"index-v1.0@{DIGEST}"
    empty = Descriptor(mt, DIGEST, 1, annotations={ANNOTATION_REF_NAME: ""})
    assert make_ref_key(empty) == f"index-@{DIGEST}"
    other = Descriptor(mt, DIGEST, 1, annotations={"org.example": "x"})
    assert make_ref_key(other) == f"index-{DIGEST}"


def test_make_ref_key_custom_prefixes() -> None:
    """A media type with a custom prefix (WithMediaTypeKeyPrefix) uses it; an empty one doesn't."""
    desc = Descriptor("application/vnd.example+json", DIGEST, 1)
    assert make_ref_key(desc, prefixes={desc.media_type: "custom"}) == f"custom-{DIGEST}"
    assert make_ref_key(desc, prefixes={desc.media_type: ""}) == f"unknown-{DIGEST}"
    layer = Descriptor("application/vnd.oci.image.layer.v1.tar", DIGEST, 1)
    assert make_ref_key(layer, prefixes={desc.media_type: "custom"}) == f"layer-{DIGEST}"


def test_label_fits_counts_utf8_bytes() -> None:
    """The limit is on bytes: 4096 fit, 4097 do not, and é counts twice."""
    key = f"{LABEL_DISTRIBUTION_SOURCE}.docker.io"
    room = MAX_LABEL_BYTES - len(key)
    assert label_fits(key, "a" * room)
    assert not label_fits(key, "a" * (room + 1))
    assert label_fits(key, "é" * (room // 2))
    assert not label_fits(key, "é" * (room // 2 + 1))


def test_validate_label_message_is_containerd_s() -> None:
    """An oversize label raises ResourceExhausted with containerd's text, key cut to 64 bytes."""
    key = f"{LABEL_DISTRIBUTION_SOURCE}.os-harbor-svc.default.svc.cloud"
    value = "x" * (MAX_LABEL_BYTES - len(key) + 2)
    validate_label(key, value[:-2])
    with pytest.raises(ResourceExhausted) as info:
        validate_label(key, value)
    assert str(info.value) == (
        "label key and value length (4098 bytes) greater than maximum size (4096 bytes), "
        "key: containerd.io/distribution.source.os-harbor-svc.default.svc.clou: invalid argument"
    )


def test_bounded_append_keeps_the_label_when_full(caplog: pytest.LogCaptureFixture) -> None:
    """containerd#12107: once the source list is full a new repo is not recorded, the label
    keeps its value, the caller is told, and a warning is logged."""
    key = f"{LABEL_DISTRIBUTION_SOURCE}.os-harbor-svc.default.svc.cloud"
    origin = ""
    n = 0
    while True:
        value, recorded = append_distribution_source_bounded(origin, f"ci/build-{n:05d}", key)
        if not recorded:
            break
        origin, n = value, n + 1
    assert value == origin
    assert label_fits(key, origin)
    assert not label_fits(key, append_distribution_source(origin, f"ci/build-{n:05d}"))
    assert "skip to append distribution label: label key and value length (" in caplog.text
    assert caplog.records[-1].levelno == logging.WARNING
    # a repository already listed counts as recorded, full or not
    assert append_distribution_source_bounded(origin, "ci/build-00000", key) == (origin, True)


@settings(max_examples=300, deadline=None)
@given(_LABEL, _ENTRY, st.integers(min_value=0, max_value=MAX_LABEL_BYTES))
def test_bounded_append_never_breaks_the_limit(origin: str, repo: str, pad: int) -> None:
    """A label that fits keeps fitting, and the flag says whether repo is in the result."""
    key = "k" * pad
    if not label_fits(key, origin):
        return
    value, recorded = append_distribution_source_bounded(origin, repo, key)
    appended = append_distribution_source(origin, repo)
    assert label_fits(key, value)
    if recorded:
        assert value == appended or (value == origin and has_distribution_source(origin, repo))
    else:
        assert value == origin
        assert not label_fits(key, appended)
        assert not has_distribution_source(origin, repo)
