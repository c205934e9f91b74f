"""A public fake remote for tests and notebooks: an in-memory registry that counts its calls.

The manifest store's promises are about *how often* it talks to the registry (a cached get
makes no call at all, a digest pinned to a foreign repository costs exactly one HEAD), so
the fake counts every call and can be told to fail, the way moby's own tests use their
``mockManifestGetter``. It behaves like a registry per repository: a digest pushed to one
repository is unknown in another.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import InvalidDigest, NotFound
from mstoolkit.manifest.detect import detect_media_type
from mstoolkit.manifest.schema1 import manifest_digest

__all__ = [
    "AsyncCountingClient",
    "CountingRemote",
    "FakeAnswer",
]


@dataclass(frozen=True, slots=True)
class FakeAnswer:
    """What :meth:`CountingRemote.get_manifest` returns (the shape of a registry answer)."""

    descriptor: Descriptor
    raw: bytes
    registry: str
    repository: str
    reference: str
    content_type: str
    rate_limit: None = None


@dataclass(slots=True)
class _Repository:
    blobs: dict[Digest, Descriptor] = field(default_factory=dict)
    raw: dict[Digest, bytes] = field(default_factory=dict)
    tags: dict[str, Digest] = field(default_factory=dict)


class CountingRemote:
    """An in-memory registry with ``get_manifest``/``head_manifest``/``exists`` that counts.

    ``push(repo, raw, tags=...)`` adds a manifest; ``calls`` counts each method by name
    (``calls["get_manifest"]``); ``fail(error, method=...)`` makes that method (or every
    method) raise *error* until ``fail(None)``.
    """

    def __init__(self, registry: str = "registry.test") -> None:
        self.registry = registry
        self.calls: Counter[str] = Counter()
        self.log: list[tuple[str, str, str]] = []
        self._repos: dict[str, _Repository] = {}
        self._failures: dict[str, BaseException] = {}

    def __repr__(self) -> str:
        return f"CountingRemote({self.registry!r}, repositories={sorted(self._repos)})"

    @property
    def gets(self) -> int:
        """Manifest GETs so far."""
        return self.calls["get_manifest"]

    @property
    def heads(self) -> int:
        """HEADs so far (tag resolutions and existence checks)."""
        return self.calls["head_manifest"] + self.calls["exists"]

    def reset(self) -> None:
        """Forget the counts (the content stays)."""
        self.calls.clear()
        self.log.clear()

    def push(
        self,
        repo: str,
        raw: bytes,
        *,
        tags: tuple[str, ...] | list[str] = (),
        media_type: str | None = None,
    ) -> Descriptor:
        """Store *raw* in *repo* (under *tags* too) and return its descriptor.

        The digest is the registry's: the canonical payload digest for signed schema1.
        """
        mt = media_type if media_type is not None else detect_media_type(raw, allow_schema1=True)
        digest = manifest_digest(raw, mt)
        desc = Descriptor(mt, digest, len(raw))
        repository = self._repos.setdefault(repo, _Repository())
        repository.blobs[digest] = desc
        repository.raw[digest] = raw
        for tag in tags:
            repository.tags[tag] = digest
        return desc

    def delete(self, repo: str, digest: DigestLike) -> None:
        """Remove a manifest from *repo* and the tags that point at it."""
        repository = self._repos.get(repo)
        dgst = as_digest(digest)
        if repository is None or dgst not in repository.blobs:
            raise NotFound(f"manifest {dgst} not found in {repo}")
        del repository.blobs[dgst]
        del repository.raw[dgst]
        for tag in [t for t, d in repository.tags.items() if d == dgst]:
            del repository.tags[tag]

    def fail(self, error: BaseException | None, *, method: str = "*") -> None:
        """Make *method* (``"*"`` = all) raise *error*; ``None`` stops failing."""
        if error is None:
            self._failures.clear()
        else:
            self._failures[method] = error

    def repositories(self) -> list[str]:
        """The repositories, sorted (as ``_catalog`` lists them)."""
        return sorted(self._repos)

    def tags(self, repo: str) -> list[str]:
        """The tags of *repo*."""
        self._call("tags", repo, "")
        repository = self._repos.get(repo)
        if repository is None:
            raise NotFound(f"repository name not known to registry: {repo}")
        return list(repository.tags)

    def get_manifest(self, repo: str, reference: str, /) -> FakeAnswer:
        """The manifest *reference* (tag or digest) of *repo*."""
        self._call("get_manifest", repo, reference)
        desc = self._lookup(repo, str(reference))
        raw = self._repos[repo].raw[desc.digest]
        return FakeAnswer(desc, raw, self.registry, repo, str(reference), desc.media_type)

    def head_manifest(self, repo: str, reference: str, /) -> Descriptor:
        """The descriptor of *reference* in *repo*."""
        self._call("head_manifest", repo, reference)
        return self._lookup(repo, str(reference))

    def exists(self, repo: str, digest: DigestLike, /) -> bool:
        """Whether *repo* has the manifest *digest*."""
        self._call("exists", repo, str(digest))
        repository = self._repos.get(repo)
        return repository is not None and as_digest(digest) in repository.blobs

    def _call(self, method: str, repo: str, reference: str) -> None:
        self.calls[method] += 1
        self.log.append((method, repo, reference))
        error = self._failures.get(method) or self._failures.get("*")
        if error is not None:
            raise error

    def _lookup(self, repo: str, reference: str) -> Descriptor:
        repository = self._repos.get(repo)
        if repository is not None:
            digest = repository.tags.get(reference)
            if digest is None and ":" in reference:
                try:
                    digest = Digest.parse(reference)
                except InvalidDigest:
                    digest = None
            if digest is not None and digest in repository.blobs:
                return repository.blobs[digest]
        raise NotFound(f"manifest unknown: {repo}:{reference}")


class AsyncCountingClient:
    """The async client surface the audit uses, over a :class:`CountingRemote`.

    *delay* seconds are awaited before each call, so tests can keep requests in flight (and
    interrupt an audit half-way) without a network.
    """

    def __init__(self, remote: CountingRemote, *, delay: float = 0.0) -> None:
        self.remote = remote
        self.delay = delay

    async def __aenter__(self) -> AsyncCountingClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def _pause(self) -> None:
        await asyncio.sleep(self.delay)

    async def catalog(self) -> AsyncIterator[str]:
        """The repositories, as ``_catalog`` lists them."""
        await self._pause()
        self.remote.calls["catalog"] += 1
        for repo in self.remote.repositories():
            yield repo

    async def tags(self, repo: str) -> AsyncIterator[str]:
        """The tags of *repo*."""
        await self._pause()
        for tag in self.remote.tags(repo):
            yield tag

    async def head_manifest(self, repo: str, reference: str) -> Descriptor:
        """See :meth:`CountingRemote.head_manifest`."""
        await self._pause()
        return self.remote.head_manifest(repo, reference)

    async def get_manifest(self, repo: str, reference: str) -> FakeAnswer:
        """See :meth:`CountingRemote.get_manifest`."""
        await self._pause()
        return self.remote.get_manifest(repo, reference)

    async def exists(self, repo: str, digest: DigestLike) -> bool:
        """See :meth:`CountingRemote.exists`."""
        await self._pause()
        return self.remote.exists(repo, digest)


def __dir__() -> list[str]:
    return sorted(__all__)
