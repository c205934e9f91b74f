"""Manifest models: read-only views over the exact bytes a registry served.

Raw bytes are the truth (go-containerregistry's ``RawManifest``): every model keeps them in
``.raw``, its digest is computed over them (for signed schema1, over the JWS payload they
carry, as registries compute it) and every other attribute is parsed from them once. Nothing
here re-serialises JSON, because a re-serialised manifest has a different digest.

Build models with :func:`mstoolkit.manifest.parse_manifest`; the constructors exist for it
and for tests, and they do not check that the fields agree with ``raw``.

The five types share the :class:`Manifest` protocol. Code that needs the type-specific parts
narrows with ``isinstance`` (or ``match``): images have ``config``/``layers``, indexes have
``manifests``/``platforms()``, schema1 has ``fs_layers``/``history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Protocol, runtime_checkable

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import Digest
from mstoolkit.mediatypes import (
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    OCI_INDEX,
    OCI_MANIFEST,
)

__all__ = [
    "AnyManifest",
    "DOCKER_SCHEMA1_LAYER",
    "DockerManifestList",
    "DockerSchema1",
    "DockerSchema2",
    "Manifest",
    "OCIIndex",
    "OCIManifest",
]

#: The media type distribution's schema1 ``References()`` gives every ``fsLayers`` entry.
DOCKER_SCHEMA1_LAYER: Final = "application/vnd.docker.container.image.rootfs.diff+x-gtar"

_NO_ANNOTATIONS: Mapping[str, str] = MappingProxyType({})


def _no_annotations() -> Mapping[str, str]:
    return _NO_ANNOTATIONS


@runtime_checkable
class Manifest(Protocol):
    """What every parsed manifest offers, whatever its format."""

    @property
    def raw(self) -> bytes:
        """The exact bytes that were parsed."""
        ...

    @property
    def media_type(self) -> str:
        """The media type this manifest is, as distribution registers it."""
        ...

    @property
    def digest(self) -> Digest:
        """The content address registries give this manifest."""
        ...

    @property
    def schema_version(self) -> int:
        """The ``schemaVersion`` field (1 for schema1, 2 for everything else)."""
        ...

    @property
    def annotations(self) -> Mapping[str, str]:
        """Top-level annotations (empty for the Docker formats, which have none)."""
        ...

    @property
    def size(self) -> int:
        """The length of the bytes the digest covers."""
        ...

    def descriptors(self) -> tuple[Descriptor, ...]:
        """The blobs and manifests this one references (never its ``subject``)."""
        ...

    def descriptor(self) -> Descriptor:
        """A descriptor pointing at this manifest."""
        ...


class _Base:
    """Behaviour shared by the five models (no fields: the dataclasses declare them)."""

    __slots__ = ()

    raw: bytes
    digest: Digest

    @property
    def media_type(self) -> str:
        raise NotImplementedError

    @property
    def annotations(self) -> Mapping[str, str]:
        return _NO_ANNOTATIONS

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def artifact_type(self) -> str:
        return ""

    @property
    def subject(self) -> Descriptor | None:
        return None

    def descriptor(self) -> Descriptor:
        return Descriptor(
            self.media_type,
            self.digest,
            self.size,
            annotations=self.annotations,
            artifact_type=self.artifact_type,
        )

    def __eq__(self, other: object) -> bool:
        # Every field is parsed from ``raw``, so the bytes decide; comparing the parsed
        # annotations mapping field by field would only repeat that, slower.
        if type(other) is not type(self) or not isinstance(other, _Base):
            return NotImplemented
        return self.raw == other.raw

    def __hash__(self) -> int:
        # The digest names the content; re-signed schema1 bodies share it, so they are
        # unequal yet hash alike, which a hash allows.
        return hash((type(self).__name__, self.digest))


@dataclass(frozen=True, slots=True, eq=False)
class DockerSchema1(_Base):
    """A Docker image manifest v2, schema 1, signed (``v1+prettyjws``) or not (``v1+json``).

    Every field comes from :attr:`canonical_payload`, the signature-free JSON the
    signatures cover, because that is what distribution parses and what the digest names.
    ``fs_layers`` and ``history`` keep the manifest's order, which is newest layer first
    (the reverse of schema2's base-first order).
    """

    raw: bytes = field(repr=False)
    digest: Digest
    canonical_payload: bytes = field(repr=False)
    signed: bool
    signatures: int
    schema_version: int
    name: str
    tag: str
    architecture: str
    fs_layers: tuple[Digest, ...]
    history: tuple[str, ...] = field(repr=False)

    @property
    def media_type(self) -> str:
        return DOCKER_SCHEMA1_SIGNED if self.signed else DOCKER_SCHEMA1

    @property
    def size(self) -> int:
        return len(self.canonical_payload)

    @property
    def layers(self) -> tuple[Descriptor, ...]:
        """``fs_layers`` as descriptors, as distribution's ``References()`` builds them.

        Same order (newest first) and duplicates kept. The size is -1, "unknown": schema1
        does not record layer sizes (distribution leaves the field 0, which would read as an
        empty blob in a size sum).
        """
        return tuple(Descriptor(DOCKER_SCHEMA1_LAYER, d, -1) for d in self.fs_layers)

    def descriptors(self) -> tuple[Descriptor, ...]:
        return self.layers


@dataclass(frozen=True, slots=True, eq=False)
class DockerSchema2(_Base):
    """A Docker image manifest v2, schema 2."""

    raw: bytes = field(repr=False)
    digest: Digest
    schema_version: int
    config: Descriptor
    layers: tuple[Descriptor, ...]

    @property
    def media_type(self) -> str:
        return DOCKER_SCHEMA2

    def descriptors(self) -> tuple[Descriptor, ...]:
        return (self.config, *self.layers)


@dataclass(frozen=True, slots=True, eq=False)
class OCIManifest(_Base):
    """An OCI image manifest (images and, with ``artifact_type``, OCI 1.1 artifacts).

    ``declared_media_type`` is what the body says: the OCI spec lets it be absent, and an
    audit may want to count the manifests that leave it out.
    """

    raw: bytes = field(repr=False)
    digest: Digest
    schema_version: int
    declared_media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    artifact_type: str = ""
    subject: Descriptor | None = None
    annotations: Mapping[str, str] = field(default_factory=_no_annotations, repr=False)

    @property
    def media_type(self) -> str:
        return OCI_MANIFEST

    def descriptors(self) -> tuple[Descriptor, ...]:
        return (self.config, *self.layers)


@dataclass(frozen=True, slots=True, eq=False)
class DockerManifestList(_Base):
    """A Docker manifest list: one schema2 manifest per platform."""

    raw: bytes = field(repr=False)
    digest: Digest
    schema_version: int
    manifests: tuple[Descriptor, ...]

    @property
    def media_type(self) -> str:
        return DOCKER_MANIFEST_LIST

    def descriptors(self) -> tuple[Descriptor, ...]:
        return self.manifests

    def platforms(self) -> tuple[Platform | None, ...]:
        """The platform of each child, in order (None where a child names none)."""
        return tuple(d.platform for d in self.manifests)


@dataclass(frozen=True, slots=True, eq=False)
class OCIIndex(_Base):
    """An OCI image index (multi-platform images, image-layout ``index.json``, referrers)."""

    raw: bytes = field(repr=False)
    digest: Digest
    schema_version: int
    declared_media_type: str
    manifests: tuple[Descriptor, ...]
    artifact_type: str = ""
    subject: Descriptor | None = None
    annotations: Mapping[str, str] = field(default_factory=_no_annotations, repr=False)

    @property
    def media_type(self) -> str:
        return OCI_INDEX

    def descriptors(self) -> tuple[Descriptor, ...]:
        return self.manifests

    def platforms(self) -> tuple[Platform | None, ...]:
        """The platform of each child, in order (None where a child names none)."""
        return tuple(d.platform for d in self.manifests)


#: The closed set of models, for exhaustive ``match`` statements.
AnyManifest = DockerSchema1 | DockerSchema2 | OCIManifest | DockerManifestList | OCIIndex


def __dir__() -> list[str]:
    return sorted(__all__)
