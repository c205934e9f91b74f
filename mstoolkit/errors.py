"""The exception hierarchy: one root, containerd's errdefs categories, a few leaves.

Callers branch on *categories* (is it missing? is the registry away? did I pass garbage?),
so every error raised by mstoolkit is an instance of exactly one category below
:class:`MstoolkitError`. Each category also subclasses the matching builtin, so code that
already catches ``ValueError``/``LookupError``/``PermissionError`` keeps working.

Leaves exist only where a caller needs to tell one failure from its siblings: a digest that
does not verify, a schema1 image behind the deprecation gate, a reference that does not parse.
Errors never inherit from a transport library's exceptions; the registry layer chains them
with ``raise ... from``.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExists",
    "DeprecatedSchema1ImageError",
    "DigestMismatch",
    "FailedPrecondition",
    "InvalidArgument",
    "InvalidDigest",
    "InvalidFilter",
    "InvalidJSON",
    "InvalidManifest",
    "InvalidReference",
    "ManifestConflict",
    "MstoolkitError",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "UnsupportedMediaType",
    "category_of",
]


class MstoolkitError(Exception):
    """Root of every error mstoolkit raises on purpose."""

    #: A short, stable name for the category (used as a DataFrame value and in CLI exit codes).
    category: str = "unknown"


class InvalidArgument(MstoolkitError, ValueError):
    """The input itself is wrong: bad bytes, bad names, bad parameters."""

    category = "invalid-argument"


class NotFound(MstoolkitError, LookupError):
    """The thing asked for does not exist (here, or at the registry)."""

    category = "not-found"


class AlreadyExists(MstoolkitError, FileExistsError):
    """The thing to create is already there (content stores use this for "already have it")."""

    category = "already-exists"


class FailedPrecondition(MstoolkitError, RuntimeError):
    """The system is not in a state where the operation can go ahead (size or digest mismatch,
    writer already closed)."""

    category = "failed-precondition"


class Unavailable(MstoolkitError, ConnectionError):
    """Try again later: a locked ref, a registry that is down, rate limited or timing out."""

    category = "unavailable"


class Unauthenticated(MstoolkitError, PermissionError):
    """No valid credentials were presented."""

    category = "unauthenticated"


class PermissionDenied(MstoolkitError, PermissionError):
    """Credentials were valid but do not allow the operation."""

    category = "permission-denied"


class ResourceExhausted(InvalidArgument):
    """A body or value is larger than the limit we accept (oversize manifests, huge labels)."""


class InvalidDigest(InvalidArgument):
    """A digest string that go-digest would refuse.

    ``err.go_message`` is go-digest's exact text (``invalid checksum digest format``, ...);
    ``err.value`` is the input.
    """

    def __init__(self, go_message: str, value: str = "") -> None:
        super().__init__(f"{go_message}: {value!r}" if value else go_message)
        self.go_message = go_message
        self.value = value


class InvalidReference(InvalidArgument):
    """An image reference that distribution/reference would refuse.

    ``str(err)`` is distribution/reference's exact message; ``err.reference`` is the input.
    """

    def __init__(self, message: str, reference: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reference = reference


class InvalidFilter(InvalidArgument):
    """A filter string that containerd's filter parser would refuse.

    ``str(err)`` is containerd's text (``filters: parse error: [labels. >|?|< x]: expected field
    or quoted``); ``err.text`` is the filter and ``err.position`` the character offset the
    message points at, so a notebook or CLI can underline it.
    """

    def __init__(self, message: str, *, text: str = "", position: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position


class InvalidJSON(InvalidArgument):
    """Bytes that Go's ``encoding/json`` would refuse: syntax errors and wrong types.

    ``err.offset`` is the byte offset Go would report (``SyntaxError.Offset``), or -1 for a
    type error without a position.
    """

    def __init__(self, message: str, offset: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class ManifestConflict(InvalidArgument):
    """A manifest whose fields contradict each other (moby's ``media-type: ...`` errors)."""


class InvalidManifest(InvalidArgument):
    """A manifest that parses as JSON but breaks its format's rules."""


class UnsupportedMediaType(InvalidArgument):
    """A media type that no parser here understands."""

    def __init__(self, message: str, media_type: str = "") -> None:
        super().__init__(message)
        self.media_type = media_type


class DeprecatedSchema1ImageError(InvalidArgument):
    """Docker schema1 refused by the deprecation gate, with moby's exact notice as message."""

    def __init__(self, message: str, reference: str = "") -> None:
        super().__init__(message)
        self.reference = reference


class DigestMismatch(FailedPrecondition):
    """Bytes that do not hash to the digest they were promised under."""

    def __init__(self, message: str, *, expected: str = "", actual: str = "") -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual


def category_of(error: BaseException) -> str:
    """The category name of *error*: its own for mstoolkit errors, ``"unknown"`` otherwise."""
    if isinstance(error, MstoolkitError):
        return error.category
    return "unknown"


def __dir__() -> list[str]:
    return sorted(__all__)
