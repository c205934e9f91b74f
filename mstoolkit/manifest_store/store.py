"""The seed's ``manifestStore``: serve manifests from a content store, fetch what it lacks.

``ManifestStore.get`` follows moby's ``distribution/manifest.go`` step for step, because the
order of those steps *is* the security fix of GHSA-vjgr-4595-fc6r: a manifest pinned by
digest is served from the cache only for a repository that is known to hold it (the
``containerd.io/distribution.source.<domain>`` label), otherwise the registry is asked first.

Where we differ from the seed, on purpose:

1. **A cached read is not a write.** The seed rewrites the distribution-source label on every
   cached read; we update it only when the repository is not in it yet.
2. **Signed schema1 is cached under its canonical digest.** The registry identifies a signed
   schema1 manifest by the digest of its signature-free payload and re-signs it on every GET,
   so the signed bytes never hash to that digest and moby's commit always fails on them. We
   store the canonical payload (the bytes the registry itself stores) under its digest; a
   cached read then gives the unsigned ``v1+json`` form of the same manifest.
3. **What is fetched is checked.** A remote answer that does not hash to the digest asked for
   raises :class:`DigestMismatch` instead of being served (moby relies on its client for it).
4. **Only our own ingest is aborted.** When the writer could not be opened (for instance, the
   ref is locked by another process's pull) there is nothing of ours to abort; the seed's
   unconditional ``Abort`` would remove the other process's ingest.
5. **An ingest left by a killed process is rewound** (``truncate(0)``) before the payload is
   written, so a resumed pull commits the right bytes instead of appending to a stale prefix.
6. **A held blob is found by a metadata lookup, not a writer probe.** The seed opens a writer
   only to learn "already exists"; that takes the ref's cross-process lock (slow), and while
   another process pulls the same ref it makes the seed skip the cache. We open a writer only
   for content the store lacks; a blob committed in between still gives ``AlreadyExists``
   and the seed's branch.
7. **Parsed manifests are memoised by digest.** Content is immutable under its digest, so a
   manifest parsed once is the same value for ever; a cached get then costs one metadata
   lookup (which also proves the blob is still there and gives the current labels).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.digest import DigestLike
from mstoolkit.errors import AlreadyExists, DigestMismatch, NotFound, Unavailable
from mstoolkit.labels import (
    distribution_source_label,
    has_distribution_source,
    make_ref_key,
)
from mstoolkit.manifest.detect import detect_media_type
from mstoolkit.manifest.models import DockerSchema1, Manifest
from mstoolkit.manifest.parse import parse_manifest
from mstoolkit.manifest_store._sources import add_source
from mstoolkit.manifest_store.protocols import (
    ContentStore,
    ContentWriter,
    FetchedLike,
    ManifestGetter,
)
from mstoolkit.mediatypes import SCHEMA1_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mstoolkit.content import Info
    from mstoolkit.manifest_store.audit import AsyncRegistry, Resolve
    from mstoolkit.manifest_store.results import AuditResult, FetchRow, PullResult
    from mstoolkit.reference import Reference
    from mstoolkit.registry.auth import AuthLike

__all__ = [
    "ManifestStore",
    "Served",
    "Source",
]

#: The ref prefixes :func:`mstoolkit.labels.make_ref_key` gives manifests (ours to sweep).
_MANIFEST_REF_PREFIXES = ("manifest-", "index-", "unknown-")

#: Parsed manifests kept by :class:`ManifestStore` (a few MB at typical manifest sizes).
DEFAULT_MEMO_SIZE = 4096


class Source(StrEnum):
    """Where :meth:`ManifestStore.serve` got a manifest from."""

    CACHE = "cache"
    REMOTE = "remote"


@dataclass(frozen=True, slots=True)
class Served:
    """One :meth:`ManifestStore.serve` answer: the manifest and how it was obtained."""

    manifest: Manifest
    source: Source
    #: True when the manifest is in the content store after the call.
    persisted: bool
    #: The remote's answer when ``source`` is ``REMOTE`` (rate-limit figures live there).
    remote_answer: FetchedLike | None = None


class ManifestStore:
    """Manifests cached in a content store, fetched from a registry when missing.

    ``local`` is a content store (``mstoolkit.content.LocalStore`` or ``MemoryStore``);
    ``remote`` is anything with ``get_manifest(repo, reference)`` and ``exists(repo, digest)``
    (``mstoolkit.registry.RegistryClient`` is one). The repository comes from the reference
    passed to :meth:`get`, so one store serves every repository of one registry.
    """

    def __init__(
        self,
        local: ContentStore,
        remote: ManifestGetter,
        *,
        logger: logging.Logger | None = None,
        memo_size: int = DEFAULT_MEMO_SIZE,
    ) -> None:
        self._local = local
        self._remote = remote
        self._log = logger if logger is not None else logging.getLogger(__name__)
        self._memo: OrderedDict[str, Manifest] = OrderedDict()
        self._memo_size = max(0, memo_size)
        self._memo_lock = threading.Lock()
        self._label_lock = threading.Lock()

    @property
    def local(self) -> ContentStore:
        """The content store the manifests are cached in."""
        return self._local

    @property
    def remote(self) -> ManifestGetter:
        """The registry the manifests come from."""
        return self._remote

    def __repr__(self) -> str:
        return f"ManifestStore(local={self._local!r}, remote={self._remote!r})"

    # -- the seed's API -------------------------------------------------------------------

    def get(self, desc: Descriptor, ref: Reference) -> Manifest:
        """The manifest *desc* points at, from the cache or else from the remote.

        ``desc.media_type`` may be empty (a pull by digest). Remote errors propagate; failures
        of the local store never prevent returning a manifest the remote served.
        """
        return self.serve(desc, ref).manifest

    def serve(
        self, desc: Descriptor, ref: Reference, *, remote: ManifestGetter | None = None
    ) -> Served:
        """:meth:`get`, also saying whether the answer came from the cache or the remote.

        *remote* overrides the store's remote for this call (the audit hands in answers it
        already fetched concurrently, so the same algorithm decides what to keep).
        """
        remote = self._remote if remote is None else remote
        log = self._log
        if not desc.media_type:
            desc = _with_media_type(desc, self._local_media_type(desc))

        key = make_ref_key(desc)
        writer: ContentWriter | None = None
        try:
            # A metadata lookup stands in for the seed's writer probe: a blob we hold is its
            # AlreadyExists case, and a failing admission falls back to the remote without
            # persisting, exactly as a failing getLocal does there.
            held = self._held(desc, ref, remote)
            if held is not None:
                return Served(held, Source.CACHE, persisted=True)
            writer = self._local.writer(key, expected=desc)
        except AlreadyExists:
            try:
                return Served(self.get_local(desc, ref, remote=remote), Source.CACHE, True)
            except Exception as exc:  # the seed falls back to the remote on *any* local error
                log.debug("cached manifest %s not served for %s: %s", desc.digest, ref, exc)
        except Exception as exc:  # as the seed: the local store must not block a pull
            log.debug("manifest %s not served from the cache (%s); fetching", desc.digest, exc)

        try:
            log.debug("fetching manifest %s of %s from remote", desc.digest, ref)
            answer = remote.get_manifest(ref.path, str(desc.digest))
            manifest = _parse_answer(answer, desc)
        except BaseException:
            if writer is not None:
                self._abort(writer, key)
            raise

        persisted = False
        if writer is not None:
            try:
                self.put(manifest, desc, writer, ref)
                persisted = True
                self._remember(manifest, desc)
            except Exception as exc:
                self._abort(writer, key)
                log.warning("error persisting manifest %s: %s", desc.digest, exc)
            finally:
                _close(writer)
        return Served(manifest, Source.REMOTE, persisted, answer)

    def get_local(
        self, desc: Descriptor, ref: Reference, *, remote: ManifestGetter | None = None
    ) -> Manifest:
        """The cached manifest, refused for a digest-pinned repository that never had it.

        For a canonical *ref* whose repository is not in the blob's distribution-source
        label, the remote is asked whether that repository has the digest; absent →
        :class:`NotFound`. The repository is then added to the label (a failure is logged),
        atomically across processes when the store has ``update_label``, else within this
        process only (see :mod:`mstoolkit.manifest_store._sources`).
        """
        remote = self._remote if remote is None else remote
        reader = self._local.reader_at(desc.digest)
        try:
            key, repo = distribution_source_label(ref)
            info = self._local.info(desc.digest)
            self._admit(info, key, repo, desc, ref, remote)
            data = reader.read_at(reader.size, 0)
        finally:
            reader.close()
        manifest = _parse_local(data, desc.media_type)
        self._remember(manifest, desc)
        return manifest

    def put(
        self, manifest: Manifest, desc: Descriptor, writer: ContentWriter, ref: Reference
    ) -> None:
        """Write *manifest* through *writer* and commit it with its distribution-source label.

        Signed schema1 is written as its canonical payload (see the module docstring).
        """
        payload = _payload(manifest)
        if writer.status().offset:
            writer.truncate(0)
        writer.write(payload)
        key, repo = distribution_source_label(ref)
        writer.commit(len(payload), desc.digest, labels={key: repo}, reason="manifest fetched")

    # -- pulls and audits (their own modules) ------------------------------------------

    def pull(
        self, reference: str, *, platform: str | Platform | None = None, recursive: bool = True
    ) -> PullResult:
        """Pull *reference* (a tag or a digest) and, for an index, its children.

        See :func:`mstoolkit.manifest_store.pull.pull`.
        """
        from mstoolkit.manifest_store.pull import pull  # noqa: PLC0415 (pull imports this module)

        return pull(self, reference, platform=platform, recursive=recursive)

    def audit(
        self,
        registry: str,
        *,
        repositories: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        concurrency: int = 8,
        progress: bool = True,
        client: AsyncRegistry | None = None,
        insecure: bool | None = None,
        auth: AuthLike = None,
        platform: str | Platform | None = None,
        recursive: bool = True,
        resolve: Resolve | str = "auto",
        store_threads: int = 2,
        on_row: Callable[[FetchRow], None] | None = None,
    ) -> AuditResult:
        """Audit a whole registry into this store's cache.

        The options are those of :func:`mstoolkit.manifest_store.audit.audit`, spelled out so
        that notebooks complete them and mypy checks them (a test keeps the two signatures
        equal). The store's remote is not used: the audit talks to the registry through its
        own async client, many requests at a time.
        """
        from mstoolkit.manifest_store.audit import audit  # noqa: PLC0415 (audit imports this module)

        return audit(
            self,
            registry,
            repositories=repositories,
            tags=tags,
            concurrency=concurrency,
            progress=progress,
            client=client,
            insecure=insecure,
            auth=auth,
            platform=platform,
            recursive=recursive,
            resolve=resolve,
            store_threads=store_threads,
            on_row=on_row,
        )

    def sweep_ingests(self) -> int:
        """Abort manifest ingests whose content is already committed; return how many.

        A process killed between a commit's rename and its cleanup leaves such an ingest
        behind, and since the blob is held no later pull opens that ref again. Ingests still
        locked by a live writer are left alone (the store refuses to abort them); ingests of
        content not yet held stay resumable: the next pull of that manifest rewinds them.
        """
        list_statuses = getattr(self._local, "list_statuses", None)
        if list_statuses is None:
            return 0
        swept = 0
        for status in list_statuses():
            expected = getattr(status, "expected", None)
            ref = getattr(status, "ref", "")
            if expected is None or not ref.startswith(_MANIFEST_REF_PREFIXES):
                continue
            if not self.holds(expected):
                continue
            try:
                self._local.abort(ref)
            except (NotFound, Unavailable):
                continue
            swept += 1
        if swept:
            self._log.info("aborted %d leftover manifest ingests of committed content", swept)
        return swept

    # -- helpers ---------------------------------------------------------------------------

    def holds(self, digest: DigestLike) -> bool:
        """Whether the content store has the blob *digest* (metadata only, no read)."""
        try:
            self._local.info(digest)
        except NotFound:
            return False
        return True

    def _local_media_type(self, desc: Descriptor) -> str:
        """The seed's ``getMediaType``: detect from the local blob; not-found is expected."""
        try:
            reader = self._local.reader_at(desc.digest)
        except NotFound:
            return ""
        except Exception as exc:
            self._log.warning("error looking up media type of content %s: %s", desc.digest, exc)
            return ""
        try:
            return detect_media_type(reader.read_at(reader.size, 0))
        except Exception as exc:
            self._log.warning("error detecting media type of content %s: %s", desc.digest, exc)
            return ""
        finally:
            reader.close()

    def _held(self, desc: Descriptor, ref: Reference, remote: ManifestGetter) -> Manifest | None:
        """The cached manifest after one metadata lookup, or ``None`` if the blob is absent.

        The admission check of :meth:`get_local` runs exactly as there (the GHSA rule holds
        here too) and its errors propagate; the blob is read and parsed only when the memo
        does not have it.
        """
        try:
            info = self._local.info(desc.digest)
        except NotFound:
            self._forget(desc)
            return None
        key, repo = distribution_source_label(ref)
        self._admit(info, key, repo, desc, ref, remote)
        manifest = self._recall(desc)
        if manifest is None:
            manifest = _parse_local(self._local.read(desc.digest), desc.media_type)
            self._remember(manifest, desc)
        return manifest

    def _admit(
        self,
        info: Info,
        key: str,
        repo: str,
        desc: Descriptor,
        ref: Reference,
        remote: ManifestGetter,
    ) -> None:
        """The GHSA check and the label append of the seed's ``getLocal``."""
        current = info.labels.get(key, "")
        if has_distribution_source(current, repo):
            return
        if ref.is_canonical:
            self._log.debug("manifest %s not yet seen in %s, asking the remote", desc.digest, ref)
            if not remote.exists(repo, desc.digest):
                raise NotFound(f"manifest {desc.digest} not found")
        try:
            add_source(self._local, desc.digest, key, repo, lock=self._label_lock)
        except Exception as exc:
            self._log.warning("could not update content distribution source for %s: %s", ref, exc)

    def _abort(self, writer: ContentWriter, key: str) -> None:
        _close(writer)
        try:
            self._local.abort(key)
        except NotFound:
            pass
        except Exception as exc:
            self._log.warning("error aborting content ingest %s: %s", key, exc)

    def _recall(self, desc: Descriptor) -> Manifest | None:
        if not self._memo_size:
            return None
        name = str(desc.digest)
        with self._memo_lock:
            manifest = self._memo.get(name)
            if manifest is not None:
                self._memo.move_to_end(name)
        if (
            manifest is not None
            and desc.media_type
            and not _same_kind(manifest.media_type, desc.media_type)
        ):
            return None
        return manifest

    def _remember(self, manifest: Manifest, desc: Descriptor) -> None:
        if not self._memo_size:
            return
        with self._memo_lock:
            self._memo[str(desc.digest)] = manifest
            if len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)

    def _forget(self, desc: Descriptor) -> None:
        with self._memo_lock:
            self._memo.pop(str(desc.digest), None)


def _with_media_type(desc: Descriptor, media_type: str) -> Descriptor:
    """*desc* with another media type (descriptors are frozen)."""
    return Descriptor(
        media_type,
        desc.digest,
        desc.size,
        annotations=desc.annotations,
        platform=desc.platform,
        artifact_type=desc.artifact_type,
        urls=desc.urls,
    )


def _same_kind(cached: str, asked: str) -> bool:
    return cached == asked or (cached in SCHEMA1_TYPES and asked in SCHEMA1_TYPES)


def _payload(manifest: Manifest) -> bytes:
    if isinstance(manifest, DockerSchema1):
        return manifest.canonical_payload
    return manifest.raw


def _parse_answer(answer: FetchedLike, desc: Descriptor) -> Manifest:
    """Parse a remote answer and check it is the manifest *desc* names."""
    media_type = answer.descriptor.media_type or None
    manifest = parse_manifest(answer.raw, media_type)
    payload = _payload(manifest)
    if not desc.digest.verify(payload):
        actual = desc.digest.hasher()
        actual.update(payload)
        raise DigestMismatch(
            f"remote served {desc.digest.algorithm}:{actual.hexdigest()} for {desc.digest}",
            expected=str(desc.digest),
            actual=f"{desc.digest.algorithm}:{actual.hexdigest()}",
        )
    return manifest


def _parse_local(data: bytes, media_type: str) -> Manifest:
    """Parse a cached blob by the media type asked for (schema1 parses signed or not)."""
    return parse_manifest(data, media_type or None)


def _close(writer: ContentWriter) -> None:
    try:
        writer.close()
    except Exception as exc:
        logging.getLogger(__name__).debug("closing content writer: %s", exc)


def __dir__() -> list[str]:
    return sorted(__all__)
