"""Whole-registry audits into the cache: concurrent, resumable, never stopped by one manifest.

The audit walks ``_catalog`` (or the repositories given), lists each repository's tags and
obtains every tagged manifest and every child of every index, many requests in flight over
the async client's pooled connections. How a tag becomes a manifest is :class:`Resolve`: by
default (``"auto"``) a tag this store's fetch log has never seen is fetched with one GET, and
a tag it has seen is resolved with HEAD, so that a rerun after a crash or a kill costs a HEAD
per tag and a GET only for what was not committed yet.

The content store is synchronous. New manifests are committed in batches (group commit, see
:mod:`mstoolkit.manifest_store._batching`) when the store has ``commit_many``, else one by
one through a writer; either runs in ``store_threads`` worker threads (2 by default), so that
commits never stall the event loop that keeps the requests in flight; both stores here are
thread-safe. ``store_threads=0`` keeps it on the loop thread, for a store that must stay in
one thread. Metadata lookups and cached serves stay on the loop (tens of µs each).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from mstoolkit.descriptor import Descriptor, Platform
from mstoolkit.errors import InvalidArgument
from mstoolkit.manifest_store._answers import NeedRemote, Prefetched
from mstoolkit.manifest_store._batching import Fetched, GroupCommit, RowLog, can_batch, seen_tags
from mstoolkit.manifest_store.protocols import AsyncRegistry
from mstoolkit.manifest_store.pull import children_of, error_row, row_for
from mstoolkit.manifest_store.results import AuditResult, FetchOutcome, FetchRow
from mstoolkit.reference import Reference, parse_reference
from mstoolkit.registry import AsyncRegistryClient
from mstoolkit.registry.auth import AuthLike, is_loopback

if TYPE_CHECKING:
    from mstoolkit.manifest_store.protocols import FetchedLike
    from mstoolkit.manifest_store.store import ManifestStore, Served

__all__ = [
    "AsyncRegistry",
    "Resolve",
    "audit",
    "audit_async",
]

_T = TypeVar("_T")
_log = logging.getLogger(__name__)

#: How often one manifest may send ``serve`` back for a registry answer (GET, then HEAD).
_MAX_ROUNDS = 4
#: Workers beyond the requests in flight when commits are batched (the largest batch).
_MAX_BATCH = 128


class Resolve(StrEnum):
    """How the audit turns a tag into a manifest.

    ``"head"`` costs two requests for every manifest the store lacks (HEAD, then GET by
    digest) and one for every manifest it holds; ``"get"`` costs one for both, but spends
    pull quota on content already held. ``"auto"`` takes the cheaper side per tag, judging by
    the only evidence the store has before asking: whether its fetch log holds a successful
    row for that registry, repository and tag. A tag never seen is most likely content the
    store lacks (one GET); a seen tag most likely still points at what was committed then (a
    HEAD, and a GET by digest only if it moved). A first audit thus sends one request per
    manifest and a rerun stays quota-free; a tag committed just before a kill, whose row
    was not logged yet, costs one GET on the rerun.
    """

    #: Per tag, GET if this store never fetched it, else HEAD (the default).
    AUTO = "auto"
    #: HEAD the tag, GET only a digest the cache lacks: a rerun costs HEADs only, and no pull
    #: quota is spent on content already held.
    HEAD = "head"
    #: GET the tag directly: one request per tag instead of two for content not yet cached,
    #: at the price of a GET (and pull quota) for every tag on every run.
    GET = "get"


def audit(
    store: ManifestStore,
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
    resolve: Resolve | str = Resolve.AUTO,
    store_threads: int = 2,
    on_row: Callable[[FetchRow], None] | None = None,
) -> AuditResult:
    """Audit *registry* (``host[:port]``) into *store*; see :func:`audit_async`.

    Works from a plain script and from a Jupyter cell (whose thread already runs an event
    loop: the audit then runs its own loop in a helper thread). A *client* passed in is
    closed on return: its connections belong to the event loop this call ran, which is gone
    afterwards (with :func:`audit_async` the caller keeps its client).
    """

    async def run_and_close() -> AuditResult:
        try:
            return await audit_async(
                store,
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
        finally:
            aclose = getattr(client, "aclose", None)
            if aclose is not None:
                await aclose()

    coro = run_and_close()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1, thread_name_prefix="mstoolkit-audit") as pool:
        return pool.submit(asyncio.run, coro).result()


async def audit_async(
    store: ManifestStore,
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
    resolve: Resolve | str = Resolve.AUTO,
    store_threads: int = 2,
    on_row: Callable[[FetchRow], None] | None = None,
) -> AuditResult:
    """Obtain every tagged manifest of *registry* (and every child of every index).

    *repositories* replaces ``_catalog``; *tags* replaces each repository's tag list.
    *insecure* ``None`` means plain HTTP for loopback registries only (docker's default for
    127.0.0.0/8). Failures become rows with their error category; only a failing
    ``_catalog`` (nothing to audit) is raised. *on_row* is called on the event loop with each
    row as it is made (a dashboard moves per manifest); its exceptions are logged, not raised.
    """
    if concurrency < 1:
        raise InvalidArgument(f"concurrency must be at least 1, not {concurrency}")
    try:
        mode = Resolve(resolve)
    except ValueError:
        raise InvalidArgument(
            f"resolve must be 'auto', 'head' or 'get', not {resolve!r}"
        ) from None
    host = _host(registry)
    wanted = Platform.parse(platform) if isinstance(platform, str) else platform
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(
                AsyncRegistryClient(
                    host,
                    auth=auth,
                    insecure=is_loopback(host) if insecure is None else insecure,
                    max_concurrency=concurrency,
                )
            )
        executor = None
        if store_threads > 0:
            executor = stack.enter_context(
                ThreadPoolExecutor(store_threads, thread_name_prefix="mstoolkit-store")
            )
        options = _Options(
            host=host,
            tags=tuple(tags) if tags is not None else None,
            concurrency=concurrency,
            progress=progress,
            platform=wanted,
            recursive=recursive,
            resolve=mode,
            on_row=on_row,
        )
        return await _Audit(store, client, options, executor).run(repositories)
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the with block returns)


@dataclass(frozen=True, slots=True)
class _Options:
    host: str
    tags: tuple[str, ...] | None
    concurrency: int
    progress: bool
    platform: Platform | None
    recursive: bool
    resolve: Resolve
    on_row: Callable[[FetchRow], None] | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    repo: str
    tag: str = ""  # "" is a tag like any other (a registry may list it), not "no tag"
    child: Descriptor | None = None
    parent: Descriptor | None = None
    listing: bool = False  # list the repository's tags


class _Audit:
    """One audit run: a queue of repositories, tags and children, and N workers."""

    def __init__(
        self,
        store: ManifestStore,
        client: AsyncRegistry,
        options: _Options,
        executor: ThreadPoolExecutor | None,
    ) -> None:
        self.store = store
        self.client = client
        self.options = options
        self.host = options.host
        self.executor = executor
        self.rows: list[FetchRow] = []
        self.expanded: set[tuple[str, str]] = set()
        self.inflight: dict[tuple[str, str], asyncio.Future[FetchedLike]] = {}
        self.serving: dict[str, asyncio.Lock] = {}
        self.queue: asyncio.Queue[_Item] = asyncio.Queue()
        self.bar: Any = None
        self.log = RowLog(store)
        #: Requests in flight, whatever the client bounds itself (workers outnumber them).
        self.slots = asyncio.Semaphore(options.concurrency)
        self.batches = GroupCommit(store, self._local) if can_batch(store) else None
        #: (repository, tag) pairs this store fetched before (``resolve="auto"``).
        self.seen: set[tuple[str, str]] = set()

    async def run(self, repositories: Sequence[str] | None) -> AuditResult:
        started = datetime.now(UTC)
        await self._local(self.store.sweep_ingests)
        if self.options.resolve is Resolve.AUTO:
            self.seen = await self._local(seen_tags, self.store, self.host)
        if repositories is None:
            repos = tuple([repo async for repo in self.client.catalog()])
        else:
            repos = tuple(repositories)
        # Imported here: tqdm.auto loads ipywidgets when it can, which only an audit needs.
        from tqdm.auto import tqdm  # noqa: PLC0415

        self.bar = tqdm(total=0, unit="manifest", desc=self.host, disable=not self.options.progress)
        try:
            for repo in repos:
                self.queue.put_nowait(_Item(repo, listing=True))
            # More workers than requests in flight (the client bounds those): while some wait
            # for their batch's commit, the others keep the client's connections busy, and a
            # batch can only be as large as the number of workers waiting on it.
            extra = _MAX_BATCH if self.batches is not None else self.options.concurrency
            workers = [
                asyncio.create_task(self._work())
                for _ in range(self.options.concurrency + extra)
            ]
            try:
                await self.queue.join()
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                if self.batches is not None:
                    await self.batches.close()
        finally:
            self.log.flush()
            self.bar.close()
        return AuditResult(
            registry=self.host,
            repositories=repos,
            rows=tuple(self.rows),
            started_at=started,
            finished_at=datetime.now(UTC),
        )

    async def _work(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                if item.child is not None:
                    await self._child(item)
                elif item.listing:
                    await self._repository(item.repo)
                else:
                    await self._tag(item)
            except Exception:  # a bug must not hang queue.join(); the row says what failed
                _log.exception("audit item %r failed", item)
            finally:
                self.queue.task_done()

    async def _repository(self, repo: str) -> None:
        try:
            if self.options.tags is not None:
                names = list(self.options.tags)
            else:
                names = [tag async for tag in self.client.tags(repo)]
        except Exception as exc:
            await self._add(error_row(self.host, repo, "", exc))
            return
        self.bar.total += len(names)
        self.bar.refresh()
        for tag in names:
            self.queue.put_nowait(_Item(repo, tag))

    async def _tag(self, item: _Item) -> None:
        try:
            ref = parse_reference(f"{self.host}/{item.repo}:{item.tag}")
            answers = Prefetched()
            sent = False
            if self.options.resolve is Resolve.GET or (
                self.options.resolve is Resolve.AUTO and (item.repo, item.tag) not in self.seen
            ):
                answer, sent = await self._get(item.repo, item.tag)
                answers.add(answer)
                desc = answer.descriptor
            else:
                async with self.slots:
                    desc = await self.client.head_manifest(item.repo, item.tag)
            served, outcome = await self._obtain(desc, ref, answers, sent=sent)
        except Exception as exc:
            await self._add(error_row(self.host, item.repo, item.tag, exc))
            return
        await self._add(row_for(ref, item.tag, desc, served, outcome=outcome))
        self._expand(item.repo, desc, served)

    async def _child(self, item: _Item) -> None:
        assert item.child is not None
        child = item.child
        try:
            ref = parse_reference(f"{self.host}/{item.repo}@{child.digest}")
            served, outcome = await self._obtain(child, ref)
        except Exception as exc:
            row = error_row(self.host, item.repo, str(child.digest), exc, child, item.parent)
            await self._add(row)
            return
        await self._add(row_for(ref, str(child.digest), child, served, item.parent, outcome))
        self._expand(item.repo, child, served)

    def _expand(self, repo: str, desc: Descriptor, served: Served) -> None:
        """Queue the children of an index once per repository (several tags may share it)."""
        if not self.options.recursive or (repo, str(desc.digest)) in self.expanded:
            return
        self.expanded.add((repo, str(desc.digest)))
        children = [
            c
            for c in children_of(served.manifest, self.options.platform)
            if (repo, str(c.digest)) not in self.expanded
        ]
        if children:
            self.bar.total += len(children)
            self.bar.refresh()
        for child in children:
            self.queue.put_nowait(_Item(repo, child=child, parent=desc))

    async def _obtain(
        self,
        desc: Descriptor,
        ref: Reference,
        answers: Prefetched | None = None,
        *,
        sent: bool = False,
    ) -> tuple[Served, FetchOutcome]:
        """Run the store's algorithm, fetching on the loop whatever it asks the remote for.

        The outcome is ``FETCHED`` exactly when this item sent a GET, so that the rows count
        the registry's work (pull quota) even when another item committed the bytes first.
        """
        answers = Prefetched() if answers is None else answers
        digest = str(desc.digest)
        # A metadata lookup takes microseconds: on the loop, not queued behind commits. With
        # the answer in hand and batches on, it is skipped: the batch reports a held blob.
        batching = self.batches is not None and digest in answers.answers
        held = False if batching else self.store.holds(digest)
        if not held and digest not in answers.answers:
            answer, sent = await self._get(ref.path, digest)
            answers.add(answer)
        # Serving a held blob is a lookup too (and at most a label update); only a commit,
        # with its fsyncs, is worth a store thread.
        run = self._inline if held else self._local
        # One serve per digest at a time: two store threads committing the same digest would
        # meet on its ingest lock, and the loser (as in the seed) serves without persisting,
        # so its repository would never reach the label.
        lock = self.serving.setdefault(digest, asyncio.Lock())
        async with lock:
            fetched = answers.answers.get(digest)
            # Held meanwhile (another repository's item)? The batch answers None for it.
            if self.batches is not None and fetched is not None and not held:
                batched = await self.batches.submit(Fetched(desc, ref, fetched))
                if batched is not None:
                    return batched, FetchOutcome.FETCHED if sent else FetchOutcome.CACHED
            for _ in range(_MAX_ROUNDS):
                try:
                    served = await run(self.store.serve, desc, ref, remote=answers)
                except NeedRemote as need:
                    if need.kind == "get":
                        answer, mine = await self._get(need.repo, need.reference)
                        answers.add(answer)
                        sent = sent or mine
                    else:
                        async with self.slots:
                            found = await self.client.exists(need.repo, desc.digest)
                        answers.existing[(need.repo, desc.digest)] = found
                    continue
                return served, FetchOutcome.FETCHED if sent else FetchOutcome.CACHED
        raise InvalidArgument(f"manifest store kept asking the registry for {ref}")

    async def _get(self, repo: str, digest: str) -> tuple[FetchedLike, bool]:
        """GET a manifest once per repository even when several tags resolve to it at once.

        Returns the answer and whether this call sent the request. Answers are shared only
        within one repository: another repository must prove it holds the digest itself.
        """
        key = (repo, digest)
        pending = self.inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending), False
        task = asyncio.ensure_future(self._send_get(repo, digest))
        self.inflight[key] = task
        task.add_done_callback(lambda _: self.inflight.pop(key, None))
        return await asyncio.shield(task), True

    async def _send_get(self, repo: str, reference: str) -> FetchedLike:
        async with self.slots:
            return await self.client.get_manifest(repo, reference)

    async def _add(self, row: FetchRow) -> None:
        self.rows.append(row)
        self.bar.update(1)
        self.log.add(row)  # a transaction per few hundred rows, on the loop: no thread needed
        if self.options.on_row is not None:
            try:
                self.options.on_row(row)
            except Exception:
                _log.exception("on_row callback failed for %s/%s", row.repository, row.reference)

    async def _inline(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        return fn(*args, **kwargs)

    async def _local(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        if self.executor is None:
            return fn(*args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))


def _host(registry: str) -> str:
    """``host[:port]`` from what users type (a URL is accepted)."""
    host = registry.strip()
    for scheme in ("https://", "http://"):
        if host.startswith(scheme):
            host = host[len(scheme) :]
    host = host.rstrip("/")
    if not host or "/" in host:
        raise InvalidArgument(f"registry must be host[:port], not {registry!r}")
    return host


def __dir__() -> list[str]:
    return sorted(__all__)
