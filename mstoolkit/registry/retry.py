"""When to try a registry request again, and how long to wait first.

Only idempotent requests (GET, HEAD) are retried, and only for failures that say nothing about
the request itself: the connection failed or was reset, the server timed out (408), asked us to
slow down (429) or had a transient fault (500, 502, 503, 504). The wait is exponential backoff
with *full jitter* (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform draw in
``[0, min(max_backoff, backoff * multiplier**attempt)]``, so that a burst of concurrent audit
workers does not retry in lock-step.

A ``Retry-After`` header wins over the backoff, but only up to ``retry_after_cap``: a registry
that asks for an hour's pause gets no retry at all, the caller gets :class:`Unavailable` at
once, because sleeping inside a notebook cell for an hour helps nobody.

The policy is a pure value: the clock, the random draw and the sleep are passed in by the
clients, so tests drive it without waiting.
"""

from __future__ import annotations

import email.utils
import math
from dataclasses import dataclass, field

from mstoolkit.errors import InvalidArgument

__all__ = ["RETRY_METHODS", "RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: HTTP statuses worth another attempt.
RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
#: Methods that may be repeated without changing anything on the server.
RETRY_METHODS: frozenset[str] = frozenset({"GET", "HEAD"})


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value (delta-seconds or HTTP-date).

    ``now`` is the current POSIX time (for the date form). Unparseable values give ``None``.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # "²" is a digit to str.isdigit, not to int()
        # a 400-digit value is "longer than any cap", not an OverflowError in float()
        return float(text) if len(text) < 300 else math.inf
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to try and how long to wait in between.

    ``attempts`` counts every try, the first one included (1 = never retry).
    """

    attempts: int = 4
    backoff: float = 0.25
    multiplier: float = 2.0
    max_backoff: float = 8.0
    retry_after_cap: float = 60.0
    statuses: frozenset[int] = field(default=RETRY_STATUSES)
    methods: frozenset[str] = field(default=RETRY_METHODS)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise InvalidArgument("RetryPolicy.attempts must be at least 1")
        for name in ("backoff", "multiplier", "max_backoff", "retry_after_cap"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise InvalidArgument(f"RetryPolicy.{name} must be a finite number >= 0")

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that tries exactly once."""
        return cls(attempts=1)

    def backoff_delay(self, attempt: int, draw: float) -> float:
        """The full-jitter wait before try number ``attempt + 1`` (``draw`` uniform in [0, 1))."""
        ceiling = min(self.max_backoff, self.backoff * self.multiplier ** min(attempt, 64))
        return ceiling * min(max(draw, 0.0), 1.0)

    def delay(
        self,
        *,
        method: str,
        attempt: int,
        status: int | None = None,
        retry_after: float | None = None,
        draw: float = 1.0,
    ) -> float | None:
        """Seconds to wait before the next try, or ``None`` to give up.

        ``attempt`` is the number of tries made so far (1 after the first). ``status`` is the
        HTTP status of the failed try, or ``None`` for a transport failure (connection refused,
        reset, timeout). ``retry_after`` is the parsed ``Retry-After`` of that response.
        """
        if attempt >= self.attempts or method.upper() not in self.methods:
            return None
        if status is not None and status not in self.statuses:
            return None
        if retry_after is not None:
            if retry_after > self.retry_after_cap:
                return None
            return retry_after
        return self.backoff_delay(attempt - 1, draw)


def __dir__() -> list[str]:
    return sorted(__all__)
