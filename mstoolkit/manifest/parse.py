"""``parse_manifest``: bytes and a media type in, a manifest model out.

A port of docker/distribution's ``UnmarshalManifest`` and the per-format ``UnmarshalJSON``
functions it dispatches to, with the rules moby relies on when it reads a manifest back
from its content store:

==========================  ================================================================
media type                  rules
==========================  ================================================================
Docker schema2              ``mediaType`` must be the schema2 type
Docker manifest list        ``mediaType`` must be the manifest-list type
OCI image manifest          ``mediaType`` empty or the OCI manifest type; no non-null
                            ``manifests`` ("ocimanifest: expected manifest but found index")
OCI image index             ``mediaType`` empty or the OCI index type; no non-null
                            ``config``/``layers`` ("index: expected index but found manifest")
Docker schema1 (either)     see :mod:`mstoolkit.manifest.schema1`
==========================  ================================================================

``schemaVersion`` must be 2 for the four v2 formats, as distribution's push validators
demand ("unrecognized manifest schema version N"), and 1 for schema1, as moby's schema1 pull
demands. moby's pull also wants as many ``history`` entries as ``fsLayers`` and at least
one layer; that is pull policy, left to callers (the model exposes both). Fields are
matched the way Go's ``encoding/json`` matches struct fields (case-insensitively, last key
wins, see :mod:`mstoolkit.manifest._decode`).

A media type no parser knows raises :class:`UnsupportedMediaType`, as distribution 3 does
(distribution 2 fell back to the schema1 parser for anything unknown). The media type may be
a whole ``Content-Type`` value; generic ones (``application/json``, ``text/plain``,
``application/octet-stream``) carry no format, so the body is sniffed as for none.

Where we are stricter than Go: every descriptor must carry a valid digest and an integer
size (Go's ``digest.Digest`` is a plain string until someone calls ``Validate``), an image
manifest must have a ``config``, and a schema1 ``blobSum`` must be a valid digest. Those are
manifests no registry accepts, and a model with a broken digest would fail later, further
from the cause.

When no media type is given, :func:`~mstoolkit.manifest.detect.detect_media_type` decides,
with the schema1 gate **open**: parsing reads what is there, and the deprecation gate belongs
to pulling (the registry client and the manifest store call the detector with the gate as
configured before they ever parse).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidArgument, InvalidManifest, MstoolkitError, UnsupportedMediaType
from mstoolkit.manifest._decode import GoStruct, decode_json
from mstoolkit.manifest.detect import detect_media_type
from mstoolkit.manifest.models import (
    DockerManifestList,
    DockerSchema1,
    DockerSchema2,
    Manifest,
    OCIIndex,
    OCIManifest,
)
from mstoolkit.manifest.schema1 import read_schema1_envelope
from mstoolkit.mediatypes import (
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    OCI_INDEX,
    OCI_MANIFEST,
)

__all__ = ["PARSEABLE_MEDIA_TYPES", "normalize_media_type", "parse_manifest"]

_EMPTY: Mapping[str, str] = MappingProxyType({})

# The Go structs, field by field. Nullable fields are slices, maps and pointers, which a JSON
# null resets; null leaves every other field as it was.
_DESCRIPTOR = GoStruct(
    ("mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType"),
    nullable=("urls", "annotations", "platform"),
)
_PLATFORM = GoStruct(
    ("architecture", "os", "os.version", "os.features", "variant", "features"),
    nullable=("os.features", "features"),
)
_IMAGE = GoStruct(
    (
        "schemaVersion",
        "mediaType",
        "artifactType",
        "config",
        "layers",
        "subject",
        "annotations",
        "manifests",
    ),
    nullable=("layers", "subject", "annotations", "manifests"),
)
_INDEX = GoStruct(
    (
        "schemaVersion",
        "mediaType",
        "artifactType",
        "manifests",
        "subject",
        "annotations",
        "config",
        "layers",
    ),
    nullable=("manifests", "subject", "annotations", "config", "layers"),
)
_SCHEMA1 = GoStruct(
    ("schemaVersion", "name", "tag", "architecture", "fsLayers", "history"),
    nullable=("fsLayers", "history"),
)
_FS_LAYER = GoStruct(("blobSum",))
_HISTORY = GoStruct(("v1Compatibility",))


def normalize_media_type(media_type: str | None) -> str:
    """A ``Content-Type`` value reduced to its media type: parameters dropped, lower case.

    ``None`` gives ``""``. distribution runs ``mime.ParseMediaType`` on the header the same
    way, so ``…manifest.v2+json; charset=utf-8`` selects the schema2 parser.
    """
    if media_type is None:
        return ""
    if not isinstance(media_type, str):
        raise InvalidArgument(f"media type must be a string, not {type(media_type).__name__}")
    return media_type.split(";", 1)[0].strip().lower()


def _object(data: bytes, what: str) -> dict[str, Any]:
    document = decode_json(data)
    if document is None:
        # Go decodes a top-level null into the zero struct without error.
        return {}
    if not isinstance(document, dict):
        raise InvalidManifest(f"{what}: expected a JSON object, not {type(document).__name__}")
    return document


def _string(fields: Mapping[str, Any], key: str, what: str) -> str:
    value = fields.get(key, "")
    if not isinstance(value, str):
        raise InvalidManifest(f"{what}: {key!r} must be a string, not {type(value).__name__}")
    return value


def _schema_version(fields: Mapping[str, Any], what: str, expected: int) -> int:
    value = fields.get("schemaVersion", 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidManifest(f"{what}: 'schemaVersion' must be an integer, not {value!r}")
    if value != expected:
        raise InvalidManifest(f"{what}: unrecognized manifest schema version {value}")
    return value


def _annotations(fields: Mapping[str, Any], what: str) -> Mapping[str, str]:
    value = fields.get("annotations")
    if value is None:
        return _EMPTY
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise InvalidManifest(f"{what}: 'annotations' must be an object of strings")
    return MappingProxyType(dict(value))


def _descriptor(value: Any, where: str) -> Descriptor:
    if not isinstance(value, dict):
        raise InvalidManifest(f"{where} must be an object, not {type(value).__name__}")
    fields = _DESCRIPTOR.view(value)
    platform = fields.get("platform")
    if isinstance(platform, dict):
        fields["platform"] = _PLATFORM.view(platform)
    try:
        return Descriptor.from_dict(fields, where=where)
    except InvalidArgument as exc:
        raise InvalidManifest(str(exc)) from exc


def _descriptors(fields: Mapping[str, Any], key: str, what: str) -> tuple[Descriptor, ...]:
    value = fields.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidManifest(f"{what}: {key!r} must be an array, not {type(value).__name__}")
    return tuple(_descriptor(item, f"{what}: {key}[{i}]") for i, item in enumerate(value))


def _config(fields: Mapping[str, Any], what: str) -> Descriptor:
    if "config" not in fields:
        raise InvalidManifest(f"{what}: missing 'config'")
    return _descriptor(fields["config"], f"{what}: config")


def _subject(fields: Mapping[str, Any], what: str) -> Descriptor | None:
    value = fields.get("subject")
    return None if value is None else _descriptor(value, f"{what}: subject")


def _media_type_must_be(fields: Mapping[str, Any], what: str, expected: str, *, label: str) -> str:
    declared = _string(fields, "mediaType", what)
    if declared != expected:
        raise InvalidManifest(f"mediaType in {label} should be '{expected}' not '{declared}'")
    return declared


def _media_type_if_present(
    fields: Mapping[str, Any], what: str, expected: str, *, label: str
) -> str:
    declared = _string(fields, "mediaType", what)
    if declared and declared != expected:
        raise InvalidManifest(
            f"if present, mediaType in {label} should be '{expected}' not '{declared}'"
        )
    return declared


def _no_index_fields(fields: Mapping[str, Any]) -> None:
    # ocischema.validateManifest: `Manifests interface{}` is nil for an absent or null key.
    if fields.get("manifests") is not None:
        raise InvalidManifest("ocimanifest: expected manifest but found index")


def _no_image_fields(fields: Mapping[str, Any]) -> None:
    # validateIndex: `Config, Layers interface{}` are nil for absent or null keys.
    if fields.get("config") is not None or fields.get("layers") is not None:
        raise InvalidManifest("index: expected index but found manifest")


def _parse_schema2(data: bytes) -> DockerSchema2:
    what = "docker schema2 manifest"
    fields = _IMAGE.view(_object(data, what))
    _media_type_must_be(fields, what, DOCKER_SCHEMA2, label="manifest")
    version = _schema_version(fields, what, 2)
    return DockerSchema2(
        raw=data,
        digest=Digest.from_bytes(data),
        schema_version=version,
        config=_config(fields, what),
        layers=_descriptors(fields, "layers", what),
    )


def _parse_oci_manifest(data: bytes) -> OCIManifest:
    what = "oci image manifest"
    fields = _IMAGE.view(_object(data, what))
    _no_index_fields(fields)
    declared = _media_type_if_present(fields, what, OCI_MANIFEST, label="manifest")
    version = _schema_version(fields, what, 2)
    return OCIManifest(
        raw=data,
        digest=Digest.from_bytes(data),
        schema_version=version,
        declared_media_type=declared,
        config=_config(fields, what),
        layers=_descriptors(fields, "layers", what),
        artifact_type=_string(fields, "artifactType", what),
        subject=_subject(fields, what),
        annotations=_annotations(fields, what),
    )


def _parse_manifest_list(data: bytes) -> DockerManifestList:
    what = "docker manifest list"
    fields = _INDEX.view(_object(data, what))
    _media_type_must_be(fields, what, DOCKER_MANIFEST_LIST, label="manifest list")
    version = _schema_version(fields, what, 2)
    return DockerManifestList(
        raw=data,
        digest=Digest.from_bytes(data),
        schema_version=version,
        manifests=_descriptors(fields, "manifests", what),
    )


def _parse_oci_index(data: bytes) -> OCIIndex:
    what = "oci image index"
    fields = _INDEX.view(_object(data, what))
    _no_image_fields(fields)
    declared = _media_type_if_present(fields, what, OCI_INDEX, label="image index")
    version = _schema_version(fields, what, 2)
    return OCIIndex(
        raw=data,
        digest=Digest.from_bytes(data),
        schema_version=version,
        declared_media_type=declared,
        manifests=_descriptors(fields, "manifests", what),
        artifact_type=_string(fields, "artifactType", what),
        subject=_subject(fields, what),
        annotations=_annotations(fields, what),
    )


def _items(fields: Mapping[str, Any], key: str, struct: GoStruct, what: str) -> list[Any]:
    value = fields.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidManifest(f"{what}: {key!r} must be an array, not {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        # Go decodes a null element into the zero struct.
        entry = {} if item is None else item
        if not isinstance(entry, dict):
            raise InvalidManifest(f"{what}: {key}[{i}] must be an object")
        out.append(struct.view(entry))
    return out


def _parse_schema1(data: bytes) -> DockerSchema1:
    what = "docker schema1 manifest"
    envelope = read_schema1_envelope(data)
    if envelope.signed:
        try:
            fields = _SCHEMA1.view(_object(envelope.payload, what))
        except MstoolkitError as exc:
            raise InvalidManifest(
                f"{what}: the payload rebuilt from the signatures is not a manifest: {exc}"
            ) from exc
    else:
        fields = _SCHEMA1.view(envelope.document)
    version = _schema_version(fields, what, 1)
    fs_layers = []
    for i, layer in enumerate(_items(fields, "fsLayers", _FS_LAYER, what)):
        blob_sum = _string(layer, "blobSum", f"{what}: fsLayers[{i}]")
        try:
            fs_layers.append(Digest.parse(blob_sum))
        except InvalidArgument as exc:
            raise InvalidManifest(f"{what}: fsLayers[{i}]: {exc}") from exc
    history = tuple(
        _string(entry, "v1Compatibility", f"{what}: history[{i}]")
        for i, entry in enumerate(_items(fields, "history", _HISTORY, what))
    )
    return DockerSchema1(
        raw=envelope.raw,
        digest=envelope.digest,
        canonical_payload=envelope.payload,
        signed=envelope.signed,
        signatures=envelope.signatures,
        schema_version=version,
        name=_string(fields, "name", what),
        tag=_string(fields, "tag", what),
        architecture=_string(fields, "architecture", what),
        fs_layers=tuple(fs_layers),
        history=history,
    )


_PARSERS: Final[Mapping[str, Callable[[bytes], Manifest]]] = MappingProxyType(
    {
        DOCKER_SCHEMA2: _parse_schema2,
        DOCKER_MANIFEST_LIST: _parse_manifest_list,
        OCI_MANIFEST: _parse_oci_manifest,
        OCI_INDEX: _parse_oci_index,
        DOCKER_SCHEMA1: _parse_schema1,
        DOCKER_SCHEMA1_SIGNED: _parse_schema1,
    }
)

#: The media types :func:`parse_manifest` understands.
PARSEABLE_MEDIA_TYPES: Final = frozenset(_PARSERS)

# Types that name no manifest format: the body decides, as for an absent media type.
_SNIFFED: Final = frozenset({"", "application/json", "text/plain", "application/octet-stream"})


def parse_manifest(data: bytes, media_type: str | None = None) -> Manifest:
    """Parse *data* as the manifest *media_type* says it is.

    *media_type* may be a whole ``Content-Type`` header value. When it is ``None``, empty or
    a generic type (``application/json``, ``text/plain``, ``application/octet-stream``), the
    body is classified by :func:`~mstoolkit.manifest.detect.detect_media_type` with the
    schema1 gate open. A type no parser here knows raises :class:`UnsupportedMediaType`;
    bytes that are not JSON raise :class:`InvalidJSON`; a document that breaks its format's
    rules raises :class:`InvalidManifest` (or :class:`ManifestConflict` from detection).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidArgument(f"manifest data must be bytes, not {type(data).__name__}")
    raw = bytes(data)
    kind = normalize_media_type(media_type)
    if kind in _SNIFFED:
        kind = detect_media_type(raw, allow_schema1=True)
    parser = _PARSERS.get(kind)
    if parser is None:
        raise UnsupportedMediaType(f"unsupported manifest media type: {kind!r}", kind)
    return parser(raw)


def __dir__() -> list[str]:
    return sorted(__all__)
