"""Manifest media types: the closed set the detector and parsers know, by name.

Strings, not an enum, at the boundary: registries and blobs carry arbitrary media types and
the detector returns unknown ones as they are. :class:`MediaType` names the known ones.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = [
    "DOCKER_CONFIG",
    "DOCKER_FOREIGN_LAYER",
    "DOCKER_LAYER",
    "DOCKER_MANIFEST_LIST",
    "DOCKER_SCHEMA1",
    "DOCKER_SCHEMA1_SIGNED",
    "DOCKER_SCHEMA2",
    "INDEX_TYPES",
    "MANIFEST_ACCEPT",
    "MANIFEST_TYPES",
    "MediaType",
    "OCI_CONFIG",
    "OCI_EMPTY",
    "OCI_INDEX",
    "OCI_LAYER",
    "OCI_LAYER_GZIP",
    "OCI_LAYER_ZSTD",
    "OCI_MANIFEST",
    "SCHEMA1_TYPES",
]


class MediaType(StrEnum):
    """The manifest media types moby and distribution know."""

    DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
    DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    DOCKER_SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json"
    DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
    OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
    OCI_INDEX = "application/vnd.oci.image.index.v1+json"


DOCKER_SCHEMA1: Final = MediaType.DOCKER_SCHEMA1.value
DOCKER_SCHEMA1_SIGNED: Final = MediaType.DOCKER_SCHEMA1_SIGNED.value
DOCKER_SCHEMA2: Final = MediaType.DOCKER_SCHEMA2.value
DOCKER_MANIFEST_LIST: Final = MediaType.DOCKER_MANIFEST_LIST.value
OCI_MANIFEST: Final = MediaType.OCI_MANIFEST.value
OCI_INDEX: Final = MediaType.OCI_INDEX.value

DOCKER_CONFIG: Final = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_FOREIGN_LAYER: Final = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
OCI_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
OCI_LAYER: Final = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP: Final = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD: Final = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_EMPTY: Final = "application/vnd.oci.empty.v1+json"

SCHEMA1_TYPES: Final = frozenset({DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED})
INDEX_TYPES: Final = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})
MANIFEST_TYPES: Final = frozenset(MediaType)

#: The Accept header for manifest requests: every type, schema1 last, so that a registry
#: never down-converts a schema2 image to schema1 (distribution 2.8 does so on a weak Accept).
MANIFEST_ACCEPT: Final = ", ".join(
    (
        OCI_INDEX,
        OCI_MANIFEST,
        DOCKER_MANIFEST_LIST,
        DOCKER_SCHEMA2,
        DOCKER_SCHEMA1_SIGNED,
        DOCKER_SCHEMA1,
    )
)


def __dir__() -> list[str]:
    return sorted(__all__)
