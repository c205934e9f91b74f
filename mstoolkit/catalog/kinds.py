"""From a detected media type (and, for OCI manifests, a look inside) to a :class:`Kind`.

The media type decides everything except one case: an OCI image manifest is an *artifact*
when it says so — a non-empty ``artifactType`` — or when its config is not an image config
(OCI 1.1's rule for telling artifacts from images: Helm charts, signatures, SBOMs and
attestations all ride on image manifests). Telling the two apart needs the document, so
only OCI manifests are decoded a second time.

Keys are matched exactly here. This is our classification, not moby's: moby never looks at
``artifactType``, so Go's case-insensitive field matching does not apply. A manifest that
orjson cannot decode but Go's decoder accepts (invalid UTF-8, numbers beyond float64) stays
an ``oci-manifest``.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

from mstoolkit import mediatypes as mt
from mstoolkit.catalog.schema import ARTIFACT_MANIFEST_TYPES, Kind

__all__ = ["IMAGE_CONFIG_TYPES", "KIND_BY_MEDIA_TYPE", "is_artifact", "kind_of"]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Config media types that make an OCI manifest an image rather than an artifact.
IMAGE_CONFIG_TYPES: Final = frozenset({mt.OCI_CONFIG, mt.DOCKER_CONFIG})

#: Kind of each media type the detector can return; anything else is ``other``.
KIND_BY_MEDIA_TYPE: Final[dict[str, Kind]] = {
    mt.DOCKER_SCHEMA1: Kind.SCHEMA1,
    mt.DOCKER_SCHEMA1_SIGNED: Kind.SCHEMA1,
    mt.DOCKER_SCHEMA2: Kind.SCHEMA2,
    mt.DOCKER_MANIFEST_LIST: Kind.LIST,
    mt.OCI_MANIFEST: Kind.OCI_MANIFEST,
    mt.OCI_INDEX: Kind.OCI_INDEX,
    **{t: Kind.ARTIFACT for t in ARTIFACT_MANIFEST_TYPES},
}


def is_artifact(doc: Any) -> bool:
    """Whether a decoded OCI manifest is an artifact (see the module docstring)."""
    if not isinstance(doc, dict):
        return False
    artifact_type = doc.get("artifactType")
    if isinstance(artifact_type, str) and artifact_type:
        return True
    config = doc.get("config")
    if isinstance(config, dict):
        config_type = config.get("mediaType")
        return isinstance(config_type, str) and config_type not in IMAGE_CONFIG_TYPES
    return False


def kind_of(media_type: str, data: bytes) -> Kind:
    """The kind of a blob the detector called *media_type* (not an ``error:`` label)."""
    kind = KIND_BY_MEDIA_TYPE.get(media_type, Kind.OTHER)
    if kind is not Kind.OCI_MANIFEST:
        return kind
    if b"artifactType" not in data and b"mediaType" not in data and b"\\u" not in data:
        return kind  # neither key can be spelled, even with escapes: neither rule fires
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return kind
    return Kind.ARTIFACT if is_artifact(doc) else kind
