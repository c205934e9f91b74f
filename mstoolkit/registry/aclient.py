"""The async registry client: the blocking client's surface, for concurrent audits.

At most ``max_concurrency`` requests are in flight at once (a semaphore held for one HTTP
exchange, body included, and released while a retry waits), over a connection pool of the
same size, so connections are reused instead of opened per manifest. HTTP/2 is offered when
the ``h2`` package is installed (httpx negotiates it over TLS; plain-http stays HTTP/1.1).

The rules (verification, caps, retries, auth) are the blocking client's: both drive the same
:class:`~mstoolkit.registry.protocol.Endpoint`, :class:`RetryPolicy` and auth flow.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from random import random as _uniform
from types import TracebackType

import httpx

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import InvalidArgument, MstoolkitError, NotFound
from mstoolkit.registry.auth import AuthLike, resolve_auth
from mstoolkit.registry.httpio import (
    DEFAULT_MAX_MANIFEST_BYTES,
    USER_AGENT,
    BodyBuffer,
    build_request,
    h2_available,
    is_retryable,
    reply_from,
    retry_delay,
    transport_error,
)
from mstoolkit.registry.limits import async_cap_response
from mstoolkit.registry.models import FetchedManifest
from mstoolkit.registry.protocol import (
    MAX_PAGES,
    Call,
    Endpoint,
    Reply,
    fallback_referrers,
    parse_manifest_reference,
    referrers_tag,
)
from mstoolkit.registry.retry import RetryPolicy

__all__ = ["AsyncRegistryClient"]

log = logging.getLogger("mstoolkit.registry")

_PageParser = Callable[[Call, Reply], tuple[list[str], str | None]]


class AsyncRegistryClient:
    """An async client for one registry (``host[:port]``); see :class:`RegistryClient`.

    ``max_concurrency`` bounds the requests in flight and the connection pool.
    """

    def __init__(
        self,
        registry: str,
        *,
        auth: AuthLike = None,
        insecure: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_manifest_bytes: int = DEFAULT_MAX_MANIFEST_BYTES,
        retries: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen value
        max_concurrency: int = 8,
        follow_redirects: bool = True,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        random: Callable[[], float] = _uniform,
    ) -> None:
        if max_concurrency < 1:
            raise InvalidArgument("max_concurrency must be at least 1")
        self._endpoint = Endpoint(
            registry, insecure=insecure, max_manifest_bytes=max_manifest_bytes
        )
        self._retries = retries
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._max_concurrency = max_concurrency
        self._slots = asyncio.Semaphore(max_concurrency)
        self._auth = resolve_auth(
            auth,
            registry=self._endpoint.registry,
            origin=str(self._endpoint.base_url),
            insecure=insecure,
        )
        http2 = transport is None and self._endpoint.scheme == "https" and h2_available()

        def client(connections: int, verify: ssl.SSLContext | bool) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                auth=self._auth,
                transport=transport,
                timeout=timeout,
                follow_redirects=follow_redirects,
                max_redirects=5,
                http2=http2,
                verify=verify,
                limits=httpx.Limits(
                    max_connections=connections, max_keepalive_connections=connections
                ),
                headers={"User-Agent": user_agent},
                event_hooks={"response": [async_cap_response]},
                trust_env=True,
            )

        if transport is not None or http2 or max_concurrency == 1:
            self._client = client(max_concurrency, True)
            self._lanes: list[httpx.AsyncClient] = []
        else:
            # HTTP/1.1: one single-connection client per request in flight. httpcore's pool
            # checks every idle connection (an anyio attribute lookup each) on every request
            # and every release, which cost more CPU than the request itself at 8
            # connections; a lane never has another connection to look at.
            verify = httpx.create_ssl_context(trust_env=True)
            self._lanes = [client(1, verify) for _ in range(max_concurrency)]
            self._client = self._lanes[0]
        self._free: asyncio.Queue[httpx.AsyncClient] | None = None

    def __repr__(self) -> str:
        insecure = ", insecure=True" if self._endpoint.insecure else ""
        return (
            f"AsyncRegistryClient({self._endpoint.registry!r}{insecure}, "
            f"max_concurrency={self._max_concurrency})"
        )

    @property
    def registry(self) -> str:
        """The registry as named (``host[:port]``, lowercased)."""
        return self._endpoint.registry

    @property
    def base_url(self) -> str:
        """The URL requests go to."""
        return str(self._endpoint.base_url)

    async def aclose(self) -> None:
        """Release the connections."""
        for lane in self._lanes[1:]:
            await lane.aclose()
        await self._client.aclose()

    async def __aenter__(self) -> AsyncRegistryClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- the one place that does I/O -------------------------------------------------------

    async def _once(self, call: Call) -> Reply:
        if not self._lanes:
            async with self._slots:
                return await self._exchange(self._client, call)
        if self._free is None:
            self._free = asyncio.Queue()
            for lane in self._lanes:
                self._free.put_nowait(lane)
        lane = await self._free.get()
        try:
            return await self._exchange(lane, call)
        finally:
            self._free.put_nowait(lane)

    async def _exchange(self, client: httpx.AsyncClient, call: Call) -> Reply:
        response = await client.send(build_request(client, call), stream=True)
        try:
            buffer = BodyBuffer(call, response)
            # A HEAD answer's body is empty, but reading to its end is what lets httpcore
            # reuse the connection: closed unread, it was dropped, and every HEAD of an audit
            # paid a new TCP connection.
            try:
                async for chunk in response.aiter_bytes():
                    if not buffer.add(chunk):
                        break
            except MstoolkitError:
                if buffer.ok:
                    raise
                buffer.truncated = True
            return reply_from(response, buffer.body())
        finally:
            await response.aclose()

    async def _perform(self, call: Call) -> Reply:
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = await self._once(call)
            except httpx.HTTPError as exc:
                delay = (
                    retry_delay(
                        self._retries,
                        call,
                        attempt,
                        reply=None,
                        clock=self._clock,
                        draw=self._random,
                    )
                    if is_retryable(exc)
                    else None
                )
                if delay is None:
                    raise transport_error(call, exc) from exc
                log.info("%s: %s; retry %d in %.2fs", call.what, type(exc).__name__, attempt, delay)
                await self._sleep(delay)
                continue
            if reply.status in self._retries.statuses:
                delay = retry_delay(
                    self._retries,
                    call,
                    attempt,
                    reply=reply,
                    clock=self._clock,
                    draw=self._random,
                )
                if delay is not None:
                    log.info(
                        "%s: HTTP %d; retry %d in %.2fs", call.what, reply.status, attempt, delay
                    )
                    await self._sleep(delay)
                    continue
            return reply

    # -- manifests -------------------------------------------------------------------------

    async def get_manifest(self, repo: str, reference: str | Digest) -> FetchedManifest:
        """Fetch one manifest by tag or digest, verified."""
        name = self._endpoint.repository(repo)
        text, requested = parse_manifest_reference(reference)
        call = self._endpoint.manifest_call(name, text)
        reply = await self._perform(call)
        return self._endpoint.fetched(call, reply, repo=name, reference=text, requested=requested)

    async def head_manifest(self, repo: str, reference: str | Digest) -> Descriptor:
        """The descriptor of a manifest from a HEAD (a verified GET when HEAD says too little)."""
        name = self._endpoint.repository(repo)
        text, requested = parse_manifest_reference(reference)
        call = self._endpoint.manifest_call(name, text, method="HEAD")
        reply = await self._perform(call)
        descriptor = self._endpoint.head_descriptor(call, reply, requested=requested)
        if descriptor is not None:
            return descriptor
        return (await self.get_manifest(name, reference)).descriptor

    async def exists(self, repo: str, digest: DigestLike) -> bool:
        """Whether *repo* has the manifest *digest*."""
        try:
            await self.head_manifest(repo, as_digest(digest))
        except NotFound:
            return False
        return True

    # -- listings --------------------------------------------------------------------------

    async def _pages(self, url: str, what: str, page: _PageParser) -> AsyncIterator[str]:
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            call = self._endpoint.list_call(next_url, what)
            items, next_url = page(call, await self._perform(call))
            for item in items:
                yield item

    def tags(self, repo: str, *, page_size: int | None = None) -> AsyncIterator[str]:
        """Every tag of *repo*, following ``Link`` pages."""
        name = self._endpoint.repository(repo)
        url = self._endpoint.tags_url(name, page_size)
        return self._pages(url, f"GET {self.registry}/{name} tags", self._endpoint.tags_page)

    def catalog(self, *, page_size: int | None = None) -> AsyncIterator[str]:
        """Every repository in the registry's ``_catalog``, page by page."""
        url = self._endpoint.catalog_url(page_size)
        return self._pages(url, f"GET {self.registry}/v2/_catalog", self._endpoint.catalog_page)

    async def referrers(
        self, repo: str, digest: DigestLike, artifact_type: str | None = None
    ) -> list[Descriptor]:
        """The manifests whose ``subject`` is *digest* (API, else the tag-schema fallback)."""
        name = self._endpoint.repository(repo)
        subject = as_digest(digest)
        what = f"GET {self.registry}/{name} referrers of {subject}"
        found: list[Descriptor] = []
        next_url: str | None = self._endpoint.referrers_url(name, subject, artifact_type)
        seen: set[str] = set()
        while next_url is not None and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            call = self._endpoint.list_call(next_url, what)
            page = self._endpoint.referrers_page(call, await self._perform(call), artifact_type)
            if page is None:
                return await self._referrers_fallback(name, subject, artifact_type)
            items, next_url = page
            found.extend(items)
        return found

    async def _referrers_fallback(
        self, repo: str, subject: Digest, artifact_type: str | None
    ) -> list[Descriptor]:
        try:
            fetched = await self.get_manifest(repo, referrers_tag(subject))
        except NotFound:
            return []
        return fallback_referrers(fetched, artifact_type)

    async def ping(self) -> None:
        """Check that the registry speaks the v2 API and accepts our credentials."""
        call = self._endpoint.ping_call()
        reply = await self._perform(call)
        if reply.status != 200:
            raise self._endpoint.error(call, reply)


def __dir__() -> list[str]:
    return sorted(__all__)
