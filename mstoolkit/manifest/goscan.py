"""Go's JSON scanner (``encoding/json/scanner.go``, go1.19), state for state.

``json.Unmarshal`` runs this state machine over the whole input before decoding anything,
and its first complaint is the error the caller sees: ``invalid character 'x' <context>``
with ``Offset`` one past the offending byte, ``unexpected end of JSON input``, or
``exceeded max depth`` at the 10001st open bracket. Reproducing the message and offset
needs the same states, so this is a port, not a re-derivation. It walks byte by byte,
jumping over runs of plain string bytes and skippable whitespace with a regex (bytes in
which no state changes); it never recurses.

:func:`mstoolkit.manifest.gojson.is_valid` answers the same yes/no question much faster;
this module is what gives the message, and what the tests hold the fast check to.
"""

from __future__ import annotations

import re
from typing import Final

from mstoolkit.errors import InvalidJSON

__all__ = ["MAX_DEPTH", "quote_char", "syntax_error"]


def __dir__() -> list[str]:
    return sorted(__all__)


#: Go's ``maxNestingDepth``: the scanner refuses the 10001st open bracket.
MAX_DEPTH: Final = 10000

_PARSE_OBJECT_KEY, _PARSE_OBJECT_VALUE, _PARSE_ARRAY_VALUE = range(3)
(
    _BEGIN_VALUE_OR_EMPTY, _BEGIN_VALUE, _BEGIN_STRING_OR_EMPTY, _BEGIN_STRING, _IN_STRING,
    _IN_STRING_ESC, _ESC_U, _ESC_U1, _ESC_U12, _ESC_U123, _NEG, _ONE, _ZERO, _DOT, _DOT0,
    _E, _E_SIGN, _E0, _T, _TR, _TRU, _F, _FA, _FAL, _FALS, _N, _NU, _NUL, _END_VALUE,
    _END_TOP,
) = range(30)
_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
_DIGITS: Final = frozenset(b"0123456789")
_SPACE: Final = frozenset(b" \t\n\r")
_PLAIN_RUN: Final = re.compile(rb'[^"\\\x00-\x1f]++')
_SPACE_RUN: Final = re.compile(rb"[ \t\n\r]++")
# States in which whitespace is skipped without any change: a run can be jumped over.
_SKIPS_SPACE: Final = frozenset(
    {_BEGIN_VALUE_OR_EMPTY, _BEGIN_VALUE, _BEGIN_STRING_OR_EMPTY, _BEGIN_STRING, _END_TOP}
)
# Literal states: (expected byte, next state, context of the error).
_LITERAL: Final = {
    _T: (ord("r"), _TR, "in literal true (expecting 'r')"),
    _TR: (ord("u"), _TRU, "in literal true (expecting 'u')"),
    _TRU: (ord("e"), _END_VALUE, "in literal true (expecting 'e')"),
    _F: (ord("a"), _FA, "in literal false (expecting 'a')"),
    _FA: (ord("l"), _FAL, "in literal false (expecting 'l')"),
    _FAL: (ord("s"), _FALS, "in literal false (expecting 's')"),
    _FALS: (ord("e"), _END_VALUE, "in literal false (expecting 'e')"),
    _N: (ord("u"), _NU, "in literal null (expecting 'u')"),
    _NU: (ord("l"), _NUL, "in literal null (expecting 'l')"),
    _NUL: (ord("l"), _END_VALUE, "in literal null (expecting 'l')"),
}
_NAMED_ESCAPES: Final = {
    0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
}


def quote_char(c: int) -> str:
    """Go's ``quoteChar``: the byte shown as the rune of the same value, quoted the way
    ``strconv.Quote`` would (so byte 0xA3 reads ``'£'`` and 0x80 reads ``'\\u0080'``)."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    if c == 0x5C:
        return "'\\\\'"
    if 0x20 <= c < 0x7F or (0xA1 <= c <= 0xFF and c != 0xAD):
        return f"'{chr(c)}'"
    named = _NAMED_ESCAPES.get(c)
    if named is not None:
        return f"'{named}'"
    if c < 0x20 or c == 0x7F:
        return f"'\\x{c:02x}'"
    return f"'\\u{c:04x}'"


class _Scanner:
    """Go's ``scanner`` as a state machine over one byte at a time."""

    __slots__ = ("err", "parse_state", "state")

    def __init__(self) -> None:
        self.state = _BEGIN_VALUE
        self.parse_state: list[int] = []
        self.err: InvalidJSON | None = None

    def error(self, c: int, context: str, offset: int) -> None:
        self.err = InvalidJSON(f"invalid character {quote_char(c)} {context}", offset)

    def push(self, c: int, parse_state: int, offset: int) -> None:
        self.parse_state.append(parse_state)
        if len(self.parse_state) > MAX_DEPTH:
            self.error(c, "exceeded max depth", offset)

    def pop(self) -> None:
        self.parse_state.pop()
        self.state = _END_VALUE if self.parse_state else _END_TOP

    def begin_value(self, c: int, offset: int) -> None:
        if c in _SPACE:
            return
        if c == 0x7B:
            self.state = _BEGIN_STRING_OR_EMPTY
            self.push(c, _PARSE_OBJECT_KEY, offset)
        elif c == 0x5B:
            self.state = _BEGIN_VALUE_OR_EMPTY
            self.push(c, _PARSE_ARRAY_VALUE, offset)
        elif c == 0x22:
            self.state = _IN_STRING
        elif c == 0x2D:
            self.state = _NEG
        elif c == 0x30:
            self.state = _ZERO
        elif c == 0x74:
            self.state = _T
        elif c == 0x66:
            self.state = _F
        elif c == 0x6E:
            self.state = _N
        elif 0x31 <= c <= 0x39:
            self.state = _ONE
        else:
            self.error(c, "looking for beginning of value", offset)

    def end_value(self, c: int, offset: int) -> None:
        if not self.parse_state:
            self.state = _END_TOP
            self.end_top(c, offset)
            return
        if c in _SPACE:
            self.state = _END_VALUE
            return
        ps = self.parse_state[-1]
        if ps == _PARSE_OBJECT_KEY:
            if c == 0x3A:
                self.parse_state[-1] = _PARSE_OBJECT_VALUE
                self.state = _BEGIN_VALUE
            else:
                self.error(c, "after object key", offset)
        elif ps == _PARSE_OBJECT_VALUE:
            if c == 0x2C:
                self.parse_state[-1] = _PARSE_OBJECT_KEY
                self.state = _BEGIN_STRING
            elif c == 0x7D:
                self.pop()
            else:
                self.error(c, "after object key:value pair", offset)
        elif c == 0x2C:
            self.state = _BEGIN_VALUE
        elif c == 0x5D:
            self.pop()
        else:
            self.error(c, "after array element", offset)

    def end_top(self, c: int, offset: int) -> None:
        if c not in _SPACE:
            self.error(c, "after top-level value", offset)

    def step(self, c: int, offset: int) -> None:
        s = self.state
        if s == _IN_STRING:
            if c == 0x22:
                self.state = _END_VALUE
            elif c == 0x5C:
                self.state = _IN_STRING_ESC
            elif c < 0x20:
                self.error(c, "in string literal", offset)
        elif s == _BEGIN_VALUE:
            self.begin_value(c, offset)
        elif s == _END_VALUE:
            self.end_value(c, offset)
        elif s in (_BEGIN_STRING_OR_EMPTY, _BEGIN_STRING):
            if c in _SPACE:
                return
            if c == 0x7D and s == _BEGIN_STRING_OR_EMPTY:
                self.parse_state[-1] = _PARSE_OBJECT_VALUE
                self.end_value(c, offset)
            elif c == 0x22:
                self.state = _IN_STRING
            else:
                self.error(c, "looking for beginning of object key string", offset)
        elif s == _BEGIN_VALUE_OR_EMPTY:
            if c in _SPACE:
                return
            if c == 0x5D:
                self.end_value(c, offset)
            else:
                self.begin_value(c, offset)
        elif s == _IN_STRING_ESC:
            if c in b'bfnrt\\/"':
                self.state = _IN_STRING
            elif c == 0x75:
                self.state = _ESC_U
            else:
                self.error(c, "in string escape code", offset)
        elif _ESC_U <= s <= _ESC_U123:
            if c in _HEX:
                self.state = _IN_STRING if s == _ESC_U123 else s + 1
            else:
                self.error(c, "in \\u hexadecimal character escape", offset)
        elif s == _NEG:
            if c == 0x30:
                self.state = _ZERO
            elif 0x31 <= c <= 0x39:
                self.state = _ONE
            else:
                self.error(c, "in numeric literal", offset)
        elif s in (_ONE, _ZERO):
            if s == _ONE and c in _DIGITS:
                return
            if c == 0x2E:
                self.state = _DOT
            elif c in (0x65, 0x45):
                self.state = _E
            else:
                self.end_value(c, offset)
        elif s == _DOT:
            if c in _DIGITS:
                self.state = _DOT0
            else:
                self.error(c, "after decimal point in numeric literal", offset)
        elif s == _DOT0:
            if c in _DIGITS:
                return
            if c in (0x65, 0x45):
                self.state = _E
            else:
                self.end_value(c, offset)
        elif s in (_E, _E_SIGN):
            if s == _E and c in (0x2B, 0x2D):
                self.state = _E_SIGN
            elif c in _DIGITS:
                self.state = _E0
            else:
                self.error(c, "in exponent of numeric literal", offset)
        elif s == _E0:
            if c not in _DIGITS:
                self.end_value(c, offset)
        elif s == _END_TOP:
            self.end_top(c, offset)
        else:
            expected, following, context = _LITERAL[s]
            if c == expected:
                self.state = following
            else:
                self.error(c, context, offset)


def syntax_error(data: bytes) -> InvalidJSON | None:
    """Go's ``checkValid``: the ``SyntaxError`` it reports for *data*, or None if valid.

    The message and ``offset`` are Go's (the offset counts the offending byte, so it is
    one past its index; at end of input it is ``len(data)``). Runs of plain string bytes
    and of skippable whitespace are jumped with a regex; every other byte goes through the
    state machine exactly as Go's does.
    """
    scanner = _Scanner()
    size = len(data)
    i = 0
    while i < size:
        state = scanner.state
        if state == _IN_STRING:
            run = _PLAIN_RUN.match(data, i)
            if run is not None:
                i = run.end()
                if i == size:
                    break
        elif state in _SKIPS_SPACE:
            run = _SPACE_RUN.match(data, i)
            if run is not None:
                i = run.end()
                if i == size:
                    break
        scanner.step(data[i], i + 1)
        if scanner.err is not None:
            return scanner.err
        i += 1
    if scanner.state == _END_TOP:
        return None
    # Go's eof(): feed one space, which ends a pending number or literal.
    scanner.step(0x20, size)
    if scanner.err is not None:
        return scanner.err
    if scanner.state == _END_TOP:
        return None
    return InvalidJSON("unexpected end of JSON input", size)
