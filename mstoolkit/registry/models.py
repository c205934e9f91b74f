"""What a registry answered: the fetched manifest and the rate-limit figures that came with it.

Value types only. The raw bytes are the truth (go-containerregistry's ``RawManifest``): the
descriptor is derived from them and verified, and what the response *said* (content type,
``Docker-Content-Digest``) is kept next to what the body *is* (the detector's answer), because
an audit is about the cases where the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mstoolkit.descriptor import Descriptor

__all__ = ["FetchedManifest", "RateLimit"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A registry's pull quota as its ``RateLimit-*`` headers state it (Docker Hub style).

    ``None`` means the registry did not say; ``source`` is ``docker-ratelimit-source`` (the
    account or address the quota is counted against), ``""`` when absent.
    """

    limit: int | None
    remaining: int | None
    window_seconds: int | None
    source: str = ""


@dataclass(frozen=True, slots=True)
class FetchedManifest:
    """One manifest as served, after its digest was verified.

    ``descriptor`` carries the verified digest (for signed schema1 the digest of the canonical
    JWS payload, as the registry computes it), the resolved media type and ``len(raw)``.
    ``content_type`` is the response header as sent (parameters stripped, ``""`` if missing);
    ``detected_media_type`` is the detector's verdict on the bytes (``""`` if it could not
    classify them). ``reference`` is the tag or digest that was asked for.
    """

    descriptor: Descriptor
    raw: bytes = field(repr=False)
    content_type: str
    docker_content_digest: str
    detected_media_type: str
    rate_limit: RateLimit | None
    registry: str
    repository: str
    reference: str

    @property
    def media_type(self) -> str:
        """The resolved media type (the descriptor's)."""
        return self.descriptor.media_type

    @property
    def digest(self) -> str:
        """The verified digest as a string."""
        return str(self.descriptor.digest)


def __dir__() -> list[str]:
    return sorted(__all__)
