"""Go ``encoding/json`` (go1.19) semantics for what moby's detector needs, in pure Python.

moby decides a blob's media type with ``json.Unmarshal`` into a five-field struct, and Go's
decoder differs from Python's ``json`` in ways that change answers: it validates the *whole*
input before decoding (a syntax error anywhere beats everything), accepts invalid UTF-8 and
lone surrogate escapes inside strings (both become U+FFFD), matches object keys to struct
fields case-insensitively, applies duplicate keys in document order, and stops at 10000
levels of nesting. This module reproduces those rules and nothing more.

Grammar accepted (RFC 8259 as Go's scanner implements it, on bytes)::

    text    = ws value ws
    ws      = *( %x20 / %x09 / %x0A / %x0D )
    value   = object / array / string / number / "true" / "false" / "null"
    object  = "{" ws [ string ws ":" ws value ws *( "," ws string ws ":" ws value ws ) ] "}"
    array   = "[" ws [ value ws *( "," ws value ws ) ] "]"
    string  = %x22 *( any byte >= 0x20 except %x22 / %x5C  /  escape ) %x22
    escape  = "\\" ( %x22 / "\\" / "/" / "b" / "f" / "n" / "r" / "t" / "u" 4HEXDIG )
    number  = [ "-" ] ( "0" / %x31-39 *DIGIT ) [ "." 1*DIGIT ]
              [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]

with at most :data:`MAX_DEPTH` nested arrays/objects. Bytes >= 0x80 are allowed only inside
strings, and there they need not be valid UTF-8.

Two jobs, two tools:

* :func:`decode_top_level` (and :func:`is_valid`, its yes/no) answers "would Go's scanner
  accept this?" and, if so, hands out each top-level key, the kind of its value and, for
  strings, Go's decoding of it, in one pass of CPython's C JSON scanner with Go's
  differences patched in. For input nested deeper than Python's recursion allows,
  :func:`top_level` walks the bytes iteratively instead: no depth raises ``RecursionError``.
* :func:`syntax_error` (from :mod:`.goscan`) is a port of Go's scanner state machine; it
  produces Go's exact ``SyntaxError`` message and ``Offset``. It is the reference the tests
  hold :func:`is_valid` to, and the source of error messages.
"""

from __future__ import annotations

import json
import json.scanner
import re
from dataclasses import dataclass
from typing import Final

from mstoolkit.errors import InvalidJSON
from mstoolkit.manifest.goscan import MAX_DEPTH, quote_char, syntax_error

__all__ = [
    "MAX_DEPTH",
    "Member",
    "TopLevel",
    "decode_top_level",
    "fold_key",
    "go_utf8",
    "is_valid",
    "quote_char",
    "syntax_error",
    "top_level",
    "unquote",
]


def __dir__() -> list[str]:
    return sorted(__all__)


# --- is_valid: CPython's C JSON scanner, told Go's rules ---------------------------------
def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# Numbers become floats (never ints: no 4300-digit limit), objects tuples of pairs (no
# dicts built), NaN/Infinity refused. The decoder holds configuration only.
_VALIDATOR: Final = json.JSONDecoder(
    parse_int=float, parse_constant=_reject_constant, object_pairs_hook=tuple
)
_HAS_C_SCANNER: Final = json.scanner.c_make_scanner is not None  # type: ignore[attr-defined]
# The C scanner recurses on the C stack once per nesting level, bounded only by the
# recursion limit, which a program may have raised far enough to crash the interpreter.
# Counting brackets (strings included) bounds the depth before it runs.
_C_SCANNER_MAX_BRACKETS: Final = 512


def is_valid(data: bytes) -> bool:
    """Whether Go's ``checkValid`` accepts *data* (syntax, bracket balance and depth)."""
    return decode_top_level(data) is not None


def decode_top_level(data: bytes) -> TopLevel | None:
    """Go's view of *data*'s top level, or None where Go's scanner reports a syntax error.

    CPython's C JSON scanner implements Go's grammar with three differences, each
    handled: it reads text, not bytes (Go accepts any byte >= 0x20 inside strings, so
    invalid UTF-8 is replaced byte by byte with U+FFFD first, as Go's decoder does, which
    keeps a string a string and garbage garbage); it accepts ``NaN`` and ``Infinity``
    (refused by the hook); and its depth is bounded by the recursion limit instead of 10000
    (input with many brackets, or a ``RecursionError``, goes to the scanner port and
    :func:`top_level`).
    Escapes decode alike, surrogate pairing included, except that a lone surrogate stays a
    surrogate in Python and becomes U+FFFD in Go: fixed in keys and string values. Python's
    pure-Python fallback scanner would accept non-ASCII digits, so without the C scanner
    the port decides everything.
    """
    if not _HAS_C_SCANNER or data.count(b"[") + data.count(b"{") > _C_SCANNER_MAX_BRACKETS:
        return top_level(data) if syntax_error(data) is None else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = go_utf8(data)
    try:
        value = _VALIDATOR.decode(text)
    except RecursionError:
        return top_level(data) if syntax_error(data) is None else None
    except ValueError:
        return None
    kind = _KIND_OF_CLASS[value.__class__]
    if kind != "object":
        return TopLevel(kind)
    return TopLevel(kind, tuple(
        Member(_lone_surrogates_to_fffd(key), _KIND_OF_CLASS[item.__class__],
               _lone_surrogates_to_fffd(item) if item.__class__ is str else "")
        for key, item in value
    ))


_KIND_OF_CLASS: Final[dict[type, str]] = {
    tuple: "object", list: "array", str: "string", float: "number", bool: "bool",
    type(None): "null",
}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _lone_surrogates_to_fffd(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


# --- strings and keys ---------------------------------------------------------------------
def go_utf8(raw: bytes) -> str:
    """Decode like Go's ``utf8.DecodeRune`` loop: each bad byte becomes one U+FFFD.

    Python's ``errors="replace"`` replaces a maximal bad subsequence by one U+FFFD
    (``b"\\xe2\\x82"`` gives one), Go replaces byte by byte (two). ``surrogateescape``
    maps every bad byte to its own U+DC80..U+DCFF, which strict UTF-8 never yields, so
    replacing those is Go's answer in one linear pass (decoding the rest again after each bad
    byte made a body of 5 MB of garbage take minutes).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _ESCAPED_BYTE.sub("\ufffd", raw.decode("utf-8", "surrogateescape"))


_ESCAPED_BYTE: Final = re.compile("[\udc80-\udcff]")


_ESCAPE: Final = re.compile(rb'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_SIMPLE_ESCAPES: Final = {
    b'"': '"', b"\\": "\\", b"/": "/", b"b": "\b", b"f": "\f", b"n": "\n", b"r": "\r",
    b"t": "\t",
}


def unquote(body: bytes) -> str:
    """Go's ``unquoteBytes`` for the bytes between a valid string token's quotes.

    A surrogate escape pairs with an immediately following one when they form a valid
    UTF-16 pair; otherwise it becomes U+FFFD and the next escape is read on its own.
    """
    if b"\\" not in body:
        return go_utf8(body)
    parts: list[str] = []
    pos = 0
    pending_high = -1  # a high surrogate waiting for its low half at position `pos`
    for match in _ESCAPE.finditer(body):
        if match.start() != pos:
            if pending_high >= 0:
                parts.append("\ufffd")
                pending_high = -1
            parts.append(go_utf8(body[pos : match.start()]))
        pos = match.end()
        hex4, simple = match.groups()
        if hex4 is None:
            if pending_high >= 0:
                parts.append("\ufffd")
                pending_high = -1
            parts.append(_SIMPLE_ESCAPES[simple])
            continue
        code = int(hex4, 16)
        if pending_high >= 0:
            if 0xDC00 <= code < 0xE000:
                parts.append(chr(0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00)))
                pending_high = -1
                continue
            parts.append("\ufffd")
            pending_high = -1
        if 0xD800 <= code < 0xDC00:
            pending_high = code
        elif 0xDC00 <= code < 0xE000:
            parts.append("\ufffd")
        else:
            parts.append(chr(code))
    if pending_high >= 0:
        parts.append("\ufffd")
    parts.append(go_utf8(body[pos:]))
    return "".join(parts)


_FOLD: Final = {**{c: c + 32 for c in range(0x41, 0x5B)}, 0x017F: ord("s"), 0x212A: ord("k")}


def fold_key(key: str) -> str:
    """The form in which Go matches *key* against an all-ASCII field name.

    Go (``equalFoldRight`` in 1.19, ``foldName`` since 1.21) folds ASCII letters and, for
    the letters s and k only, the two non-ASCII runes in their Unicode simple-fold orbits:
    U+017F LATIN SMALL LETTER LONG S and U+212A KELVIN SIGN. Nothing else folds into ASCII
    (U+0130 and U+0131 are not in the orbit of i), so comparing ``fold_key(key)`` with the
    lower-cased field name decides the match.
    """
    return key.translate(_FOLD)


# --- top-level members of a valid document ------------------------------------------------
_VALID_STRING: Final = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_VALID_SCALAR: Final = re.compile(rb"[-+.0-9eE]++|true|false|null")
_NESTING: Final = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[\]{}]', re.DOTALL)
_SKIP_WS: Final = re.compile(rb"[ \t\n\r]*")
_KIND_BY_FIRST_BYTE: Final = {
    0x7B: "object", 0x5B: "array", 0x22: "string", 0x74: "bool", 0x66: "bool", 0x6E: "null",
}


@dataclass(frozen=True, slots=True)
class Member:
    """One top-level ``"key": value`` pair as Go decodes it: the key (escapes decoded), the
    value's Go kind name (``string``, ``number``, ``bool``, ``null``, ``array``,
    ``object``) and, for strings, the decoded text."""

    key: str
    kind: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class TopLevel:
    """The top-level value of a valid document: its kind and, for objects, the members in
    document order, duplicates included."""

    kind: str
    members: tuple[Member, ...] = ()


def _skip_ws(data: bytes, pos: int) -> int:
    space = _SKIP_WS.match(data, pos)
    return pos if space is None else space.end()


def _skip_container(data: bytes, pos: int) -> int:
    depth = 0
    for token in _NESTING.finditer(data, pos):
        first = data[token.start()]
        if first == 0x22:
            continue
        if first in (0x5B, 0x7B):
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return token.end()
    raise InvalidJSON("unbalanced container in a document assumed valid", -1)


def top_level(data: bytes) -> TopLevel:
    """The top-level value of *data*, which must already be known valid, by a byte walk
    that needs no recursion (the fallback of :func:`decode_top_level` for deep input)."""
    pos = _skip_ws(data, 0)
    kind = _KIND_BY_FIRST_BYTE.get(data[pos], "number")
    if kind != "object":
        return TopLevel(kind)
    members: list[Member] = []
    pos = _skip_ws(data, pos + 1)
    if data[pos] == 0x7D:
        return TopLevel(kind)
    while True:
        key = _VALID_STRING.match(data, pos)
        if key is None:
            raise InvalidJSON("object key expected in a document assumed valid", -1)
        pos = _skip_ws(data, key.end()) + 1  # past ":"
        pos = _skip_ws(data, pos)
        first = data[pos]
        value_kind = _KIND_BY_FIRST_BYTE.get(first, "number")
        value_body = b""
        if value_kind == "string":
            token = _VALID_STRING.match(data, pos)
            if token is None:
                raise InvalidJSON("string expected in a document assumed valid", -1)
            value_body = data[pos + 1 : token.end() - 1]
            pos = token.end()
        elif value_kind in ("object", "array"):
            pos = _skip_container(data, pos)
        else:
            scalar = _VALID_SCALAR.match(data, pos)
            if scalar is None:
                raise InvalidJSON("scalar expected in a document assumed valid", -1)
            pos = scalar.end()
        members.append(Member(unquote(data[key.start() + 1 : key.end() - 1]), value_kind,
                              unquote(value_body) if value_kind == "string" else ""))
        pos = _skip_ws(data, pos)
        if data[pos] == 0x7D:
            return TopLevel(kind, tuple(members))
        pos = _skip_ws(data, pos + 1)  # past ","
