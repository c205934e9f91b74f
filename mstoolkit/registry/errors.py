"""Registry error answers mapped, in one table, onto mstoolkit's error categories.

A registry reports failures as an HTTP status plus, usually, a JSON body (distribution's
``spec/api.md``, the OCI distribution spec's "Error Codes")::

    {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": ...}]}

The *code* is the precise signal, so it decides the category when it is known; the HTTP status
decides otherwise (bodies are often missing, plain text, or an ``UNKNOWN`` code). Only the first
error's code and message go into the exception's text: ``detail`` can be large and carries
server internals (distribution 2.8 puts storage paths there), and nothing from the request,
credentials included, is ever echoed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mstoolkit.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    InvalidManifest,
    MstoolkitError,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)

__all__ = [
    "ERROR_CODES",
    "HTTP_STATUSES",
    "RegistryErrorBody",
    "error_for_response",
    "parse_error_body",
]

#: Registry error code -> category (distribution's errcode registrations and the OCI spec).
ERROR_CODES: Mapping[str, type[MstoolkitError]] = MappingProxyType(
    {
        "BLOB_UNKNOWN": NotFound,
        "BLOB_UPLOAD_INVALID": InvalidArgument,
        "BLOB_UPLOAD_UNKNOWN": NotFound,
        "DENIED": PermissionDenied,
        "DIGEST_INVALID": InvalidArgument,
        "MANIFEST_BLOB_UNKNOWN": NotFound,
        "MANIFEST_INVALID": InvalidManifest,
        "MANIFEST_UNKNOWN": NotFound,
        "MANIFEST_UNVERIFIED": InvalidManifest,
        "NAME_INVALID": InvalidArgument,
        "NAME_UNKNOWN": NotFound,
        "PAGINATION_NUMBER_INVALID": InvalidArgument,
        "RANGE_INVALID": InvalidArgument,
        "SIZE_INVALID": InvalidArgument,
        "TAG_INVALID": InvalidArgument,
        "TOOMANYREQUESTS": Unavailable,
        "UNAUTHORIZED": Unauthenticated,
        "UNAVAILABLE": Unavailable,
        "UNSUPPORTED": InvalidArgument,
    }
)

#: HTTP status -> category, for answers without a known code.
HTTP_STATUSES: Mapping[int, type[MstoolkitError]] = MappingProxyType(
    {
        400: InvalidArgument,
        401: Unauthenticated,
        403: PermissionDenied,
        404: NotFound,
        405: InvalidArgument,
        408: Unavailable,
        409: AlreadyExists,
        412: FailedPrecondition,
        413: ResourceExhausted,
        415: UnsupportedMediaType,
        416: InvalidArgument,
        429: Unavailable,
    }
)

_MAX_MESSAGE = 300


@dataclass(frozen=True, slots=True)
class RegistryErrorBody:
    """The first entry of a registry's ``errors`` array (empty strings when absent)."""

    code: str
    message: str
    count: int


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def parse_error_body(body: bytes) -> RegistryErrorBody | None:
    """The registry error in *body*, or ``None`` if it is not the standard JSON shape."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    errors = doc.get("errors")
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    code = errors[0].get("code")
    message = errors[0].get("message")
    return RegistryErrorBody(
        code=code if isinstance(code, str) else "",
        message=_clip(message) if isinstance(message, str) else "",
        count=len(errors),
    )


def _category(status: int, code: str) -> type[MstoolkitError]:
    by_code = ERROR_CODES.get(code.upper())
    if by_code is not None:
        return by_code
    by_status = HTTP_STATUSES.get(status)
    if by_status is not None:
        return by_status
    if status >= 500:
        return Unavailable
    return InvalidArgument


def error_for_response(status: int, body: bytes, *, what: str) -> MstoolkitError:
    """The exception for a failed registry answer; *what* names the request (``GET /v2/...``).

    The caller raises it; the message carries the status, the registry's code and message,
    and for non-JSON bodies the first line of the text.
    """
    parsed = parse_error_body(body)
    code = parsed.code if parsed is not None else ""
    if parsed is not None:
        extra = f" (+{parsed.count - 1} more)" if parsed.count > 1 else ""
        said = f"{parsed.code or 'error'}: {parsed.message}{extra}".rstrip(": ")
    else:
        first_line = body[:_MAX_MESSAGE].decode("utf-8", "replace").strip().splitlines()
        said = _clip(first_line[0]) if first_line else "(no body)"
    category = _category(status, code)
    message = f"{what}: HTTP {status}: {said}"
    return category(message)


def __dir__() -> list[str]:
    return sorted(__all__)
