"""Caps on every response body, including the ones httpx reads on its own.

The client reads manifest bodies itself, as a stream, and stops at ``max_manifest_bytes``. But
httpx also reads bodies we never see: every intermediate ``401`` of an auth flow, every
redirect, the token response. A hostile or broken server could send gigabytes there. A
response event hook therefore wraps each response's raw stream in a counter that raises
:class:`ResourceExhausted` past a limit: error answers (status >= 300) get
:data:`ERROR_BODY_LIMIT`, successful answers the limit their request carries in its
``extensions`` (:data:`BODY_LIMIT_EXTENSION`), by default :data:`ERROR_BODY_LIMIT`.

The cap counts bytes as they come off the wire; decompressed sizes are capped again by the
reader (:func:`read_capped`), so a gzip bomb is stopped too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx

from mstoolkit.errors import ResourceExhausted

__all__ = [
    "BODY_LIMIT_EXTENSION",
    "ERROR_BODY_LIMIT",
    "TOKEN_BODY_LIMIT",
    "async_cap_response",
    "body_limit",
    "cap_response",
    "declared_length",
]

#: ``request.extensions`` key holding the byte limit for a successful answer's body.
BODY_LIMIT_EXTENSION = "mstoolkit.body_limit"
#: Bodies of error answers (registry error JSON, 401s, redirects) we read at most.
ERROR_BODY_LIMIT = 64 * 1024
#: Token responses we read at most (a JWT with a certificate chain is a few KiB).
TOKEN_BODY_LIMIT = 256 * 1024


def body_limit(response: httpx.Response) -> int:
    """The body limit that applies to *response*."""
    if not 200 <= response.status_code < 300:
        return ERROR_BODY_LIMIT
    limit = response.request.extensions.get(BODY_LIMIT_EXTENSION)
    return limit if isinstance(limit, int) and limit >= 0 else ERROR_BODY_LIMIT


def declared_length(response: httpx.Response) -> int | None:
    """``Content-Length`` as an integer, or ``None`` when absent or unreadable."""
    value = response.headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _too_big(response: httpx.Response, limit: int) -> ResourceExhausted:
    return ResourceExhausted(
        f"{response.request.method} {response.request.url.path}: "
        f"response body larger than {limit} bytes (HTTP {response.status_code}); refused"
    )


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, response: httpx.Response, limit: int) -> None:
        self._inner = inner
        self._response = response
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_big(self._response, self._limit)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _AsyncCappedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, response: httpx.Response, limit: int) -> None:
        self._inner = inner
        self._response = response
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_big(self._response, self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _limit_for(response: httpx.Response) -> int | None:
    """The cap for *response*, or ``None`` when it has no body (HEAD).

    A successful answer whose declared length is already over the cap is refused here, before
    a byte of its body is read (httpx closes the response). Error answers are only capped as
    they stream, so that a caller can still read the first bytes of an oversized error.
    """
    if response.request.method == "HEAD":
        return None
    limit = body_limit(response)
    declared = declared_length(response)
    if declared is not None and declared > limit and 200 <= response.status_code < 300:
        raise _too_big(response, limit)
    return limit


def cap_response(response: httpx.Response) -> None:
    """Response hook for :class:`httpx.Client`: cap the body of *response*."""
    limit = _limit_for(response)
    if limit is not None and isinstance(response.stream, httpx.SyncByteStream):
        response.stream = _CappedStream(response.stream, response, limit)


async def async_cap_response(response: httpx.Response) -> None:
    """Response hook for :class:`httpx.AsyncClient`: cap the body of *response*."""
    limit = _limit_for(response)
    if limit is not None and isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _AsyncCappedStream(response.stream, response, limit)


def __dir__() -> list[str]:
    return sorted(__all__)
