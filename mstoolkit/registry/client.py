"""The blocking registry client: fetch and verify manifests, list tags, repositories, referrers.

``RegistryClient("127.0.0.1:5000", insecure=True)`` talks plain http to a local registry;
``RegistryClient("docker.io")`` talks https to Docker Hub with anonymous tokens (or the
credentials docker's config holds). One ``httpx.Client`` per registry keeps connections alive
across calls; close the client (or use it as a context manager) to release them.

Every answer is verified before it is returned (see :mod:`.verify`); retries, timeouts and
body caps are the same as in the async twin, :class:`.aclient.AsyncRegistryClient`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from random import random as _uniform
from types import TracebackType

import httpx

from mstoolkit.descriptor import Descriptor
from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import MstoolkitError, NotFound
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
from mstoolkit.registry.limits import cap_response
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

__all__ = ["RegistryClient"]

log = logging.getLogger("mstoolkit.registry")

_PageParser = Callable[[Call, Reply], tuple[list[str], str | None]]


class RegistryClient:
    """A blocking client for one registry (``host[:port]``).

    ``auth``: an ``httpx.Auth``, a ``(username, password)`` tuple, :class:`Credentials`, or
    ``None`` for docker's config (looked up at the first challenge) and anonymous tokens.
    ``insecure=True`` means plain http (and allows a plain-http token realm).
    ``transport`` replaces httpx's network transport (tests use ``httpx.MockTransport``).
    ``sleep``, ``clock`` and ``random`` drive the retry waits.
    """

    def __init__(
        self,
        registry: str,
        *,
        auth: AuthLike = None,
        insecure: bool = False,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        max_manifest_bytes: int = DEFAULT_MAX_MANIFEST_BYTES,
        retries: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen value
        follow_redirects: bool = True,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        random: Callable[[], float] = _uniform,
    ) -> None:
        self._endpoint = Endpoint(
            registry, insecure=insecure, max_manifest_bytes=max_manifest_bytes
        )
        self._retries = retries
        self._sleep = sleep
        self._clock = clock
        self._random = random
        self._auth = resolve_auth(
            auth,
            registry=self._endpoint.registry,
            origin=str(self._endpoint.base_url),
            insecure=insecure,
        )
        self._client = httpx.Client(
            auth=self._auth,
            transport=transport,
            timeout=timeout,
            follow_redirects=follow_redirects,
            max_redirects=5,
            http2=transport is None and self._endpoint.scheme == "https" and h2_available(),
            headers={"User-Agent": user_agent},
            event_hooks={"response": [cap_response]},
        )

    def __repr__(self) -> str:
        insecure = ", insecure=True" if self._endpoint.insecure else ""
        return f"RegistryClient({self._endpoint.registry!r}{insecure})"

    @property
    def registry(self) -> str:
        """The registry as named (``host[:port]``, lowercased)."""
        return self._endpoint.registry

    @property
    def base_url(self) -> str:
        """The URL requests go to (``https://registry-1.docker.io/`` for Docker Hub)."""
        return str(self._endpoint.base_url)

    def close(self) -> None:
        """Release the connections."""
        self._client.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the one place that does I/O -------------------------------------------------------

    def _once(self, call: Call) -> Reply:
        response = self._client.send(build_request(self._client, call), stream=True)
        try:
            buffer = BodyBuffer(call, response)
            # A HEAD answer's body is empty; reading to its end lets httpcore reuse the
            # connection (closed unread, it was dropped after every HEAD).
            try:
                for chunk in response.iter_bytes():
                    if not buffer.add(chunk):
                        break
            except MstoolkitError:
                if buffer.ok:
                    raise
                buffer.truncated = True
            return reply_from(response, buffer.body())
        finally:
            response.close()

    def _perform(self, call: Call) -> Reply:
        attempt = 0
        while True:
            attempt += 1
            try:
                reply = self._once(call)
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
                self._sleep(delay)
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
                    self._sleep(delay)
                    continue
            return reply

    # -- manifests -------------------------------------------------------------------------

    def get_manifest(self, repo: str, reference: str | Digest) -> FetchedManifest:
        """Fetch one manifest by tag or digest, verified; see :class:`FetchedManifest`."""
        name = self._endpoint.repository(repo)
        text, requested = parse_manifest_reference(reference)
        call = self._endpoint.manifest_call(name, text)
        reply = self._perform(call)
        return self._endpoint.fetched(call, reply, repo=name, reference=text, requested=requested)

    def head_manifest(self, repo: str, reference: str | Digest) -> Descriptor:
        """The descriptor of a manifest from a HEAD (a verified GET when HEAD says too little)."""
        name = self._endpoint.repository(repo)
        text, requested = parse_manifest_reference(reference)
        call = self._endpoint.manifest_call(name, text, method="HEAD")
        descriptor = self._endpoint.head_descriptor(call, self._perform(call), requested=requested)
        if descriptor is not None:
            return descriptor
        return self.get_manifest(name, reference).descriptor

    def exists(self, repo: str, digest: DigestLike) -> bool:
        """Whether *repo* has the manifest *digest* (a HEAD; absent is ``False``)."""
        try:
            self.head_manifest(repo, as_digest(digest))
        except NotFound:
            return False
        return True

    # -- listings --------------------------------------------------------------------------

    def _pages(self, url: str, what: str, page: _PageParser) -> Iterator[str]:
        seen: set[str] = set()
        next_url: str | None = url
        while next_url is not None and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            call = self._endpoint.list_call(next_url, what)
            items, next_url = page(call, self._perform(call))
            yield from items

    def tags(self, repo: str, *, page_size: int | None = None) -> Iterator[str]:
        """Every tag of *repo*, following ``Link`` pages (``"tags": null`` yields nothing)."""
        name = self._endpoint.repository(repo)
        url = self._endpoint.tags_url(name, page_size)
        return self._pages(url, f"GET {self.registry}/{name} tags", self._endpoint.tags_page)

    def catalog(self, *, page_size: int | None = None) -> Iterator[str]:
        """Every repository in the registry's ``_catalog``, page by page."""
        url = self._endpoint.catalog_url(page_size)
        return self._pages(url, f"GET {self.registry}/v2/_catalog", self._endpoint.catalog_page)

    def referrers(
        self, repo: str, digest: DigestLike, artifact_type: str | None = None
    ) -> list[Descriptor]:
        """The manifests whose ``subject`` is *digest*: the referrers API, else the
        ``<alg>-<hex>`` tag-schema fallback (a missing fallback tag means none)."""
        name = self._endpoint.repository(repo)
        subject = as_digest(digest)
        what = f"GET {self.registry}/{name} referrers of {subject}"
        found: list[Descriptor] = []
        next_url: str | None = self._endpoint.referrers_url(name, subject, artifact_type)
        seen: set[str] = set()
        while next_url is not None and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            call = self._endpoint.list_call(next_url, what)
            page = self._endpoint.referrers_page(call, self._perform(call), artifact_type)
            if page is None:
                return self._referrers_fallback(name, subject, artifact_type)
            items, next_url = page
            found.extend(items)
        return found

    def _referrers_fallback(
        self, repo: str, subject: Digest, artifact_type: str | None
    ) -> list[Descriptor]:
        try:
            fetched = self.get_manifest(repo, referrers_tag(subject))
        except NotFound:
            return []
        return fallback_referrers(fetched, artifact_type)

    def ping(self) -> None:
        """Check that the registry speaks the v2 API and accepts our credentials."""
        call = self._endpoint.ping_call()
        reply = self._perform(call)
        if reply.status != 200:
            raise self._endpoint.error(call, reply)


def __dir__() -> list[str]:
    return sorted(__all__)
