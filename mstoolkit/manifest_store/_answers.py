"""Remotes that answer from what was already fetched, so one algorithm serves sync and async.

:meth:`ManifestStore.serve` is synchronous and asks its remote only when the seed's algorithm
says so. A pull that resolved a tag with GET, and an audit that fetches on an event loop,
hand it a :class:`Prefetched` remote instead: it answers from the responses in hand, and for
anything else either delegates (pull) or raises :class:`NeedRemote` (audit), which unwinds
``serve`` like a cancellation (it is a ``BaseException``, so the seed's "fall back on any
local error" handlers do not swallow it, while the ingest is still aborted); the audit then
makes the request on its event loop and calls ``serve`` again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mstoolkit.digest import Digest, DigestLike, as_digest

if TYPE_CHECKING:
    from mstoolkit.manifest_store.protocols import FetchedLike, ManifestGetter


class NeedRemote(BaseException):
    """``serve`` needs a registry answer that the caller has not fetched yet."""

    def __init__(self, kind: str, repo: str, reference: str) -> None:
        super().__init__(f"{kind} {repo} {reference}")
        self.kind = kind
        self.repo = repo
        self.reference = reference


@dataclass(slots=True)
class Prefetched:
    """A ``ManifestGetter`` answering from responses in hand, else asking *fallback*."""

    fallback: ManifestGetter | None = None
    answers: dict[str, FetchedLike] = field(default_factory=dict)
    existing: dict[tuple[str, Digest], bool] = field(default_factory=dict)

    def add(self, answer: FetchedLike) -> None:
        """Keep *answer* for a GET of its digest."""
        self.answers[str(answer.descriptor.digest)] = answer

    def get_manifest(self, repo: str, reference: str, /) -> FetchedLike:
        answer = self.answers.get(reference)
        if answer is not None:
            return answer
        if self.fallback is None:
            raise NeedRemote("get", repo, reference)
        return self.fallback.get_manifest(repo, reference)

    def exists(self, repo: str, digest: DigestLike, /) -> bool:
        key = (repo, as_digest(digest))
        known = self.existing.get(key)
        if known is not None:
            return known
        if self.fallback is None:
            raise NeedRemote("exists", repo, str(key[1]))
        return self.fallback.exists(repo, digest)
