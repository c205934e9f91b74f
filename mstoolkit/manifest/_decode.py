"""JSON decoding for the manifest parsers, with Go's ``encoding/json`` answers where they differ.

The parsers port Go code that decodes into structs, so two Go habits matter here:

* **Decoding.** orjson does the work. It refuses two things Go accepts: invalid UTF-8 and
  unpaired ``\\uD800``-style escapes, which Go turns into U+FFFD. Only when orjson refuses do
  we repair exactly those and try again, so the fast path costs nothing. orjson's depth limit
  (1024) is lower than Go's (10000); a manifest's own structure is a handful of levels deep,
  so only pathological unknown fields can hit it, and they get :class:`InvalidJSON`, never
  ``RecursionError``.
* **Field lookup.** A Go struct field matches an object key exactly or case-insensitively
  with Unicode simple folding (``"Config"``, ``"ſchemaVersion"``; the folding is
  :func:`mstoolkit.manifest.gojson.fold_key`, shared with the detector), the last matching key
  wins, and ``null`` leaves a string, number or struct field untouched but clears a slice,
  map or pointer. :class:`GoStruct` gives a dict keyed by the canonical field names with
  those rules applied. One approximation: for a repeated identical key Python's dict keeps
  the last value at the *first* key's position, so when it interleaves with a differently
  cased spelling of the same field, the winner can differ from Go's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from mstoolkit.errors import InvalidJSON
from mstoolkit.manifest.gojson import fold_key, go_utf8

__all__ = ["GoStruct", "decode_json"]

# An escape, tokenised left to right so that "\\\\u..." (an escaped backslash) is never
# mistaken for a \u escape. Groups: surrogate pair, lone high, lone low; anything else is
# copied unchanged.
_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(\\u[dD][89abAB][0-9a-fA-F]{2})"
    r"|(\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|\\."
)


def _replace_lone_surrogate(match: re.Match[str]) -> str:
    if match.group(1) is not None or match.group(2) is not None:
        return "\\ufffd"
    return match.group(0)


def decode_json(data: bytes, *, what: str = "manifest") -> Any:
    """Decode *data* as Go's ``json.Unmarshal`` would accept it; :class:`InvalidJSON` if not."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        first = exc
    # Go's decoder replaces invalid UTF-8 and unpaired surrogate escapes with U+FFFD; repair
    # only those two things, so that every other refusal stays a refusal.
    text = go_utf8(data)
    if "\\u" in text:
        text = _ESCAPE.sub(_replace_lone_surrogate, text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise InvalidJSON(f"{what} is not valid JSON: {first}", first.pos) from first


class GoStruct:
    """The fields of one Go struct: which keys match them and which ones ``null`` clears."""

    __slots__ = ("_exact", "_folded", "_nullable")

    def __init__(self, fields: Iterable[str], *, nullable: Iterable[str] = ()) -> None:
        names = tuple(fields)
        self._exact = {name: name for name in names}
        self._folded = {fold_key(name): name for name in names}
        self._nullable = frozenset(nullable)

    def view(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """The struct's fields as Go would fill them from *obj*, keyed by canonical name.

        A field absent from the result was absent (or ``null`` where null has no effect).
        """
        out: dict[str, Any] = {}
        exact, folded, nullable = self._exact, self._folded, self._nullable
        for key, value in obj.items():
            name = exact.get(key)
            if name is None:
                name = folded.get(fold_key(key))
                if name is None:
                    continue
            if value is None and name not in nullable:
                continue
            out[name] = value
        return out


def __dir__() -> list[str]:
    return sorted(__all__)
