r"""containerd's filter syntax (``pkg/filters``), ported token for token.

Grammar (containerd's, with the scanner's real field alphabet)::

    filters   := selectors                   several strings passed together are ORed
    selectors := selector ("," selector)*    all selectors of one string must match
    selector  := fieldpath [operator value]  no operator: the field must be present
    fieldpath := field ("." field)*
    field     := quoted | [A-Za-z0-9_-]+
    operator  := "==" | "!=" | "~="
    value     := quoted | [^\s,]+            starts in "value mode" right after an operator
    quoted    := '"' go-string '"'           after "~=" also /regexp/ and |regexp|

Example: ``labels."containerd.io/distribution.source.docker.io"~="^library/"``.

Matching is containerd's: ``==`` needs the field present and equal, ``!=`` compares the value
(``""`` when absent), ``~=`` searches the value (``""`` when absent) with a regular expression.
Error messages are containerd's, character for character, and :class:`InvalidFilter` carries
the position they point at. Two deliberate differences: positions count characters, not UTF-8
bytes, and a ``~=`` value that is not a valid regular expression is an error at parse time,
where containerd logs it and silently matches nothing.

Regular expressions are RE2's (``google-re2``), the syntax of Go's ``regexp`` that containerd
compiles them with, and for the same reason Go chose it: matching takes time linear in the
label, whatever the pattern. Python's backtracking ``re`` took exponential time on
``labels.k~="(a+)+$"`` against a 30-character label (a walk that never ends), raised
RecursionError on 500 nested groups and OverflowError on ``a{99999999999}``, and accepted
lookarounds and backreferences that containerd refuses. Patterns and values are matched as
UTF-8 bytes, as in Go.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Protocol

import re2

from mstoolkit.content.protocols import Info, Status
from mstoolkit.errors import InvalidFilter

__all__ = [
    "ALWAYS",
    "Adaptor",
    "AllOf",
    "AnyOf",
    "Filter",
    "Operator",
    "Selector",
    "adapt_info",
    "adapt_status",
    "parse",
    "parse_all",
]

#: Looks a field path up on one object: the value, or None when the field is absent.
Adaptor = Callable[[Sequence[str]], str | None]


class Pattern(Protocol):
    """A compiled ``~=`` expression (an RE2 regexp over UTF-8 bytes)."""

    def search(self, text: bytes) -> object | None: ...


class Operator(StrEnum):
    """A selector's comparison; ``PRESENT`` is the bare field path."""

    PRESENT = "?"
    EQUAL = "=="
    NOT_EQUAL = "!="
    MATCHES = "~="


@dataclass(frozen=True, slots=True)
class Selector:
    """One ``<fieldpath><op><value>`` test."""

    fieldpath: tuple[str, ...]
    operator: Operator
    value: str = ""
    regex: Pattern | None = None

    def match(self, adaptor: Adaptor) -> bool:
        value = adaptor(self.fieldpath)
        if self.operator is Operator.PRESENT:
            return value is not None
        if self.operator is Operator.EQUAL:
            return value is not None and value == self.value
        if self.operator is Operator.NOT_EQUAL:
            return (value or "") != self.value
        assert self.regex is not None
        # surrogatepass: an adaptor's odd string still gets matched, never a crash
        return self.regex.search((value or "").encode("utf-8", "surrogatepass")) is not None


@dataclass(frozen=True, slots=True)
class AllOf:
    """Matches when every part matches (one filter string's comma-separated selectors)."""

    parts: tuple[Selector, ...]

    def match(self, adaptor: Adaptor) -> bool:
        return all(part.match(adaptor) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Matches when any part matches (several filter strings); no parts matches everything."""

    parts: tuple[AllOf, ...]

    def match(self, adaptor: Adaptor) -> bool:
        return not self.parts or any(part.match(adaptor) for part in self.parts)


#: The filter of ``""`` and of no filter strings at all.
ALWAYS = AnyOf(())

Filter = Selector | AllOf | AnyOf


def parse(text: str) -> AnyOf:
    """Parse one filter string (``""`` matches everything); raises :class:`InvalidFilter`."""
    if not isinstance(text, str):
        raise InvalidFilter(f"filters: expected a string, not {type(text).__name__}")
    if text == "":
        return ALWAYS
    return AnyOf((_Parser(text).parse(),))


def parse_all(*texts: str) -> AnyOf:
    """Parse several filter strings into one filter that matches if any of them matches."""
    if not texts:
        return ALWAYS
    parts: list[AllOf] = []
    for text in texts:
        parsed = parse(text)
        if parsed is ALWAYS:
            return ALWAYS
        parts.extend(parsed.parts)
    return AnyOf(tuple(parts))


def adapt_info(info: Info) -> Adaptor:
    """containerd's ``content.AdaptInfo``: ``digest``, ``size`` and ``labels.<key>``."""

    def field(path: Sequence[str]) -> str | None:
        if not path:
            return None
        head = path[0]
        if head == "digest":
            return str(info.digest)
        if head == "size":
            return str(info.size)
        if head == "labels":
            if not info.labels:
                return None
            return info.labels.get(".".join(path[1:]))
        return None

    return field


def adapt_status(status: Status) -> Adaptor:
    """containerd's local store adaptor for ingest statuses: only ``ref``."""

    def field(path: Sequence[str]) -> str | None:
        if path and path[0] == "ref":
            return status.ref
        return None

    return field


class _Tok(IntEnum):
    EOF = -1
    QUOTED = -2
    VALUE = -3
    FIELD = -4
    SEPARATOR = -5
    OPERATOR = -6
    ILLEGAL = -7
    CHAR = -8  # any other rune; the text is the rune itself


_EOF = int(_Tok.EOF)
_ILLEGAL = int(_Tok.ILLEGAL)
Rune = str | int  # a one-character string, or _EOF / _ILLEGAL

_LATIN1_SPACE = frozenset("\t\n\v\f\r \x85\xa0")


def _is_space(ch: Rune) -> bool:
    if not isinstance(ch, str):
        return False
    if ord(ch) < 256:
        return ch in _LATIN1_SPACE
    return ch.isspace()


def _is_field_rune(ch: Rune) -> bool:
    return isinstance(ch, str) and (ch in "-_" or (ch.isascii() and ch.isalnum()))


def _is_value_rune(ch: Rune) -> bool:
    if not isinstance(ch, str) or ch == "," or _is_space(ch):
        return False
    return unicodedata.category(ch)[0] in "LMNPS"


def _digit_val(ch: Rune) -> int:
    if isinstance(ch, str) and ch.isascii() and ch in "0123456789abcdefABCDEF":
        return int(ch, 16)
    return 16


class _Scanner:
    """containerd's ``scanner``; ``err`` keeps the first error for the whole input."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.ppos = 0
        self.value = False
        self.err = ""

    def next(self) -> Rune:
        if self.pos >= len(self.input):
            return _EOF
        self.pos = self.ppos
        if self.ppos >= len(self.input):
            return _EOF
        ch = self.input[self.ppos]
        self.ppos += 1
        if ch == "\ufffd" or "\ud800" <= ch <= "\udfff":
            self.error("rune error")
            return _ILLEGAL
        if ch == "\x00":
            self.error("unexpected null")
            return _ILLEGAL
        return ch

    def peek(self) -> Rune:
        pos, ppos = self.pos, self.ppos
        ch = self.next()
        self.pos, self.ppos = pos, ppos
        return ch

    def scan(self) -> tuple[int, _Tok, str]:
        ch = self.next()
        pos = self.pos
        while True:
            if ch == _EOF:
                return self.pos, _Tok.EOF, ""
            if ch == _ILLEGAL:
                return self.pos, _Tok.ILLEGAL, ""
            assert isinstance(ch, str)
            if ch in '/|"':
                ok = self._scan_quoted(ch)
                return pos, _Tok.QUOTED if ok else _Tok.ILLEGAL, self.input[pos : self.ppos]
            if ch in ",.":
                self.value = False
                return pos, _Tok.SEPARATOR, self.input[pos : self.ppos]
            if ch in "=!~":
                while self.peek() in ("=", "!", "~"):
                    self.next()
                self.value = True
                return pos, _Tok.OPERATOR, self.input[pos : self.ppos]
            if _is_space(ch):
                ch = self.next()
                pos = self.pos
                continue
            if self.value:
                while _is_value_rune(self.peek()):
                    self.next()
                self.value = False
                return pos, _Tok.VALUE, self.input[pos : self.ppos]
            if _is_field_rune(ch):
                while _is_field_rune(self.peek()):
                    self.next()
                return pos, _Tok.FIELD, self.input[pos : self.ppos]
            return self.pos, _Tok.CHAR, ch

    def _scan_quoted(self, quote: str) -> bool:
        illegal = False
        ch = self.next()
        while ch != quote:
            if ch == "\n" or not isinstance(ch, str):
                self.error("quoted literal not terminated")
                return False
            if ch == "\\":
                ch, legal = self._scan_escape(quote)
                illegal = illegal or not legal
            else:
                ch = self.next()
        return not illegal

    def _scan_escape(self, quote: str) -> tuple[Rune, bool]:
        ch = self.next()
        if isinstance(ch, str) and (ch in "abfnrtv\\" or ch == quote):
            return self.next(), True
        if isinstance(ch, str) and ch in "01234567":
            return self._scan_digits(ch, 8, 3)
        if ch == "x":
            return self._scan_digits(self.next(), 16, 2)
        if ch == "u":
            return self._scan_digits(self.next(), 16, 4)
        if ch == "U":
            return self._scan_digits(self.next(), 16, 8)
        self.error("illegal escape sequence")
        return ch, False

    def _scan_digits(self, ch: Rune, base: int, n: int) -> tuple[Rune, bool]:
        while n > 0 and _digit_val(ch) < base:
            ch = self.next()
            n -= 1
        if n > 0:
            self.error("illegal numeric escape sequence")
            return ch, False
        return ch, True

    def error(self, msg: str) -> None:
        if not self.err:
            self.err = msg


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.scanner = _Scanner(text)

    def parse(self) -> AllOf:
        parts = [self.selector()]
        while True:
            tok = self.scanner.peek()
            if tok == ",":
                pos, kind, _ = self.scanner.scan()
                if kind is not _Tok.SEPARATOR:
                    raise self.error(pos, "expected a separator")
                parts.append(self.selector())
            elif tok == _EOF:
                return AllOf(tuple(parts))
            else:
                shown = tok if isinstance(tok, str) else "\ufffd"
                raise self.error(self.scanner.ppos, f"unexpected input: {shown}")

    def selector(self) -> Selector:
        fieldpath = self.fieldpath()
        if self.scanner.peek() in (",", _EOF):
            return Selector(fieldpath, Operator.PRESENT)
        op = self.operator()
        pos, value = self.value(allow_alt_quotes=op is Operator.MATCHES)
        regex = None
        if op is Operator.MATCHES:
            try:
                regex = _compile(value)
            except (re2.error, UnicodeEncodeError) as exc:
                reason = exc.args[0] if isinstance(exc, re2.error) else "invalid UTF-8"
                if isinstance(reason, bytes):
                    reason = reason.decode("utf-8", "replace")
                raise self.error(pos, f"error compiling regexp {value!r}: {reason}") from exc
        return Selector(fieldpath, op, value, regex)

    def fieldpath(self) -> tuple[str, ...]:
        fields = [self.field()]
        while self.scanner.peek() == ".":
            pos, kind, _ = self.scanner.scan()
            if kind is not _Tok.SEPARATOR:
                raise self.error(pos, "expected a field separator (`.`)")
            fields.append(self.field())
        return tuple(fields)

    def field(self) -> str:
        pos, kind, text = self.scanner.scan()
        if kind is _Tok.FIELD:
            return text
        if kind is _Tok.QUOTED:
            return self.unquote(pos, text, allow_alts=False)
        if kind is _Tok.ILLEGAL:
            raise self.error(pos, self.scanner.err)
        raise self.error(pos, "expected field or quoted")

    def operator(self) -> Operator:
        pos, kind, text = self.scanner.scan()
        if kind is _Tok.OPERATOR:
            for op in (Operator.EQUAL, Operator.NOT_EQUAL, Operator.MATCHES):
                if text == op.value:
                    return op
            raise self.error(pos, f'unsupported operator "{text}"')
        if kind is _Tok.ILLEGAL:
            raise self.error(pos, self.scanner.err)
        raise self.error(pos, 'expected an operator ("=="|"!="|"~=")')

    def value(self, *, allow_alt_quotes: bool) -> tuple[int, str]:
        pos, kind, text = self.scanner.scan()
        if kind in (_Tok.VALUE, _Tok.FIELD):
            return pos, text
        if kind is _Tok.QUOTED:
            return pos, self.unquote(pos, text, allow_alts=allow_alt_quotes)
        if kind is _Tok.ILLEGAL:
            raise self.error(pos, self.scanner.err)
        raise self.error(pos, "expected value or quoted")

    def unquote(self, pos: int, text: str, *, allow_alts: bool) -> str:
        if not allow_alts and text[0] not in "'\"":
            raise self.error(pos, "invalid quote encountered")
        try:
            return _unquote(text)
        except ValueError as exc:
            raise self.error(pos, f"unquoting failed: {exc}") from exc

    def error(self, pos: int, msg: str) -> InvalidFilter:
        text = self.input
        if pos < len(text):
            where = f"[{text[:pos]} >|{text[pos : pos + 1]}|< {text[pos + 1 :]}]"
        else:
            where = f"[{text}]"
        return InvalidFilter(f"filters: parse error: {where}: {msg}", text=text, position=pos)


def _compile(value: str) -> Pattern:
    """RE2 over UTF-8 bytes; raw bytes from ``\\x`` escapes (kept as surrogate escapes) become
    bytes again, so a pattern that is not UTF-8 is refused as Go refuses it."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    options.never_capture = True  # only "does it match" is asked; groups cost NFA time
    pattern: Pattern = re2.compile(value.encode("utf-8", "surrogateescape"), options)
    return pattern


_QUOTE_SYNTAX = "quote syntax error"
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _unquote(text: str) -> str:
    """Go's ``strconv.Unquote`` as containerd extends it: ``/`` and ``|`` quote like ``"``.

    ``\\x`` and octal escapes produce raw bytes as in Go; bytes that are not UTF-8 survive as
    surrogate escapes (they then match no real label, as in containerd).
    """
    if len(text) < 2 or text[0] != text[-1] or text[0] not in '"/|':
        raise ValueError(_QUOTE_SYNTAX)
    quote, body = text[0], text[1:-1]
    if "\n" in body:
        raise ValueError(_QUOTE_SYNTAX)
    if "\\" not in body and quote not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == quote:
            raise ValueError(_QUOTE_SYNTAX)
        if c != "\\":
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError(_QUOTE_SYNTAX)
        esc, i = body[i + 1], i + 2
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
        elif esc in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i : i + n]
            if len(digits) < n or any(_digit_val(d) >= 16 for d in digits):
                raise ValueError(_QUOTE_SYNTAX)
            value, i = int(digits, 16), i + n
            if esc == "x":
                out.append(value)
            elif value > 0x10FFFF:
                raise ValueError(_QUOTE_SYNTAX)
            else:
                if 0xD800 <= value <= 0xDFFF:
                    value = 0xFFFD  # Go's utf8.EncodeRune writes RuneError for surrogates
                out += chr(value).encode("utf-8")
        elif esc in "01234567":
            digits = esc + body[i : i + 2]
            if len(digits) < 3 or any(d not in "01234567" for d in digits):
                raise ValueError(_QUOTE_SYNTAX)
            value, i = int(digits, 8), i + 2
            if value > 255:
                raise ValueError(_QUOTE_SYNTAX)
            out.append(value)
        elif esc in "'\"|/" and esc == quote:
            out.append(ord(esc))
        else:
            raise ValueError(_QUOTE_SYNTAX)
    return out.decode("utf-8", "surrogateescape")


def __dir__() -> list[str]:
    return sorted(__all__)
