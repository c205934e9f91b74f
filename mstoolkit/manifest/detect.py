"""moby's ``detectManifestBlobMediaType`` (v26.0–v28.1), exact on every input, and fast.

moby decodes the blob with Go's ``encoding/json`` into::

    struct { MediaType string; Manifests, Config, Layers, FSLayers json.RawMessage }

and classifies by ``mediaType`` and by which of the four other keys are *present* (a
``RawMessage`` is non-nil for any value, ``null`` included). :mod:`.gojson` reproduces the
decoder; this module adds the rules, the schema1 deprecation gate and a fast path.

Exact slow path
    Whole-input validation first (a syntax error anywhere wins, as in Go), then the
    top-level members in document order: each key (escapes decoded) is matched to a field
    exactly, then by Go's case folding; string values of ``mediaType`` overwrite, ``null``
    leaves the earlier value, any other kind records a type error that fails the call even
    if a later key is a good string.

Fast path, and why it gives the same answer
    *simdjson* (``pysimdjson``): if it parses the input, the input is valid for Go too —
    simdjson implements RFC 8259 strictly and rejects what Go would also accept but it
    cannot represent (invalid UTF-8, lone surrogate escapes, numbers beyond 64-bit or
    float64, nesting past 1024), which only sends those inputs to the slow path. The one
    leniency, a skipped UTF-8 byte order mark, is refused before parsing. Its object
    proxies list the top-level keys in document order *with duplicates*, decoded exactly as
    Go decodes valid strings, so field presence is read directly. The fast path gives up
    (slow path) when a key is a non-exact case-fold of a field or when more than one key is
    ``mediaType``; with exactly one, its value's kind decides as in Go.

    *orjson* (used only if pysimdjson is missing): orjson also accepts a subset of Go's
    language, but merges duplicate keys (last value wins, first position kept). The merge
    is harmless for the four presence fields; for ``mediaType`` it is proven harmless by
    two byte-level guards: (1) no ``\\u00XX`` escape of an ASCII letter anywhere, so every
    key that decodes to exactly ``mediaType`` is spelled literally ``"mediaType"`` in the
    bytes; (2) no literal ``"mediaType"`` followed by ``:`` and a non-string value anywhere
    (at any depth, so also not at top level). Then every top-level ``mediaType`` value is a
    string, and Go's "last string wins" equals orjson's "last value wins". A non-string
    ``mediaType`` goes to the slow path, which also names the right kind in the message.

The fast path validates the whole document but builds no Python objects for nested values;
the slow path (about 2% of a realistic corpus, nearly all of it broken JSON) pays for a full
C-level decode.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from types import MappingProxyType
from typing import Any, Final, NamedTuple

import orjson

from mstoolkit import mediatypes
from mstoolkit.errors import (
    DeprecatedSchema1ImageError,
    InvalidArgument,
    InvalidJSON,
    ManifestConflict,
)
from mstoolkit.manifest import gojson

try:  # which branch runs depends on the installation; tests run both fast paths
    import simdjson as _simdjson
except ImportError:  # pragma: no cover
    _simdjson = None  # type: ignore[assignment]

__all__ = [
    "LABEL_CANNOT_DETERMINE",
    "LABEL_CONFLICT_PREFIX",
    "LABEL_JSON_SYNTAX",
    "LABEL_JSON_TYPE",
    "OciFields",
    "SCHEMA1_GATE_ENV",
    "deprecation_notice",
    "detect_media_type",
    "detection_label",
    "detection_label_and_oci_fields",
    "schema1_gate_open",
]


def __dir__() -> list[str]:
    return sorted(__all__)


_log = logging.getLogger(__name__)

#: Any non-empty value (even ``"0"``) opens the schema1 gate, as ``os.Getenv(...) != ""``.
SCHEMA1_GATE_ENV: Final = "DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE"

LABEL_JSON_SYNTAX: Final = "error:json-syntax"
LABEL_JSON_TYPE: Final = "error:json-type"
LABEL_CONFLICT_PREFIX: Final = "error:conflict:"
LABEL_CANNOT_DETERMINE: Final = "error:cannot-determine"

CANNOT_DETERMINE: Final = "media-type: cannot determine"

# Go's reflect name of the probe struct, as it appears in a top-level type error.
_PROBE_TYPE: Final = (
    'struct { MediaType string "json:\\"mediaType\\""; '
    'Manifests json.RawMessage "json:\\"manifests\\""; '
    'Config json.RawMessage "json:\\"config\\""; '
    'Layers json.RawMessage "json:\\"layers\\""; '
    'FSLayers json.RawMessage "json:\\"fsLayers\\"" }'
)

# Presence flags of the four RawMessage fields; 0 marks mediaType.
_MANIFESTS, _CONFIG, _LAYERS, _FS_LAYERS = 1, 2, 4, 8
_EXACT: Final = {"mediaType": 0, "manifests": _MANIFESTS, "config": _CONFIG,
                 "layers": _LAYERS, "fsLayers": _FS_LAYERS}
_FOLDED: Final = {name.lower(): flag for name, flag in _EXACT.items()}
_FOLD_LENGTHS: Final = frozenset(len(name) for name in _EXACT)

# Probe outcomes: (status, media type or Go kind name, presence flags).
_OK, _FIELD_TYPE, _TOP_TYPE, _SYNTAX = range(4)
_Probe = tuple[int, str, int]

_BOM: Final = b"\xef\xbb\xbf"
_OCI_MANIFEST: Final = mediatypes.OCI_MANIFEST
_LETTER_ESCAPE: Final = re.compile(
    rb"\\u00(?:4[1-9a-fA-F]|5[0-9aA]|6[1-9a-fA-F]|7[0-9aA])"
)
_MEDIA_TYPE_NOT_STRING: Final = re.compile(rb'"mediaType"[ \t\n\r]*:[ \t\n\r]*[^" \t\n\r]')
# Documents above this size get a throwaway simdjson parser, so that the per-thread one
# does not keep a huge buffer alive.
_CACHED_PARSER_LIMIT: Final = 1 << 20


def _py_kind(value: object) -> str | None:
    """Go's kind name for a value the fast parsers produced (None: not a JSON value)."""
    cls = value.__class__
    if cls is str:
        return "string"
    if cls is bool:
        return "bool"
    if cls is int or cls is float:
        return "number"
    if cls is list or (_simdjson is not None and cls is _simdjson.Array):
        return "array"
    if cls is dict or (_simdjson is not None and cls is _simdjson.Object):
        return "object"
    return None


def _is_folded_field(key: str) -> bool:
    return len(key) in _FOLD_LENGTHS and gojson.fold_key(key) in _FOLDED


class OciFields(NamedTuple):
    """The two fields of an OCI image manifest that tell an artifact from an image (OCI 1.1),
    as the detector's own parse read them: each the value when it is a string, else
    ``None`` (absent, ``null``, another kind, or a ``config`` that is not an object).

    ``sure`` is false when a full decoder could read them differently (a key that occurs
    twice, where decoders disagree on which one counts); the values are then ``None``.
    """

    artifact_type: str | None
    config_media_type: str | None
    sure: bool = True


_UNSURE: Final = OciFields(None, None, sure=False)
_NEITHER: Final = OciFields(None, None)
_new_fields: Final = tuple.__new__  # NamedTuple's own constructor is a Python-level call


def _oci_fields(doc: Any, artifact_types: int, repeated: int) -> OciFields:
    """:class:`OciFields` of a simdjson top-level object whose keys were counted already
    (*repeated*: the probe fields seen more than once). Runs once per OCI manifest in a
    batch, hence the terse form; the proxies die with the call."""
    if artifact_types > 1 or repeated & _CONFIG:
        return _UNSURE
    artifact_type = doc["artifactType"] if artifact_types else None
    config = doc.get("config")
    config_type = None
    if config.__class__ is _simdjson.Object:
        config_type = config.get("mediaType", _NEITHER)  # _NEITHER: no such key
        if config_type is not _NEITHER and len(config) > 1 and [
                *config.keys()].count("mediaType") > 1:
            return _UNSURE
    return _new_fields(OciFields, (artifact_type if artifact_type.__class__ is str else None,
                                   config_type if config_type.__class__ is str else None,
                                   True))


class _ScratchParser(threading.local):
    """One reusable simdjson parser per thread: a buffer cache, never part of a result.

    A simdjson parser may not parse again while proxies of its last document live, and is
    not thread-safe; a thread-local one whose proxies never escape :func:`_fast_simdjson`
    satisfies both.
    """

    parser: Any = None


_SCRATCH: Final = _ScratchParser()


def _fast_simdjson(data: bytes, fields: list[OciFields] | None = None) -> _Probe | None:
    """The probe from simdjson, or None when only the slow path can be sure.

    With *fields*, an OCI image manifest's :class:`OciFields` are appended to it, read from
    the same parse (see :func:`detection_label_and_oci_fields`)."""
    if _simdjson is None or data[:3] == _BOM:
        return None
    if len(data) > _CACHED_PARSER_LIMIT:
        parser = _simdjson.Parser()
    else:
        parser = _SCRATCH.parser
        if parser is None:
            parser = _SCRATCH.parser = _simdjson.Parser()
    doc: Any = None
    value: Any = None
    try:
        doc = parser.parse(data)
        if doc.__class__ is not _simdjson.Object:
            if doc is None:
                return (_OK, "", 0)
            kind = _py_kind(doc)
            return None if kind is None else (_TOP_TYPE, kind, 0)
        flags = repeated = 0
        media_types = 0
        artifact_types = 0
        for key in doc.keys():  # noqa: SIM118 - a simdjson proxy, not a dict
            flag = _EXACT.get(key)
            if flag is None:
                if key == "artifactType":
                    artifact_types += 1
                elif len(key) in _FOLD_LENGTHS and _is_folded_field(key):  # no call for most
                    return None
            elif flag:
                repeated |= flags & flag
                flags |= flag
            else:
                media_types += 1
        if media_types == 0:
            probe: _Probe = (_OK, "", flags)
        elif media_types > 1:
            return None
        else:
            value = doc["mediaType"]
            if value.__class__ is str:
                probe = (_OK, value, flags)
            elif value is None:
                probe = (_OK, "", flags)
            else:
                kind = _py_kind(value)
                return None if kind is None else (_FIELD_TYPE, kind, flags)
        if fields is not None and (probe[1] == _OCI_MANIFEST or not probe[1]):
            # the caller keeps them only if the label is an OCI image manifest
            fields.append(_oci_fields(doc, artifact_types, repeated)
                          if artifact_types or flags & _CONFIG else _NEITHER)
        return probe
    except Exception:  # any parser complaint: the slow path decides
        return None
    finally:
        del doc, value


def _fast_orjson(data: bytes) -> _Probe | None:
    """The probe from orjson under the two guards of the module docstring, or None."""
    if _LETTER_ESCAPE.search(data) is not None:
        return None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if doc.__class__ is not dict:
        if doc is None:
            return (_OK, "", 0)
        kind = _py_kind(doc)
        return None if kind is None else (_TOP_TYPE, kind, 0)
    flags = 0
    for key in doc:
        flag = _EXACT.get(key)
        if flag is None:
            if _is_folded_field(key):
                return None
        else:
            flags |= flag
    if "mediaType" not in doc:
        return (_OK, "", flags)
    value = doc["mediaType"]
    if value.__class__ is not str or _MEDIA_TYPE_NOT_STRING.search(data) is not None:
        return None
    return (_OK, value, flags)


def _field_of(key: str) -> int | None:
    """Which probe field a decoded key selects in Go (exact name first, then folded)."""
    flag = _EXACT.get(key)
    if flag is not None:
        return flag
    if len(key) in _FOLD_LENGTHS:
        return _FOLDED.get(gojson.fold_key(key))
    return None


def _slow(data: bytes, *, message: bool = False) -> _Probe:
    """The probe by the exact port of ``json.Unmarshal``.

    A syntax error comes back as ``(_SYNTAX, Go's message, Go's offset)`` when *message*
    is asked for (the scanner port runs only then), else as ``(_SYNTAX, "", -1)``.
    """
    top = gojson.decode_top_level(data)
    if top is None:
        error = gojson.syntax_error(data) if message else None
        if error is None:
            return (_SYNTAX, "", -1)
        return (_SYNTAX, error.message, error.offset)
    if top.kind != "object":
        if top.kind == "null":
            return (_OK, "", 0)
        return (_TOP_TYPE, top.kind, 0)
    media_type = ""
    type_error = ""
    flags = 0
    for member in top.members:
        flag = _field_of(member.key)
        if flag is None:
            continue
        if flag:
            flags |= flag
        elif member.kind == "string":
            media_type = member.text
        elif member.kind != "null" and not type_error:
            type_error = member.kind
    if type_error:
        return (_FIELD_TYPE, type_error, flags)
    return (_OK, media_type, flags)


def _probe(data: bytes, *, message: bool = False) -> _Probe:
    fast = _fast_simdjson(data) if _simdjson is not None else _fast_orjson(data)
    return fast if fast is not None else _slow(data, message=message)


# Decisions: (kind, media type); kinds below.
_RESULT, _CONFLICT, _UNDETERMINED, _SCHEMA1 = range(4)


def _decide(media_type: str, flags: int) -> tuple[int, str]:
    """The seed's switch statements, with the schema1 gate left to the caller.

    ``_SCHEMA1`` means "schema1, if the gate is open"; for the ``v1+json`` media type the
    gate is checked *before* the field conflict, as in the Go code, so a closed gate wins
    over a conflict.
    """
    if media_type in (mediatypes.DOCKER_SCHEMA2, mediatypes.OCI_MANIFEST):
        if flags & (_MANIFESTS | _FS_LAYERS):
            return (_CONFLICT, media_type)
        return (_RESULT, media_type)
    if media_type in (mediatypes.DOCKER_MANIFEST_LIST, mediatypes.OCI_INDEX):
        if flags & (_CONFIG | _LAYERS | _FS_LAYERS):
            return (_CONFLICT, media_type)
        return (_RESULT, media_type)
    if media_type == mediatypes.DOCKER_SCHEMA1:
        return (_SCHEMA1, media_type)
    if media_type:
        return (_RESULT, media_type)
    if flags == _FS_LAYERS:
        return (_SCHEMA1, "")
    if flags & (_CONFIG | _LAYERS) and not flags & (_MANIFESTS | _FS_LAYERS):
        return (_RESULT, mediatypes.OCI_MANIFEST)
    if not flags & (_CONFIG | _LAYERS | _FS_LAYERS):
        return (_RESULT, mediatypes.OCI_INDEX)
    return (_UNDETERMINED, "")


def _schema1_with_open_gate(media_type: str, flags: int) -> tuple[int, str]:
    if media_type and flags & (_MANIFESTS | _LAYERS):
        return (_CONFLICT, media_type)
    return (_RESULT, mediatypes.DOCKER_SCHEMA1)


def _conflict_message(media_type: str) -> str:
    if media_type in (mediatypes.DOCKER_SCHEMA2, mediatypes.OCI_MANIFEST):
        fields = '"manifests" or "fsLayers"'
    elif media_type == mediatypes.DOCKER_SCHEMA1:
        fields = '"manifests" or "layers"'
    else:
        fields = '"config", "layers", or "fsLayers"'
    return f'media-type: "{media_type}" should not have {fields}'


def detection_label(data: bytes) -> str:
    """The batch classifier's label for *data*, with the schema1 gate open.

    The media type moby would return, or ``error:json-syntax``, ``error:json-type``,
    ``error:conflict:<mediaType>`` or ``error:cannot-determine`` — the labels the bench
    corpus and its Go anchor use. Raises nothing for any bytes; this is the hot loop.
    """
    return _label(_probe(_as_bytes(data)))


def _label(probe: _Probe) -> str:
    status, value, flags = probe
    if status != _OK:
        return LABEL_JSON_SYNTAX if status == _SYNTAX else LABEL_JSON_TYPE
    kind, media_type = _decide(value, flags)
    if kind == _SCHEMA1:
        kind, media_type = _schema1_with_open_gate(media_type, flags)
    if kind == _RESULT:
        return media_type
    if kind == _CONFLICT:
        return LABEL_CONFLICT_PREFIX + media_type
    return LABEL_CANNOT_DETERMINE


#: :func:`_label` of the probes most blobs give, looked up instead of decided per blob.
_COMMON_LABELS: Final = MappingProxyType({
    (_OK, media_type, flags): _label((_OK, media_type, flags))
    for media_type in ("", mediatypes.DOCKER_SCHEMA2, mediatypes.OCI_MANIFEST,
                       mediatypes.DOCKER_MANIFEST_LIST, mediatypes.OCI_INDEX,
                       mediatypes.DOCKER_SCHEMA1, mediatypes.DOCKER_SCHEMA1_SIGNED)
    for flags in range(16)
})


def detection_label_and_oci_fields(data: bytes) -> tuple[str, OciFields | None]:
    """:func:`detection_label`, and for an OCI image manifest its :class:`OciFields` when
    the fast path read the document (``None`` otherwise: decode it yourself).

    Lets a classifier that also needs ``artifactType`` and ``config.mediaType`` skip a
    second parse of every OCI manifest; the label is exactly :func:`detection_label`'s.
    """
    blob = data if data.__class__ is bytes else _as_bytes(data)
    found: list[OciFields] = []
    probe = _fast_simdjson(blob, found) if _simdjson is not None else _fast_orjson(blob)
    if probe is None:
        return _label(_slow(blob)), None
    label = _COMMON_LABELS.get(probe) or _label(probe)
    return label, (found[0] if found and label == _OCI_MANIFEST else None)


def schema1_gate_open(allow_schema1: bool | None = None) -> bool:
    """Whether schema1 may be detected: *allow_schema1* if given, else whether
    ``DOCKER_ENABLE_DEPRECATED_PULL_SCHEMA_1_IMAGE`` is set to a non-empty value now."""
    if allow_schema1 is not None:
        return bool(allow_schema1)
    return os.environ.get(SCHEMA1_GATE_ENV, "") != ""


def deprecation_notice(reference: str = "") -> str:
    """moby's schema1 deprecation message; the "Suggest the author" sentence appears only
    for a *reference*, as moby adds it only for a non-nil one (the detector passes nil)."""
    message = (
        "[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2,"
        " schema 1 support is disabled by default and will be removed in an upcoming release."
    )
    if reference:
        message += (
            f" Suggest the author of {reference} to upgrade the image to the OCI Format"
            " or Docker Image manifest v2, schema 2."
        )
    return message + " More information at https://docs.docker.com/go/deprecated-image-specs/"


def detect_media_type(
    data: bytes, *, allow_schema1: bool | None = None, reference: str = ""
) -> str:
    """The media type moby's ``detectManifestBlobMediaType`` returns for *data*.

    Raises :class:`InvalidJSON` for what ``json.Unmarshal`` refuses (``offset`` is Go's
    ``SyntaxError.Offset``, or -1 for a type error), :class:`ManifestConflict` with moby's
    text for contradicting fields and for ``media-type: cannot determine`` (a conflict
    too: the fields present fit no kind; it is an :class:`InvalidArgument` like the
    contract asks), and :class:`DeprecatedSchema1ImageError` for schema1 while the gate is
    closed (*allow_schema1*, else the environment variable, read now). *reference* only
    enters the deprecation message.
    """
    status, value, flags = _probe(_as_bytes(data), message=True)
    if status == _SYNTAX:
        raise InvalidJSON(value, flags)
    if status == _FIELD_TYPE:
        raise InvalidJSON(
            f"json: cannot unmarshal {value} into Go struct field .mediaType of type string"
        )
    if status == _TOP_TYPE:
        raise InvalidJSON(f"json: cannot unmarshal {value} into Go value of type {_PROBE_TYPE}")
    kind, media_type = _decide(value, flags)
    if kind == _SCHEMA1:
        if not schema1_gate_open(allow_schema1):
            message = deprecation_notice(reference)
            _log.warning("%s", message)
            raise DeprecatedSchema1ImageError(message, reference)
        kind, media_type = _schema1_with_open_gate(media_type, flags)
    if kind == _RESULT:
        return media_type
    if kind == _CONFLICT:
        raise ManifestConflict(_conflict_message(media_type))
    raise ManifestConflict(CANNOT_DETERMINE)


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    raise InvalidArgument(f"manifest detection needs bytes, not {type(data).__name__}")
