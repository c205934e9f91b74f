"""Descriptors and platforms: the OCI content-descriptor value types.

Frozen value objects, so that a descriptor taken from a manifest can be a dict key, a set
member or a DataFrame cell without anyone mutating it behind the manifest's back. ``from_dict``
accepts the JSON form (camelCase keys) and raises :class:`InvalidArgument` for anything that
is not a descriptor, never ``KeyError``/``TypeError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import InvalidArgument, InvalidDigest

__all__ = [
    "Descriptor",
    "Platform",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})
#: A descriptor's size is an int64 (OCI image-spec, Go's ``Descriptor.Size``): Go's decoder
#: refuses anything larger, and pandas' Int64 columns cannot hold it.
_MAX_SIZE = (1 << 63) - 1


def _str(obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidArgument(f"{where}: missing {key!r}")
        return ""
    if not isinstance(value, str):
        raise InvalidArgument(f"{where}: {key!r} must be a string, not {type(value).__name__}")
    return value


def _str_map(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, str]:
    value = obj.get(key)
    if value is None:
        return _EMPTY
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidArgument(f"{where}: {key!r} must be an object of strings")
    return MappingProxyType(dict(value))


def _str_tuple(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidArgument(f"{where}: {key!r} must be an array of strings")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Platform:
    """The platform an image runs on (``os``/``architecture``/``variant`` and friends)."""

    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""
    os_features: tuple[str, ...] = ()
    features: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, obj: object) -> Platform:
        """Build from the JSON form; bad shapes raise :class:`InvalidArgument`."""
        if not isinstance(obj, Mapping):
            raise InvalidArgument(f"platform must be an object, not {type(obj).__name__}")
        where = "platform"
        return cls(
            os=_str(obj, "os", where),
            architecture=_str(obj, "architecture", where),
            variant=_str(obj, "variant", where),
            os_version=_str(obj, "os.version", where),
            os_features=_str_tuple(obj, "os.features", where),
            features=_str_tuple(obj, "features", where),
        )

    @classmethod
    def parse(cls, value: str) -> Platform:
        """Parse ``os/arch[/variant]`` as ``docker pull --platform`` takes it."""
        parts = value.split("/")
        if not 2 <= len(parts) <= 3 or not all(parts):
            raise InvalidArgument(f"invalid platform {value!r}: expected os/arch[/variant]")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, omitting empty fields as the OCI spec's ``omitempty`` does."""
        out: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            out["os.version"] = self.os_version
        if self.os_features:
            out["os.features"] = list(self.os_features)
        if self.variant:
            out["variant"] = self.variant
        if self.features:
            out["features"] = list(self.features)
        return out

    def matches(self, other: Platform) -> bool:
        """Whether *other* (a requested platform) selects this one; an empty variant in the
        request matches any variant."""
        return (
            self.os == other.os
            and self.architecture == other.architecture
            and (not other.variant or self.variant == other.variant)
        )

    def __str__(self) -> str:
        parts = [self.os, self.architecture] + ([self.variant] if self.variant else [])
        return "/".join(parts)


@dataclass(frozen=True, slots=True, init=False, eq=False, repr=False)
class Descriptor:
    """An OCI content descriptor: what a manifest says about a blob it points at.

    Equality compares every field; the hash uses the identifying triple (media type, digest,
    size), so equal descriptors hash alike while annotations stay read-only mappings.
    """

    media_type: str
    digest: Digest
    size: int
    annotations: Mapping[str, str]
    platform: Platform | None
    artifact_type: str
    urls: tuple[str, ...]

    def __init__(
        self,
        media_type: str,
        digest: DigestLike,
        size: int,
        *,
        annotations: Mapping[str, str] | None = None,
        platform: Platform | None = None,
        artifact_type: str | None = None,
        urls: tuple[str, ...] | list[str] | None = None,
    ) -> None:
        if not isinstance(size, int) or isinstance(size, bool) or size < -1:
            raise InvalidArgument(f"descriptor size must be an integer >= -1, not {size!r}")
        if size > _MAX_SIZE:
            raise InvalidArgument(f"descriptor size must fit in an int64, not {size}")
        object.__setattr__(self, "media_type", media_type or "")
        object.__setattr__(self, "digest", as_digest(digest))
        object.__setattr__(self, "size", size)
        object.__setattr__(
            self, "annotations", MappingProxyType(dict(annotations)) if annotations else _EMPTY
        )
        object.__setattr__(self, "platform", platform)
        object.__setattr__(self, "artifact_type", artifact_type or "")
        object.__setattr__(self, "urls", tuple(urls) if urls else ())

    def __hash__(self) -> int:
        return hash((self.media_type, self.digest, self.size))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Descriptor):
            return NotImplemented
        return (
            self.media_type == other.media_type
            and self.digest == other.digest
            and self.size == other.size
            and dict(self.annotations) == dict(other.annotations)
            and self.platform == other.platform
            and self.artifact_type == other.artifact_type
            and self.urls == other.urls
        )

    @classmethod
    def from_dict(cls, obj: object, *, where: str = "descriptor") -> Descriptor:
        """Build from the JSON form; anything malformed raises :class:`InvalidArgument`."""
        if not isinstance(obj, Mapping):
            raise InvalidArgument(f"{where} must be an object, not {type(obj).__name__}")
        size = obj.get("size", 0)
        if size is None:
            size = 0
        if not isinstance(size, int) or isinstance(size, bool):
            raise InvalidArgument(f"{where}: 'size' must be an integer")
        if size > _MAX_SIZE:
            raise InvalidArgument(f"{where}: 'size' {size} does not fit in an int64")
        try:
            digest = Digest.parse(_str(obj, "digest", where, required=True))
        except InvalidDigest as exc:
            raise InvalidDigest(exc.go_message, f"{where}: {exc.value}") from exc
        platform_obj = obj.get("platform")
        return cls(
            _str(obj, "mediaType", where),
            digest,
            size,
            annotations=_str_map(obj, "annotations", where),
            platform=Platform.from_dict(platform_obj) if platform_obj is not None else None,
            artifact_type=_str(obj, "artifactType", where),
            urls=_str_tuple(obj, "urls", where),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, omitting empty optional fields."""
        out: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": str(self.digest),
            "size": self.size,
        }
        if self.urls:
            out["urls"] = list(self.urls)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.platform is not None:
            out["platform"] = self.platform.to_dict()
        if self.artifact_type:
            out["artifactType"] = self.artifact_type
        return out

    def __repr__(self) -> str:
        return f"Descriptor({self.media_type!r}, {str(self.digest)!r}, {self.size})"


def __dir__() -> list[str]:
    return sorted(__all__)
