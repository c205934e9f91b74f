"""What the blocking and the async client share about doing HTTP: reading capped bodies,
classifying transport failures, building the ``httpx`` request for a :class:`Call`.

The retry *loops* live in each client (one blocks, one awaits); every decision inside them is
made here or in :class:`RetryPolicy`, so the two cannot drift apart.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
from collections.abc import Callable

import httpx

from mstoolkit.errors import InvalidArgument, MstoolkitError, ResourceExhausted, Unavailable
from mstoolkit.registry.limits import BODY_LIMIT_EXTENSION, ERROR_BODY_LIMIT, declared_length
from mstoolkit.registry.protocol import Call, Reply
from mstoolkit.registry.retry import RetryPolicy, parse_retry_after

__all__ = [
    "BodyBuffer",
    "DEFAULT_MAX_MANIFEST_BYTES",
    "USER_AGENT",
    "build_request",
    "h2_available",
    "is_retryable",
    "reply_from",
    "retry_delay",
    "transport_error",
]

log = logging.getLogger("mstoolkit.registry")

DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024


def _version() -> str:
    try:
        return importlib.metadata.version("mstoolkit")
    except importlib.metadata.PackageNotFoundError:
        return "0"


USER_AGENT = f"mstoolkit/{_version()}"

_RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def h2_available() -> bool:
    """Whether the ``h2`` package is installed (httpx then offers HTTP/2 over TLS)."""
    return importlib.util.find_spec("h2") is not None


def build_request(client: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
    """A fresh request for *call* (each attempt gets its own: auth flows add headers)."""
    return client.build_request(
        call.method,
        call.url,
        headers=dict(call.headers),
        extensions={BODY_LIMIT_EXTENSION: call.body_limit},
    )


def is_retryable(exc: httpx.HTTPError) -> bool:
    """Whether a transport failure may go away on another attempt (resets, timeouts)."""
    return isinstance(exc, _RETRYABLE)


def transport_error(call: Call, exc: httpx.HTTPError) -> MstoolkitError:
    """The mstoolkit error for an httpx failure while performing *call*."""
    if isinstance(exc, httpx.TimeoutException):
        return Unavailable(f"{call.what}: timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.TooManyRedirects):
        return Unavailable(f"{call.what}: too many redirects")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.DecodingError):
        return InvalidArgument(f"{call.what}: {type(exc).__name__}: {exc}")
    return Unavailable(f"{call.what}: {type(exc).__name__}: {exc}")


def retry_delay(
    policy: RetryPolicy,
    call: Call,
    attempt: int,
    *,
    reply: Reply | None,
    clock: Callable[[], float],
    draw: Callable[[], float],
) -> float | None:
    """Seconds before the next attempt after a failed one, or ``None`` to stop.

    ``reply`` is ``None`` after a retryable transport failure.
    """
    if reply is None:
        return policy.delay(method=call.method, attempt=attempt, draw=draw())
    retry_after = parse_retry_after(reply.headers.get("retry-after"), now=clock())
    return policy.delay(
        method=call.method,
        attempt=attempt,
        status=reply.status,
        retry_after=retry_after,
        draw=draw(),
    )


class BodyBuffer:
    """Collects a body chunk by chunk, refusing (success) or truncating (error) past a limit."""

    def __init__(self, call: Call, response: httpx.Response) -> None:
        self._call = call
        self.ok = 200 <= response.status_code < 300
        self.limit = call.body_limit if self.ok else ERROR_BODY_LIMIT
        self._chunks: list[bytes] = []
        self._seen = 0
        self.truncated = False
        declared = declared_length(response)
        if self.ok and declared is not None and declared > self.limit:
            raise self.too_big()

    def too_big(self) -> ResourceExhausted:
        """The error for a successful body over the limit."""
        return ResourceExhausted(f"{self._call.what}: body larger than {self.limit} bytes; refused")

    def add(self, chunk: bytes) -> bool:
        """Take one chunk; ``False`` means stop reading (an error body reached its cap)."""
        self._seen += len(chunk)
        if self._seen > self.limit:
            if self.ok:
                raise self.too_big()
            keep = self.limit - (self._seen - len(chunk))
            self._chunks.append(chunk[: max(keep, 0)])
            self.truncated = True
            return False
        self._chunks.append(chunk)
        return True

    def body(self) -> bytes:
        """Everything collected."""
        return b"".join(self._chunks)


def reply_from(response: httpx.Response, body: bytes) -> Reply:
    """The :class:`Reply` for a read *response*."""
    return Reply(response.status_code, response.headers, response.url, body)


def __dir__() -> list[str]:
    return sorted(__all__)
