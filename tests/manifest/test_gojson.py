"""mstoolkit.manifest.gojson and .goscan: Go's scanner messages and offsets, Go's string
unquoting and UTF-8 repair, Go's key folding, and the top-level member walk."""

from __future__ import annotations

import pytest

from mstoolkit.errors import InvalidJSON
from mstoolkit.manifest import gojson, goscan
from mstoolkit.manifest.gojson import (
    Member,
    TopLevel,
    decode_top_level,
    fold_key,
    go_utf8,
    is_valid,
    quote_char,
    syntax_error,
    top_level,
    unquote,
)

# (input, Go's SyntaxError message, Go's Offset), as go1.19's json.Unmarshal reports them.
SYNTAX_ERRORS = [
    (b"", "unexpected end of JSON input", 0),
    (b" ", "unexpected end of JSON input", 1),
    (b"x", "invalid character 'x' looking for beginning of value", 1),
    (b"{", "unexpected end of JSON input", 1),
    (b'{"a"', "unexpected end of JSON input", 4),
    (b'{"a":', "unexpected end of JSON input", 5),
    (b'{"a" 1}', "invalid character '1' after object key", 6),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair", 8),
    (b"[1 2]", "invalid character '2' after array element", 4),
    (b"{1:2}", "invalid character '1' looking for beginning of object key string", 2),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string", 8),
    (b"[1,]", "invalid character ']' looking for beginning of value", 4),
    (b"[,1]", "invalid character ',' looking for beginning of value", 2),
    (b"{,}", "invalid character ',' looking for beginning of object key string", 2),
    (b'"abc', "unexpected end of JSON input", 4),
    (b'"a\\', "invalid character ' ' in string escape code", 3),
    (b'"\\q"', "invalid character 'q' in string escape code", 3),
    (b'"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape", 6),
    (b'"a\tb"', "invalid character '\\t' in string literal", 3),
    (b"-", "invalid character ' ' in numeric literal", 1),
    (b"-x", "invalid character 'x' in numeric literal", 2),
    (b"01", "invalid character '1' after top-level value", 2),
    (b"1.", "invalid character ' ' after decimal point in numeric literal", 2),
    (b"1.x", "invalid character 'x' after decimal point in numeric literal", 3),
    (b"1e", "invalid character ' ' in exponent of numeric literal", 2),
    (b"1e+", "invalid character ' ' in exponent of numeric literal", 3),
    (b"1ex", "invalid character 'x' in exponent of numeric literal", 3),
    (b"tru", "invalid character ' ' in literal true (expecting 'e')", 3),
    (b"trux", "invalid character 'x' in literal true (expecting 'e')", 4),
    (b"fals", "invalid character ' ' in literal false (expecting 'e')", 4),
    (b"nul", "invalid character ' ' in literal null (expecting 'l')", 3),
    (b"nulx", "invalid character 'x' in literal null (expecting 'l')", 4),
    (b"NaN", "invalid character 'N' looking for beginning of value", 1),
    (b'{"a":1}}', "invalid character '}' after top-level value", 8),
    (b'{"a":1} 2', "invalid character '2' after top-level value", 9),
    (b"\xef\xbb\xbf{}", "invalid character 'ï' looking for beginning of value", 1),
    (b"'a'", "invalid character '\\'' looking for beginning of value", 1),
    (b'{"a":1/*x*/}', "invalid character '/' after object key:value pair", 7),
    (b"[" * 10001, "invalid character '[' exceeded max depth", 10001),
    (b'{"a":[}', "invalid character '}' looking for beginning of value", 7),
    (b'{"a":{]}', "invalid character ']' looking for beginning of object key string", 7),
    (b"\xa3", "invalid character '£' looking for beginning of value", 1),
    (b"\x80", "invalid character '\\u0080' looking for beginning of value", 1),
    (b"\x00", "invalid character '\\x00' looking for beginning of value", 1),
]


@pytest.mark.parametrize(("data", "message", "offset"), SYNTAX_ERRORS,
                         ids=[repr(d[:20]) for d, _, _ in SYNTAX_ERRORS])
def test_syntax_errors_are_gos(data: bytes, message: str, offset: int) -> None:
    """The scanner port reports Go's message and offset, and is_valid says no."""
    error = syntax_error(data)
    assert isinstance(error, InvalidJSON)
    assert (error.message, error.offset) == (message, offset)
    assert not is_valid(data)


@pytest.mark.parametrize("data", [b'  {"a" : 1 } \n', b"[-0.0e+1, 1E9, 0.5]", b"null",
                                  b'"\\u0000\\ud800\xff"', b"[" * 10000 + b"]" * 10000,
                                  b'{"x":1e400}', b"123456789012345678901234567890"])
def test_valid_documents(data: bytes) -> None:
    """Documents Go accepts pass both the scanner port and the fast check."""
    assert syntax_error(data) is None
    assert is_valid(data)


def test_without_the_c_scanner_the_port_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """If CPython's C JSON scanner were missing, is_valid falls back to the scanner port."""
    monkeypatch.setattr(gojson, "_HAS_C_SCANNER", False)
    assert is_valid(b'{"a":[1]}')
    assert not is_valid(b'{"a":[\xd9\xa3]}')  # an Arabic-Indic digit is not a JSON digit


@pytest.mark.parametrize(("byte", "shown"), [
    (0x27, "'\\''"), (0x22, "'\"'"), (0x5C, "'\\\\'"), (0x41, "'A'"), (0xA3, "'£'"),
    (0xFF, "'ÿ'"), (0xA0, "'\\u00a0'"), (0xAD, "'\\u00ad'"), (0x80, "'\\u0080'"),
    (0x7F, "'\\x7f'"), (0x00, "'\\x00'"), (0x09, "'\\t'"), (0x0B, "'\\v'"), (0x07, "'\\a'"),
])
def test_quote_char(byte: int, shown: str) -> None:
    """Bytes are shown as Go's quoteChar shows them (the byte value read as a rune)."""
    assert quote_char(byte) == shown


@pytest.mark.parametrize(("body", "text"), [
    (b"plain", "plain"),
    (b"a\\/b\\\\c\\\"d", 'a/b\\c"d'),
    (b"\\b\\f\\n\\r\\t", "\b\f\n\r\t"),
    (b"\\u0041\\u00e9\\u20AC", "Aé€"),
    (b"\\ud83d\\ude00", "\U0001f600"),
    (b"\\ud83d", "\ufffd"),
    (b"\\ude00\\ud83d", "\ufffd\ufffd"),
    (b"\\ud83dx\\ude00", "\ufffdx\ufffd"),
    (b"\\ud83d\\ud83d\\ude00", "\ufffd\U0001f600"),
    (b"\\ud83d\\n", "\ufffd\n"),
    (b"\\u0000", "\x00"),
    (b"\xff\\u0041\xe2\x82", "\ufffdA\ufffd\ufffd"),
])
def test_unquote_is_gos(body: bytes, text: str) -> None:
    """String bodies decode as Go's unquoteBytes: escapes, pairs, U+FFFD for the rest."""
    assert unquote(body) == text


@pytest.mark.parametrize(("raw", "text"), [
    (b"ok \xc3\xa9", "ok é"),
    (b"\xe2\x82", "\ufffd\ufffd"),
    (b"\xe2\x82x", "\ufffd\ufffdx"),
    (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),
    (b"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"),
    (b"\xc0\xaf", "\ufffd\ufffd"),
    (b"\xf0\x9f\x98", "\ufffd\ufffd\ufffd"),
])
def test_go_utf8_replaces_byte_by_byte(raw: bytes, text: str) -> None:
    """Invalid UTF-8 becomes one U+FFFD per bad byte, like Go's DecodeRune loop."""
    assert go_utf8(raw) == text


@pytest.mark.parametrize(("key", "folded"), [
    ("MediaType", "mediatype"), ("FſLAYERſ", "fslayers"), ("\u212aey", "key"),
    ("İd", "İd"), ("ıd", "ıd"), ("ß", "ß"), ("Σ", "Σ"), ("a-B_1", "a-b_1"),
])
def test_fold_key(key: str, folded: str) -> None:
    """Only ASCII letters, long s and the Kelvin sign fold into ASCII, as in Go."""
    assert fold_key(key) == folded


def test_top_level_members_in_document_order() -> None:
    """Both walks list every member, duplicates included, with Go kinds and decoded text."""
    data = (b' {"mediaType" : "a\\/b", "x":{"y":[1,{"z":"}"}]}, "mediaType":null,'
            b' "n":-1.5e3, "t":true, "a":["]"], "s":"q\\"" } ')
    expected = (
        Member("mediaType", "string", "a/b"),
        Member("x", "object"),
        Member("mediaType", "null"),
        Member("n", "number"),
        Member("t", "bool"),
        Member("a", "array"),
        Member("s", "string", 'q"'),
    )
    assert top_level(data) == decode_top_level(data) == TopLevel("object", expected)


def test_decoded_members_are_gos_strings() -> None:
    """Keys and string values come out as Go decodes them, by either walk."""
    data = b'{"k\\ud800":"\\udc00\\ud83d\\ude00\xff","\\u006b":"\\u0000"}'
    expected = (Member("k\ufffd", "string", "\ufffd\U0001f600\ufffd"),
                Member("k", "string", "\x00"))
    assert top_level(data) == decode_top_level(data) == TopLevel("object", expected)
    assert decode_top_level(b'{"a":}') is None


@pytest.mark.parametrize(("data", "kind"), [(b"null", "null"), (b" [1]", "array"),
                                             (b'"x"', "string"), (b"false", "bool"),
                                             (b"-2", "number"), (b"{ }", "object")])
def test_top_level_kinds(data: bytes, kind: str) -> None:
    """The kind of a non-object top-level value is Go's name for it; {} has no members."""
    assert top_level(data) == decode_top_level(data) == TopLevel(kind)


def test_public_names() -> None:
    """gojson and goscan export sorted names, and dir() shows only them."""
    for module in (gojson, goscan):
        assert module.__all__ == sorted(module.__all__)
        assert dir(module) == sorted(module.__all__)


class _RefusingDecoder:
    def decode(self, text: str) -> object:
        raise AssertionError("the C scanner must not see this input")


def test_many_brackets_never_reach_the_c_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Input with more brackets than the C scanner may safely recurse through is decided by
    the scanner port and the byte walk, whatever the recursion limit is."""
    monkeypatch.setattr(gojson, "_VALIDATOR", _RefusingDecoder())
    data = b'{"layers":' + b"[" * 600 + b"]" * 600 + b', "mediaType":"x"}'
    assert decode_top_level(data) == TopLevel(
        "object", (Member("layers", "array"), Member("mediaType", "string", "x")))
    assert decode_top_level(b"[" * 600) is None
