"""The OCI distribution API without I/O: which request to send, what an answer means.

Both clients (:mod:`.client`, :mod:`.aclient`) build a :class:`Call`, perform it their own way
(blocking or async, with retries) to get a :class:`Reply`, and hand the reply back here. So
the rules (names, Accept, verification, pagination, referrers) exist once.

Grammar of the names accepted here (distribution/reference)::

    registry   := host [ ":" port ]                     ; no scheme, no path
    repository := component *( "/" component )          ; at most 255 characters
    component  := alnum *( separator alnum )
    alnum      := 1*[a-z0-9]
    separator  := "." | "_" | "__" | 1*"-"
    tag        := [A-Za-z0-9_] 0*127[A-Za-z0-9_.-]

A reference containing ``:`` is a digest (go-digest rules); anything else must be a tag.
Docker Hub (``docker.io``) is served by ``registry-1.docker.io`` and a one-component name
there means ``library/<name>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import httpx

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, as_digest
from mstoolkit.errors import (
    DigestMismatch,
    InvalidArgument,
    InvalidReference,
    MstoolkitError,
    NotFound,
)
from mstoolkit.mediatypes import INDEX_TYPES, MANIFEST_ACCEPT, OCI_INDEX
from mstoolkit.registry.errors import error_for_response
from mstoolkit.registry.limits import ERROR_BODY_LIMIT
from mstoolkit.registry.models import FetchedManifest
from mstoolkit.registry.ratelimit import parse_rate_limit
from mstoolkit.registry.verify import (
    GENERIC_CONTENT_TYPES,
    header_media_type,
    resolve_media_type,
    verify_digest,
)

__all__ = [
    "Call",
    "DOCKER_HUB",
    "Endpoint",
    "MAX_PAGES",
    "Reply",
    "fallback_referrers",
    "index_descriptors",
    "next_link",
    "parse_manifest_reference",
    "referrers_tag",
    "validate_repository",
]

DOCKER_HUB = "registry-1.docker.io"
_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)")
_REL = re.compile(r'rel\s*=\s*"?([^";]*)"?', re.IGNORECASE)
# json.loads keeps a lone "\ud800" escape as a lone surrogate; Go's decoder (every registry
# client's) gives U+FFFD. Such a name could not even be logged: SQLite refuses the string.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_PAGES = 100_000


def validate_repository(name: str) -> str:
    """*name* if it is a valid repository path, else :class:`InvalidReference`."""
    if not isinstance(name, str) or len(name) > 255 or not _REPOSITORY.fullmatch(name):
        raise InvalidReference(f"invalid repository name {name!r}", str(name))
    return name


def parse_manifest_reference(reference: str | Digest) -> tuple[str, Digest | None]:
    """``(text, digest)`` for a tag or digest; ``digest`` is ``None`` for a tag."""
    if isinstance(reference, Digest):
        return str(reference), reference
    if not isinstance(reference, str):
        raise InvalidReference(f"reference must be a tag or digest, not {reference!r}")
    if ":" in reference:
        digest = as_digest(reference)
        return str(digest), digest
    if not _TAG.fullmatch(reference):
        raise InvalidReference(f"invalid tag {reference!r}", reference)
    return reference, None


def referrers_tag(digest: Digest) -> str:
    """The OCI referrers tag-schema fallback tag: ``<alg>-<hex>``, at most 128 characters."""
    return f"{digest.algorithm}-{digest.encoded}"[:128]


def next_link(headers: httpx.Headers) -> str | None:
    """The ``rel="next"`` target of the ``Link`` headers, or ``None``."""
    for value in headers.get_list("link"):
        for match in _LINK.finditer(value):
            for rel in _REL.finditer(match.group(2)):
                if "next" in rel.group(1).lower().split():
                    return match.group(1).strip()
    return None


@dataclass(frozen=True, slots=True)
class Call:
    """One request to make: ``what`` names it in errors and logs (never with credentials)."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    body_limit: int = ERROR_BODY_LIMIT
    what: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """What came back: status, headers, the final URL and the (capped) body."""

    status: int
    headers: httpx.Headers
    url: httpx.URL
    body: bytes = field(repr=False)


class Endpoint:
    """One registry's base URL and the API rules that turn calls into values."""

    def __init__(self, registry: str, *, insecure: bool, max_manifest_bytes: int) -> None:
        if not isinstance(registry, str) or not registry.strip():
            raise InvalidArgument("registry must be 'host[:port]'")
        text = registry.strip().lower()
        if "://" in text or "/" in text or "@" in text or any(c.isspace() for c in text):
            raise InvalidArgument(
                f"registry must be 'host[:port]' without scheme or path, not {registry!r}"
            )
        if max_manifest_bytes < 1:
            raise InvalidArgument("max_manifest_bytes must be positive")
        self.registry = text
        self.is_docker_hub = text in _DOCKER_HUB_NAMES
        host = DOCKER_HUB if self.is_docker_hub else text
        self.scheme = "http" if insecure and not self.is_docker_hub else "https"
        try:
            url = httpx.URL(f"{self.scheme}://{host}/")
        except httpx.InvalidURL as exc:
            raise InvalidArgument(f"registry {registry!r} is not a valid host[:port]") from exc
        if not url.host:
            raise InvalidArgument(f"registry {registry!r} is not a valid host[:port]")
        self.base_url = url
        self.insecure = insecure
        self.max_manifest_bytes = max_manifest_bytes

    def __repr__(self) -> str:
        return f"Endpoint({self.registry!r}, base_url={str(self.base_url)!r})"

    # -- names -----------------------------------------------------------------------------

    def repository(self, name: str) -> str:
        """The repository path as the registry knows it (Docker Hub's ``library/``)."""
        validate_repository(name)
        if self.is_docker_hub and "/" not in name:
            return f"library/{name}"
        return name

    def url(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """An absolute URL on this registry."""
        return str(self.base_url.copy_with(path=path, params=params or None))

    def same_origin(self, url: httpx.URL) -> bool:
        """Whether *url* is on this registry's origin."""
        base = self.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def follow(self, reply: Reply, link: str) -> str:
        """Resolve a pagination link against the reply; links off this registry are refused."""
        try:
            target = reply.url.join(link)
        except httpx.InvalidURL as exc:
            raise InvalidArgument(
                f"registry {self.registry}: pagination link {link!r} is not a URL"
            ) from exc
        if not self.same_origin(target):
            raise InvalidArgument(f"registry {self.registry}: pagination link leaves the registry")
        return str(target)

    # -- calls -----------------------------------------------------------------------------

    def manifest_call(self, repo: str, reference: str, *, method: str = "GET") -> Call:
        """GET or HEAD a manifest with every manifest type accepted, schema1 last."""
        return Call(
            method,
            self.url(f"/v2/{repo}/manifests/{reference}"),
            MappingProxyType({"Accept": MANIFEST_ACCEPT}),
            self.max_manifest_bytes,
            f"{method} {self.registry}/{repo}:{reference}"
            if ":" not in reference
            else f"{method} {self.registry}/{repo}@{reference}",
        )

    def ping_call(self) -> Call:
        """GET ``/v2/``: is this a registry, and may we talk to it?"""
        return Call("GET", self.url("/v2/"), what=f"GET {self.registry}/v2/")

    def list_call(self, url: str, what: str) -> Call:
        """One page of ``tags/list``, ``_catalog`` or ``referrers``."""
        return Call(
            "GET",
            url,
            MappingProxyType({"Accept": f"application/json, {OCI_INDEX}"}),
            self.max_manifest_bytes,
            what,
        )

    def tags_url(self, repo: str, page_size: int | None) -> str:
        """The first ``tags/list`` page."""
        params = {"n": str(page_size)} if page_size else None
        return self.url(f"/v2/{repo}/tags/list", params)

    def catalog_url(self, page_size: int | None) -> str:
        """The first ``_catalog`` page."""
        params = {"n": str(page_size)} if page_size else None
        return self.url("/v2/_catalog", params)

    def referrers_url(self, repo: str, digest: Digest, artifact_type: str | None) -> str:
        """The referrers API URL (``artifactType`` filter if given)."""
        params = {"artifactType": artifact_type} if artifact_type else None
        return self.url(f"/v2/{repo}/referrers/{digest}", params)

    # -- replies ---------------------------------------------------------------------------

    def error(self, call: Call, reply: Reply) -> MstoolkitError:
        """The exception for a failed reply."""
        return error_for_response(reply.status, reply.body, what=call.what)

    def fetched(
        self, call: Call, reply: Reply, *, repo: str, reference: str, requested: Digest | None
    ) -> FetchedManifest:
        """Verify a manifest GET and describe it; raises for errors and mismatches."""
        if reply.status != 200:
            raise self.error(call, reply)
        raw = reply.body
        content_type = header_media_type(reply.headers.get("content-type"))
        media_type, detected = resolve_media_type(content_type, raw)
        dcd = reply.headers.get("docker-content-digest", "").strip()
        digest = verify_digest(raw, requested=requested, docker_content_digest=dcd)
        return FetchedManifest(
            descriptor=Descriptor(media_type, digest, len(raw)),
            raw=raw,
            content_type=content_type,
            docker_content_digest=dcd,
            detected_media_type=detected,
            rate_limit=parse_rate_limit(reply.headers),
            registry=self.registry,
            repository=repo,
            reference=reference,
        )

    def head_descriptor(
        self, call: Call, reply: Reply, *, requested: Digest | None
    ) -> Descriptor | None:
        """The descriptor a HEAD states, or ``None`` when a GET is needed to know it.

        A HEAD has no body to verify, so its headers are taken at their word when they are
        complete (specific content type, length, digest); otherwise the caller GETs.
        """
        if reply.status != 200:
            raise self.error(call, reply)
        content_type = header_media_type(reply.headers.get("content-type"))
        dcd = reply.headers.get("docker-content-digest", "").strip()
        length = reply.headers.get("content-length", "").strip()
        if content_type in GENERIC_CONTENT_TYPES or not length.isdigit():
            return None
        if not dcd:
            if requested is None:
                return None
            return Descriptor(content_type, requested, int(length))
        if not _is_digest(dcd):
            return None
        claimed = Digest.parse(dcd)
        if requested is not None and claimed != requested:
            raise DigestMismatch(
                f"{call.what}: registry answered with Docker-Content-Digest {claimed}",
                expected=str(requested),
                actual=str(claimed),
            )
        return Descriptor(content_type, claimed, int(length))

    def tags_page(self, call: Call, reply: Reply) -> tuple[list[str], str | None]:
        """The tags on one page and the next page's URL."""
        doc = self._json_object(call, reply)
        tags = doc.get("tags")
        if tags is None:
            tags = []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise InvalidArgument(f"{call.what}: 'tags' is not a list of strings")
        return _go_strings(tags), self._next(reply)

    def catalog_page(self, call: Call, reply: Reply) -> tuple[list[str], str | None]:
        """The repositories on one page and the next page's URL."""
        doc = self._json_object(call, reply)
        repos = doc.get("repositories")
        if repos is None:
            repos = []
        if not isinstance(repos, list) or not all(isinstance(r, str) for r in repos):
            raise InvalidArgument(f"{call.what}: 'repositories' is not a list of strings")
        return _go_strings(repos), self._next(reply)

    def referrers_page(
        self, call: Call, reply: Reply, artifact_type: str | None
    ) -> tuple[list[Descriptor], str | None] | None:
        """The referrers on one API page and the next URL; ``None`` if the API is missing."""
        if reply.status == 404:
            return None
        doc = self._json_object(call, reply)
        applied = reply.headers.get("oci-filters-applied", "")
        filtered = "artifacttype" in {f.strip().lower() for f in applied.split(",")}
        found = index_descriptors(doc, call.what)
        if artifact_type and not filtered:
            found = [d for d in found if d.artifact_type == artifact_type]
        return found, self._next(reply)

    def _next(self, reply: Reply) -> str | None:
        link = next_link(reply.headers)
        return self.follow(reply, link) if link else None

    def _json_object(self, call: Call, reply: Reply) -> dict[str, object]:
        if reply.status != 200:
            raise self.error(call, reply)
        try:
            doc = json.loads(reply.body)
        except (ValueError, RecursionError) as exc:
            raise InvalidArgument(f"{call.what}: answer is not JSON") from exc
        if not isinstance(doc, dict):
            raise InvalidArgument(f"{call.what}: answer is not a JSON object")
        return doc


def _go_strings(names: list[str]) -> list[str]:
    """*names* as Go would have decoded them: each lone surrogate escape is U+FFFD."""
    return [_LONE_SURROGATE.sub("\ufffd", name) for name in names]


def _is_digest(value: str) -> bool:
    try:
        Digest.parse(value)
    except MstoolkitError:
        return False
    return True


def index_descriptors(doc: Mapping[str, object], what: str) -> list[Descriptor]:
    """The ``manifests`` of an index document as descriptors."""
    manifests = doc.get("manifests")
    if manifests is None:
        return []
    if not isinstance(manifests, list):
        raise InvalidArgument(f"{what}: 'manifests' is not a list")
    return [
        Descriptor.from_dict(item, where=f"{what}: manifests[{i}]")
        for i, item in enumerate(manifests)
    ]


def fallback_referrers(fetched: FetchedManifest, artifact_type: str | None) -> list[Descriptor]:
    """The referrers listed by a tag-schema fallback index."""
    if fetched.media_type not in INDEX_TYPES:
        raise NotFound(
            f"{fetched.registry}/{fetched.repository}:{fetched.reference} is not an index"
        )
    try:
        doc = json.loads(fetched.raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgument("referrers fallback index is not JSON") from exc
    if not isinstance(doc, dict):
        raise InvalidArgument("referrers fallback index is not a JSON object")
    found = index_descriptors(doc, f"referrers index {fetched.reference}")
    if artifact_type:
        found = [d for d in found if d.artifact_type == artifact_type]
    return found


def __dir__() -> list[str]:
    return sorted(__all__)
