"""Parse ``WWW-Authenticate`` challenges (RFC 7235 section 4.1).

Grammar (RFC 7235, RFC 7230 for ``token`` and ``quoted-string``)::

    WWW-Authenticate = challenge *( OWS "," OWS challenge )
    challenge        = auth-scheme [ 1*SP ( token68 / auth-param *( OWS "," OWS auth-param ) ) ]
    auth-param       = token BWS "=" BWS ( token / quoted-string )
    token            = 1*tchar
    quoted-string    = DQUOTE *( qdtext / "\\" CHAR ) DQUOTE

The comma separates both parameters and challenges, so an item that is ``token SP ...`` opens
a new challenge and an item that is ``token = value`` adds a parameter to the current one.
Registries send e.g.::

    Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"
    Bearer realm="…",error="insufficient_scope",scope="repository:a/b:pull,push"
    Basic realm="registry-harness"

The parser is lenient where servers are sloppy (missing spaces, stray commas) and never raises:
a header it cannot read yields fewer challenges, and the caller treats that as "no way in".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["Challenge", "parse_challenges"]

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_SCHEME = re.compile(rf"\s*({_TOKEN})(?=\s|,|$)")
_PARAM = re.compile(rf"\s*({_TOKEN})\s*=\s*({_QUOTED}|{_TOKEN})\s*")
_TOKEN68 = re.compile(r"\s*([A-Za-z0-9._~+/-]+=*)\s*(?=,|$)")
_SEPARATOR = re.compile(r"\s*,")
_ESCAPE = re.compile(r"\\(.)")

_MAX_HEADER = 16 * 1024


@dataclass(frozen=True, slots=True)
class Challenge:
    """One authentication challenge: its scheme (lowercase) and parameters (lowercase keys)."""

    scheme: str
    params: Mapping[str, str]

    def get(self, name: str, default: str = "") -> str:
        """A parameter's value, or *default*."""
        return self.params.get(name.lower(), default)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def _parse_one(header: str, out: list[Challenge]) -> None:
    pos = 0
    scheme: str | None = None
    params: dict[str, str] = {}

    def flush() -> None:
        if scheme is not None:
            out.append(Challenge(scheme.lower(), MappingProxyType(dict(params))))

    while pos < len(header):
        separator = _SEPARATOR.match(header, pos)
        if separator is not None:
            pos = separator.end()
            continue
        param = _PARAM.match(header, pos)
        if param is not None and scheme is not None:
            params.setdefault(param.group(1).lower(), _unquote(param.group(2)))
            pos = param.end()
            continue
        new_scheme = _SCHEME.match(header, pos)
        if new_scheme is None:
            # Unreadable text: skip to the next comma and carry on.
            comma = header.find(",", pos)
            pos = len(header) if comma < 0 else comma
            continue
        flush()
        scheme, params = new_scheme.group(1), {}
        pos = new_scheme.end()
        param = _PARAM.match(header, pos)
        if param is None:
            token68 = _TOKEN68.match(header, pos)
            if token68 is not None:
                params["token68"] = token68.group(1)
                pos = token68.end()
    flush()


def parse_challenges(headers: str | Iterable[str]) -> tuple[Challenge, ...]:
    """All challenges in one header value or in several (``headers.get_list(...)``)."""
    values = [headers] if isinstance(headers, str) else list(headers)
    out: list[Challenge] = []
    for value in values:
        _parse_one(value[:_MAX_HEADER], out)
    return tuple(out)


def __dir__() -> list[str]:
    return sorted(__all__)
