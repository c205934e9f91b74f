"""mstoolkit: audit container registries from Jupyter.

The top level re-exports the stdlib-light API. Layers that pull in pandas, matplotlib or
ipywidgets (``mstoolkit.catalog``, ``mstoolkit.plots``, ``mstoolkit.widgets``) are imported
on first use, so ``import mstoolkit`` stays cheap in every kernel.
"""

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import Digest
from mstoolkit.errors import (
    AlreadyExists,
    DeprecatedSchema1ImageError,
    DigestMismatch,
    FailedPrecondition,
    InvalidArgument,
    InvalidDigest,
    InvalidFilter,
    InvalidJSON,
    InvalidManifest,
    InvalidReference,
    ManifestConflict,
    MstoolkitError,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from mstoolkit.manifest import (
    DockerManifestList,
    DockerSchema1,
    DockerSchema2,
    Manifest,
    OCIIndex,
    OCIManifest,
    detect_media_type,
    manifest_digest,
    parse_manifest,
)
from mstoolkit.mediatypes import MediaType
from mstoolkit.reference import Reference, parse_reference

__all__ = [
    "AlreadyExists",
    "DeprecatedSchema1ImageError",
    "Descriptor",
    "Digest",
    "DigestMismatch",
    "DockerManifestList",
    "DockerSchema1",
    "DockerSchema2",
    "FailedPrecondition",
    "InvalidArgument",
    "InvalidDigest",
    "InvalidFilter",
    "InvalidJSON",
    "InvalidManifest",
    "InvalidReference",
    "Manifest",
    "ManifestConflict",
    "MediaType",
    "MstoolkitError",
    "NotFound",
    "OCIIndex",
    "OCIManifest",
    "PermissionDenied",
    "Platform",
    "Reference",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "UnsupportedMediaType",
    "detect_media_type",
    "manifest_digest",
    "parse_manifest",
    "parse_reference",
]

__version__ = "0.1.0"


def __dir__() -> list[str]:
    return sorted(__all__)
