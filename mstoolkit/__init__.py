"""mstoolkit: audit container registries from Jupyter.

The top level re-exports the stdlib-light API. Layers that pull in pandas, matplotlib or
ipywidgets (``mstoolkit.catalog``, ``mstoolkit.plots``, ``mstoolkit.widgets``) are imported
on first use, so ``import mstoolkit`` stays cheap in every kernel.
"""

import importlib
from typing import TYPE_CHECKING, Any

from mstoolkit.content import LocalStore, MemoryStore
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
from mstoolkit.manifest_store import AuditResult, ManifestStore, PullResult
from mstoolkit.mediatypes import MediaType
from mstoolkit.reference import Reference, parse_reference
from mstoolkit.registry import AsyncRegistryClient, RegistryClient

if TYPE_CHECKING:
    from mstoolkit.catalog import Catalog
    from mstoolkit.catalog.classify import classify

__all__ = [
    "AlreadyExists",
    "AsyncRegistryClient",
    "AuditResult",
    "Catalog",
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
    "LocalStore",
    "Manifest",
    "ManifestConflict",
    "ManifestStore",
    "MediaType",
    "MemoryStore",
    "MstoolkitError",
    "NotFound",
    "OCIIndex",
    "OCIManifest",
    "PermissionDenied",
    "Platform",
    "PullResult",
    "Reference",
    "RegistryClient",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "UnsupportedMediaType",
    "classify",
    "detect_media_type",
    "manifest_digest",
    "parse_manifest",
    "parse_reference",
]

__version__ = "0.1.0"


#: Names served from layers that import pandas; loaded on first attribute access (PEP 562)
#: so that ``import mstoolkit`` never pays for pandas in a kernel that does not use it.
_PANDAS_LAYER = {"Catalog": "mstoolkit.catalog", "classify": "mstoolkit.catalog"}


def __getattr__(name: str) -> Any:
    module_name = _PANDAS_LAYER.get(name)
    if module_name is None:
        raise AttributeError(f"module 'mstoolkit' has no attribute {name!r}")
    return getattr(importlib.import_module(module_name), name)


def __dir__() -> list[str]:
    return sorted(__all__)
