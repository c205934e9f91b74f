"""Content-store labels and ingest keys as moby and containerd spell them.

The manifest store records *where* a blob was seen in one label per registry,
``containerd.io/distribution.source.<domain>``, whose value is a sorted, de-duplicated,
comma-joined list of repository paths. The seed's ``getLocal`` refuses to serve a
digest-pinned manifest from the cache for a repository that is not in that list until the
registry confirms it, so the helpers here must agree with moby's to the byte: a label that
sorts or splits differently would either leak a manifest to a repository that never had it or
send needless requests.

containerd refuses any label whose key and value together exceed 4096 bytes
(``labels.Validate``). A blob shared by hundreds of repositories, a popular base layer for
instance, can grow its source list past that (containerd#12107); containerd then skips the
append and warns. :func:`append_distribution_source_bounded` makes that policy explicit: the
label keeps its previous value, the caller learns that the repository was not recorded, and the
store stays consistent. The cost is the one containerd pays: later digest-pinned pulls from
the unrecorded repository ask the registry again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from mstoolkit.descriptor import Descriptor
from mstoolkit.errors import ResourceExhausted
from mstoolkit.mediatypes import (
    DOCKER_CONFIG,
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA2,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
)
from mstoolkit.reference import DEFAULT_DOMAIN, Reference, parse_reference

__all__ = [
    "ANNOTATION_REF_NAME",
    "LABEL_DISTRIBUTION_SOURCE",
    "MAX_LABEL_BYTES",
    "append_distribution_source",
    "append_distribution_source_bounded",
    "distribution_source_label",
    "has_distribution_source",
    "label_fits",
    "make_ref_key",
    "validate_label",
]

_log = logging.getLogger(__name__)

#: The label prefix moby and containerd use to record a blob's source repositories.
LABEL_DISTRIBUTION_SOURCE: Final = "containerd.io/distribution.source"
#: containerd's limit on ``len(key) + len(value)`` of one label, in UTF-8 bytes.
MAX_LABEL_BYTES: Final = 4096
#: The OCI annotation that, when present, names an ingest key (``name@digest``).
ANNOTATION_REF_NAME: Final = "org.opencontainers.image.ref.name"

# How much of an oversize label's key containerd quotes in its error (labels.keyMaxLen).
_KEY_QUOTED_BYTES: Final = 64

# containerd 1.7 images package: the media types behind IsLayerType and IsKnownConfig, as
# MakeRefKey uses them.
_OCI_LAYER_PREFIX: Final = "application/vnd.oci.image.layer."
_DOCKER_LAYER_BASES: Final = frozenset(
    {
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    }
)
_KNOWN_CONFIGS: Final = frozenset(
    {
        DOCKER_CONFIG,
        OCI_CONFIG,
        "application/vnd.containerd.container.criu.checkpoint.criu.tar",
        "application/vnd.containerd.container.checkpoint.config.v1+proto",
    }
)
_MANIFESTS: Final = frozenset({DOCKER_SCHEMA2, OCI_MANIFEST})
_INDEXES: Final = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})


def distribution_source_label(ref: Reference | str) -> tuple[str, str]:
    """moby's ``makeDistributionSourceLabel``: ``(containerd.io/distribution.source.<domain>,
    <path>)``.

    The key keeps the port (``...source.localhost:5000``) because moby builds it from the
    reference's domain verbatim; an empty domain (a name the grammar found no domain in)
    counts as ``docker.io``. A string is parsed with :func:`parse_reference` first.
    """
    if isinstance(ref, str):
        ref = parse_reference(ref)
    domain = ref.domain or DEFAULT_DOMAIN
    return f"{LABEL_DISTRIBUTION_SOURCE}.{domain}", ref.path


def append_distribution_source(origin: str, repo: str) -> str:
    """Add *repo* to the comma-separated *origin*: sorted, de-duplicated, empties dropped.

    The seed's insertion sort (taken from containerd's docker handler) amounts to exactly
    this; the tests prove it against a literal port of the Go loop. Go compares strings
    bytewise, Python by code point, and UTF-8 preserves code-point order, so the two sorts
    agree.
    """
    entries = {entry for entry in origin.split(",") if entry}
    if repo:
        entries.add(repo)
    return ",".join(sorted(entries))


def has_distribution_source(label: str, repo: str) -> bool:
    """moby's ``hasDistributionSource``: is *repo* one of the comma-separated entries?"""
    return repo in label.split(",")


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def label_fits(key: str, value: str) -> bool:
    """Whether containerd would accept the label: key and value at most 4096 UTF-8 bytes."""
    return _utf8_len(key) + _utf8_len(value) <= MAX_LABEL_BYTES


def validate_label(key: str, value: str) -> None:
    """containerd's ``labels.Validate``, with its message (key quoted to 64 bytes).

    Raises :class:`ResourceExhausted` (an ``InvalidArgument``, containerd's category).
    """
    total = _utf8_len(key) + _utf8_len(value)
    if total > MAX_LABEL_BYTES:
        quoted = key.encode("utf-8", "surrogatepass")[:_KEY_QUOTED_BYTES]
        raise ResourceExhausted(
            f"label key and value length ({total} bytes) greater than maximum size "
            f"({MAX_LABEL_BYTES} bytes), key: {quoted.decode('utf-8', 'replace')}: "
            "invalid argument"
        )


def append_distribution_source_bounded(origin: str, repo: str, key: str) -> tuple[str, bool]:
    """:func:`append_distribution_source`, unless the result would break the label limit.

    Returns ``(value, recorded)``. Normally *value* is the appended label and ``recorded`` is
    True. When ``key`` plus the appended value would exceed :data:`MAX_LABEL_BYTES`, *value*
    is *origin* unchanged and ``recorded`` is False: containerd's policy ("skip to append
    distribution label", logged as a warning with ``labels.Validate``'s message; see
    containerd#12107), so that the caller can tell its user the repository was left out. A
    repository that *origin* already lists counts as recorded whatever the size.
    """
    value = append_distribution_source(origin, repo)
    try:
        validate_label(key, value)
    except ResourceExhausted as exc:
        if repo and has_distribution_source(origin, repo):
            return origin, True
        _log.warning("skip to append distribution label: %s", exc)
        return origin, False
    return value, True


def _is_layer_type(media_type: str) -> bool:
    if media_type.startswith(_OCI_LAYER_PREFIX):
        return True
    base = media_type.partition("+")[0]
    return base in _DOCKER_LAYER_BASES


def make_ref_key(desc: Descriptor, *, prefixes: Mapping[str, str] | None = None) -> str:
    """containerd's ``remotes.MakeRefKey``: the ingest ref a fetch writes *desc* under.

    ``manifest-``, ``index-``, ``layer-`` (any OCI layer type, Docker layer types with their
    ``+`` suffixes stripped), ``config-`` (image configs and containerd checkpoints) or
    ``unknown-`` (everything else, in-toto attestations included: containerd's switch has
    no attestation case), followed by the digest, or by
    ``<ref.name>@<digest>`` when the descriptor carries the
    ``org.opencontainers.image.ref.name`` annotation. *prefixes* maps media types to custom
    prefixes, as containerd's ``WithMediaTypeKeyPrefix`` context does.

    containerd warns on an unknown type; this logs at DEBUG, because pulling by digest
    without a local copy (an empty media type) is routine in an audit.
    """
    key = str(desc.digest)
    if ANNOTATION_REF_NAME in desc.annotations:
        key = f"{desc.annotations[ANNOTATION_REF_NAME]}@{desc.digest}"
    media_type = desc.media_type
    if prefixes:
        prefix = prefixes.get(media_type, "")
        if prefix:
            return f"{prefix}-{key}"
    if media_type in _MANIFESTS:
        return f"manifest-{key}"
    if media_type in _INDEXES:
        return f"index-{key}"
    if _is_layer_type(media_type):
        return f"layer-{key}"
    if media_type in _KNOWN_CONFIGS:
        return f"config-{key}"
    _log.debug("reference for unknown type: %s", media_type)
    return f"unknown-{key}"


def __dir__() -> list[str]:
    return sorted(__all__)
