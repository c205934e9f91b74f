"""Parse the pull-quota headers registries send (Docker Hub's ``RateLimit-*``).

Docker Hub answers manifest requests with::

    ratelimit-limit: 100;w=21600
    ratelimit-remaining: 76;w=21600
    docker-ratelimit-source: 203.0.113.7

following the IETF RateLimit header draft, whose list form a registry may also use::

    header-value := item *( OWS "," OWS item )
    item         := quota *( OWS ";" OWS param )
    quota        := 1*DIGIT
    param        := token "=" ( token / quoted-string )      ; w = window in seconds

The first item is the quota in force; later items describe further policies and are ignored.
Anything that does not parse gives ``None`` for that figure rather than an error: a malformed
advisory header must never fail a fetch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mstoolkit.registry.models import RateLimit

__all__ = ["parse_rate_limit"]

_QUOTA = re.compile(r"\s*(\d{1,18})\s*")
_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)\s*')

LIMIT = "ratelimit-limit"
REMAINING = "ratelimit-remaining"
SOURCE = "docker-ratelimit-source"


def _first_item(value: str) -> tuple[int | None, int | None]:
    """The quota and the ``w`` parameter of the first list item of *value*."""
    item = value.split(",", 1)[0]
    parts = item.split(";")
    match = _QUOTA.fullmatch(parts[0])
    if match is None:
        return None, None
    quota = int(match.group(1))
    window: int | None = None
    for part in parts[1:]:
        param = _PARAM.fullmatch(part)
        if param is None or param.group(1).lower() != "w":
            continue
        raw = param.group(2).strip('"')
        if raw.isdigit():
            window = int(raw)
    return quota, window


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The rate limit stated by *headers* (case-insensitive mapping), or ``None`` if none is.

    The window comes from ``RateLimit-Limit`` and, failing that, ``RateLimit-Remaining``.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    limit_value = lowered.get(LIMIT)
    remaining_value = lowered.get(REMAINING)
    source = lowered.get(SOURCE, "").strip()
    if limit_value is None and remaining_value is None and not source:
        return None
    limit, window = _first_item(limit_value) if limit_value is not None else (None, None)
    remaining, remaining_window = (
        _first_item(remaining_value) if remaining_value is not None else (None, None)
    )
    return RateLimit(
        limit=limit,
        remaining=remaining,
        window_seconds=window if window is not None else remaining_window,
        source=source,
    )


def __dir__() -> list[str]:
    return sorted(__all__)
