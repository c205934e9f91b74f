"""One manifest's catalog fields from its bytes, in one decode.

:class:`~mstoolkit.catalog.Catalog` must tabulate 100,000 cached manifests in seconds, which
rules out building model objects for each (``parse_manifest`` validates every descriptor and,
for schema1, rebuilds the signed payload: about 40 µs a blob here). Instead the blob is
detected (moby's rules), decoded once with orjson, and the few fields the tables need are
read straight from the document, with structural checks for exactly what those fields rely
on: the schema version the media type requires, descriptor lists that are lists of objects
with well-formed digests and sizes, an object ``subject``. A blob that fails them gets the
``invalid-manifest`` error. ``validate=True`` also runs the full parser (slower, same
columns), which adds what only it checks: schema1 signatures that rebuild the signed payload,
and the finer rules of each format.

Per-layer and per-entry rows are built only when asked (``detail=True``): the manifests table
needs counts and sums, not a million small objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import orjson

from mstoolkit.catalog.kinds import KIND_BY_MEDIA_TYPE, is_artifact, kind_of
from mstoolkit.catalog.schema import ARTIFACT_MANIFEST_TYPES, BlobError, Kind
from mstoolkit.digest import ALGORITHMS
from mstoolkit.errors import MstoolkitError
from mstoolkit.manifest.detect import detection_label

__all__ = ["Fields", "LayerRow", "PlatformRow", "extract"]


def __dir__() -> list[str]:
    return sorted(__all__)


_ERROR_PREFIX: Final = "error:"
_IMAGE_KINDS: Final = frozenset({Kind.SCHEMA2, Kind.OCI_MANIFEST, Kind.ARTIFACT})
_INDEX_KINDS: Final = frozenset({Kind.LIST, Kind.OCI_INDEX})
_CHECKED: Final = _IMAGE_KINDS | _INDEX_KINDS | {Kind.SCHEMA1}
#: go-digest's registered algorithms and their hex lengths (mstoolkit.digest.ALGORITHMS).
#: Sizes are int64 (Go's Descriptor.Size); a sum past it is unknown (NA), not a crash.
_MAX_SIZE: Final = (1 << 63) - 1
_DIGEST: Final = re.compile(
    "|".join(f"{alg}:[a-f0-9]{{{n}}}" for alg, n in sorted(ALGORITHMS.items()))
).fullmatch


class LayerRow(NamedTuple):
    """One layer of an image manifest (schema1 fsLayers have no media type or size)."""

    position: int
    digest: str
    media_type: str
    size: int | None
    urls: tuple[str, ...]


class PlatformRow(NamedTuple):
    """One entry of an index or manifest list."""

    position: int
    digest: str
    media_type: str
    os: str
    architecture: str
    variant: str
    os_version: str
    attestation: bool

    @property
    def platform(self) -> str:
        """``os/arch[/variant]``; empty when the entry has no platform."""
        if not (self.os or self.architecture):
            return ""
        name = f"{self.os}/{self.architecture}"
        return f"{name}/{self.variant}" if self.variant else name


@dataclass(frozen=True, slots=True)
class Fields:
    """What the catalog tables say about one blob (rows only with ``detail=True``)."""

    media_type: str = ""
    kind: Kind = Kind.INVALID
    error: str = ""
    schema_version: int | None = None
    config_media_type: str = ""
    artifact_type: str = ""
    subject_digest: str = ""
    layer_count: int | None = None
    layer_bytes: int | None = None
    platforms: str = ""
    layers: tuple[LayerRow, ...] = ()
    entries: tuple[PlatformRow, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        # A catalog pool sends 100,000 of these back: as a flat tuple (the kind by value)
        # they pickle ten times faster than through the dataclass's default state.
        return (_unpickle, (self.media_type, self.kind.value, self.error, self.schema_version,
                            self.config_media_type, self.artifact_type, self.subject_digest,
                            self.layer_count, self.layer_bytes, self.platforms, self.layers,
                            self.entries))


def _unpickle(media_type: str, kind: str, *rest: Any) -> Fields:
    return Fields(media_type, Kind(kind), *rest)


class _Bad(Exception):
    """A structural problem; becomes the ``invalid-manifest`` error."""


def _text(value: Any) -> str:
    return value if type(value) is str else ""


def _objects(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = doc.get(key)
    if type(value) is not list:
        raise _Bad(key)
    for item in value:
        if type(item) is not dict:
            raise _Bad(key)
    return value


def _digest_of(desc: dict[str, Any], key: str = "digest") -> str:
    value = desc.get(key)
    if type(value) is not str or _DIGEST(value) is None:
        raise _Bad(key)
    return value


def _size_of(desc: dict[str, Any]) -> int:
    value = desc.get("size")
    if type(value) is not int or not 0 <= value <= _MAX_SIZE:
        raise _Bad("size")
    return value


def _urls(desc: dict[str, Any]) -> tuple[str, ...]:
    urls = desc.get("urls")
    return tuple(u for u in urls if type(u) is str) if type(urls) is list else ()


def _image(doc: dict[str, Any], media_type: str, kind: Kind, detail: bool,
           schema_version: int | None, artifact_type: str, subject_digest: str) -> Fields:
    """Layer count and bytes (and rows), config media type; checks what they rely on.

    The layer loop is written out (no helper call per layer): it runs half a million
    times for 100,000 manifests."""
    if kind is Kind.SCHEMA1:
        fs_layers = _objects(doc, "fsLayers")
        digests = [_digest_of(d, "blobSum") for d in fs_layers]
        if type(doc.get("signatures", [])) is not list:
            raise _Bad("signatures")
        rows = tuple(LayerRow(i, d, "", None, ()) for i, d in enumerate(digests)) if detail else ()
        return Fields(media_type, kind, "", schema_version, "", artifact_type, subject_digest,
                      len(digests), None, "", rows)
    config = doc.get("config")
    if type(config) is not dict:
        raise _Bad("config")
    _digest_of(config)
    layers = doc.get("layers")
    if type(layers) is not list:
        raise _Bad("layers")
    total = 0
    out: list[LayerRow] = []
    for i, desc in enumerate(layers):
        if type(desc) is not dict:
            raise _Bad("layers")
        digest = desc.get("digest")
        if type(digest) is not str or _DIGEST(digest) is None:
            raise _Bad("digest")
        size = desc.get("size")
        if type(size) is not int or not 0 <= size <= _MAX_SIZE:
            raise _Bad("size")
        total += size
        if detail:
            out.append(LayerRow(i, digest, _text(desc.get("mediaType")), size, _urls(desc)))
    return Fields(media_type, kind, "", schema_version, _text(config.get("mediaType")),
                  artifact_type, subject_digest, len(layers),
                  total if total <= _MAX_SIZE else None, "", tuple(out))


def _index(doc: dict[str, Any], media_type: str, kind: Kind, detail: bool,
           schema_version: int | None, artifact_type: str, subject_digest: str) -> Fields:
    """Platform names (and rows) of an index's entries; checks digests and sizes."""
    names: list[str] = []
    rows: list[PlatformRow] = []
    for i, desc in enumerate(_objects(doc, "manifests")):
        digest = _digest_of(desc)
        _size_of(desc)
        platform = desc.get("platform")
        plat = platform if type(platform) is dict else {}
        row = PlatformRow(i, digest, _text(desc.get("mediaType")), _text(plat.get("os")),
                          _text(plat.get("architecture")), _text(plat.get("variant")),
                          _text(plat.get("os.version")), False)
        if row.os or row.architecture:
            names.append(row.platform)
        if detail:
            notes = desc.get("annotations")
            marked = type(notes) is dict and (
                notes.get("vnd.docker.reference.type") == "attestation-manifest")
            unknown = (row.os, row.architecture) == ("unknown", "unknown")
            rows.append(row._replace(attestation=marked or unknown))
    return Fields(media_type, kind, "", schema_version, "", artifact_type, subject_digest,
                  None, None, ",".join(names), (), tuple(rows))


def _version(doc: dict[str, Any]) -> int | None:
    version = doc.get("schemaVersion")
    return version if type(version) is int else None


def _fields(doc: dict[str, Any], media_type: str, kind: Kind, detail: bool) -> Fields:
    schema_version = _version(doc)
    subject = doc.get("subject")
    artifact_type = _text(doc.get("artifactType"))
    subject_digest = _text(subject.get("digest")) if type(subject) is dict else ""
    # OCI 1.1-rc and ORAS artifact manifests carry "blobs" and no config: nothing to check
    if kind not in _CHECKED or media_type in ARTIFACT_MANIFEST_TYPES:
        return Fields(media_type, kind, "", schema_version, "", artifact_type, subject_digest)
    if schema_version != (1 if kind is Kind.SCHEMA1 else 2):
        raise _Bad("schemaVersion")
    if subject is not None and type(subject) is not dict:
        raise _Bad("subject")
    make = _index if kind in _INDEX_KINDS else _image
    return make(doc, media_type, kind, detail, schema_version, artifact_type, subject_digest)


def extract(data: bytes, *, detail: bool = False,
            validate: Callable[[bytes, str], object] | None = None) -> Fields:
    """The catalog fields of one blob; errors are in ``Fields.error``, never raised.

    *detail* also builds the layer and platform rows. *validate*, when given
    (``parse_manifest``), is called for every detected image manifest or index, and any
    :class:`~mstoolkit.errors.MstoolkitError` it raises makes the blob invalid.
    """
    label = detection_label(data)
    if label.startswith(_ERROR_PREFIX):
        return Fields(error=label[len(_ERROR_PREFIX):])
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        doc = None  # Go accepts what orjson does not (see kinds); fields stay empty
    if type(doc) is not dict:
        return Fields(media_type=label, kind=kind_of(label, data))
    kind = KIND_BY_MEDIA_TYPE.get(label, Kind.OTHER)
    if kind is Kind.OCI_MANIFEST and is_artifact(doc):
        kind = Kind.ARTIFACT
    try:
        fields = _fields(doc, label, kind, detail)
        if validate is not None and kind in _CHECKED and label not in ARTIFACT_MANIFEST_TYPES:
            validate(data, label)
    except (_Bad, MstoolkitError):
        return Fields(media_type=label, kind=Kind.INVALID, error=BlobError.INVALID_MANIFEST,
                      schema_version=_version(doc))
    return fields
