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

import threading
from typing import Any, Final

import orjson

from mstoolkit import mediatypes as mt
from mstoolkit.catalog.schema import ARTIFACT_MANIFEST_TYPES, Kind
from mstoolkit.manifest.detect import OciFields

try:  # the lazy parser is an optimisation; orjson alone gives the same kinds
    import simdjson as _simdjson
except ImportError:  # pragma: no cover
    _simdjson = None  # type: ignore[assignment]

__all__ = ["IMAGE_CONFIG_TYPES", "KIND_BY_MEDIA_TYPE", "is_artifact", "kind_of", "kind_of_fields"]


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


class _ScratchParser(threading.local):
    """One reusable simdjson parser per thread; its proxies never leave :func:`_simd_says`."""

    parser: Any = None


_SCRATCH: Final = _ScratchParser()
_BOM: Final = b"\xef\xbb\xbf"
#: Larger documents go to orjson, so that the cached parser never holds a huge buffer.
_CACHED_PARSER_LIMIT: Final = 1 << 20


def _simd_says(data: bytes) -> bool | None:
    """Whether the manifest is an artifact, read lazily by simdjson; ``None``: ask orjson.

    Only a *no* is taken from simdjson, and only when orjson could not read the document
    differently: ``artifactType`` and ``config`` are top-level keys at most once each, and
    ``mediaType`` is a key of ``config`` at most once (orjson keeps the last of duplicate
    keys, simdjson finds the first; both decode escaped keys the same way). A *yes*, rare,
    is confirmed by orjson, so documents only simdjson accepts cannot become artifacts. No
    byte scans: a search through a 3 KB blob costs as much as the lazy parse.
    """
    if _simdjson is None or len(data) > _CACHED_PARSER_LIMIT or data.startswith(_BOM):
        return None
    parser = _SCRATCH.parser
    if parser is None:
        parser = _SCRATCH.parser = _simdjson.Parser()
    doc: Any = None
    artifact_type: Any = None
    config: Any = None
    config_type: Any = None
    try:
        doc = parser.parse(data)
        if doc.__class__ is not _simdjson.Object:
            return False
        keys = list(doc.keys())
        if "artifactType" in keys:
            if keys.count("artifactType") > 1:
                return None
            artifact_type = doc.get("artifactType")
            if artifact_type.__class__ is str and artifact_type:
                return None
        if "config" not in keys:
            return False
        if keys.count("config") > 1:
            return None
        config = doc.get("config")
        if config.__class__ is not _simdjson.Object:
            return False
        if list(config.keys()).count("mediaType") > 1:
            return None
        config_type = config.get("mediaType")
        if config_type.__class__ is str and config_type not in IMAGE_CONFIG_TYPES:
            return None
        return False
    except Exception:  # any parser complaint: ask orjson
        return None
    finally:
        del doc, artifact_type, config, config_type


def kind_of(media_type: str, data: bytes) -> Kind:
    """The kind of a blob the detector called *media_type* (not an ``error:`` label)."""
    kind = KIND_BY_MEDIA_TYPE.get(media_type, Kind.OTHER)
    if kind is not Kind.OCI_MANIFEST:
        return kind
    # "mediaType" first: nearly every manifest has it early, which ends the test before
    # a scan of the whole blob for the others.
    if b"mediaType" not in data and b"artifactType" not in data and b"\\u" not in data:
        return kind  # neither key can be spelled, even with escapes: neither rule fires
    if _simd_says(data) is False:
        return kind
    return _decoded_kind(data, kind)


def _decoded_kind(data: bytes, kind: Kind) -> Kind:
    """The artifact rule on orjson's decode of an OCI manifest (*kind* if it refuses)."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return kind
    return Kind.ARTIFACT if is_artifact(doc) else kind


def kind_of_fields(media_type: str, fields: OciFields | None, data: bytes) -> Kind:
    """:func:`kind_of`, using the fields the detector already read when it could
    (:func:`~mstoolkit.manifest.detect.detection_label_and_oci_fields`).

    Only an *image* answer is taken from *fields*, as :func:`kind_of` takes only a *no*
    from its own lazy parse: a possible artifact, or fields the detector was not sure of,
    go through :func:`kind_of`, whose decoder confirms it.
    """
    kind = KIND_BY_MEDIA_TYPE.get(media_type, Kind.OTHER)
    if kind is not Kind.OCI_MANIFEST:
        return kind
    if fields is None or not fields.sure:
        return kind_of(media_type, data)
    config_type = fields.config_media_type
    if fields.artifact_type or (config_type is not None
                                and config_type not in IMAGE_CONFIG_TYPES):
        return _decoded_kind(data, kind)  # the lazy parse would only say "ask orjson"
    return kind
