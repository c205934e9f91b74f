"""manifest layer: what a manifest blob is (moby's detector) and what it says (the models).

Pure functions over bytes; the Go-compatible JSON decoding lives in
:mod:`mstoolkit.manifest.gojson`.
"""

from mstoolkit.manifest.detect import (
    deprecation_notice,
    detect_media_type,
    detection_label,
    schema1_gate_open,
)
from mstoolkit.manifest.models import (
    DOCKER_SCHEMA1_LAYER,
    AnyManifest,
    DockerManifestList,
    DockerSchema1,
    DockerSchema2,
    Manifest,
    OCIIndex,
    OCIManifest,
)
from mstoolkit.manifest.parse import PARSEABLE_MEDIA_TYPES, parse_manifest
from mstoolkit.manifest.schema1 import manifest_digest, schema1_canonical_payload

__all__ = [
    "AnyManifest",
    "DOCKER_SCHEMA1_LAYER",
    "DockerManifestList",
    "DockerSchema1",
    "DockerSchema2",
    "Manifest",
    "OCIIndex",
    "OCIManifest",
    "PARSEABLE_MEDIA_TYPES",
    "deprecation_notice",
    "detect_media_type",
    "detection_label",
    "manifest_digest",
    "parse_manifest",
    "schema1_canonical_payload",
    "schema1_gate_open",
]


def __dir__() -> list[str]:
    return sorted(__all__)
