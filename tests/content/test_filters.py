"""containerd's filter syntax: its own test table, its error texts, quoting and positions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstoolkit.content.filters import (
    ALWAYS,
    Adaptor,
    Operator,
    adapt_info,
    adapt_status,
    parse,
    parse_all,
)
from mstoolkit.content.protocols import Info, Status
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidArgument, InvalidFilter


@dataclass(frozen=True)
class Entry:
    name: str
    other: str = ""
    labels: dict[str, str] = field(default_factory=dict)


# containerd pkg/filters/filter_test.go's corpus, in its order.
CORPUS = [
    Entry("foo", labels={"foo": "true"}),
    Entry("bar"),
    Entry("foo", labels={"foo": "present", "more complex label": "present"}),
    Entry("bar", labels={"bar": "true"}),
    Entry("fooer", labels={'more complex label with \\ and "': "present"}),
    Entry("fooer", labels={'more complex label with \\ and ".post': "present"}),
    Entry("baz", other="too complex, yo"),
    Entry("bazo", other="abc"),
    Entry("compound", labels={"foo": "omg_asdf.asdf-qwer"}),
]


def adapt(entry: Entry) -> Adaptor:
    def lookup(path: Sequence[str]) -> str | None:
        if path[0] == "name":
            return entry.name or None
        if path[0] == "other":
            return entry.other or None
        if path[0] == "labels":
            return entry.labels.get(".".join(path[1:]))
        return None

    return lookup


MATCH_CASES = [
    ("", list(range(9))),
    ("name", list(range(9))),
    ("labels.foo", [0, 2, 8]),
    ("labels.foo,name", [0, 2, 8]),
    ("labels.foo==true", [0]),
    ("labels.foo==omg_asdf.asdf-qwer", [8]),
    ("name==bar", [1, 3]),
    ("name!=bar", [0, 2, 4, 5, 6, 7, 8]),
    ("name==bar,labels.bar", [3]),
    ('other=="too complex, yo"', [6]),
    ("other~=[abc]+,name!=foo", [6, 7]),
    ("other~=/[abc]+/,name!=foo", [6, 7]),
    ("other~=/[abc]{1,2}/,name!=foo", [6, 7]),
    ('other~=/[abc]{0,1}"\\//,name!=foo', []),
    ("name==bar,labels.bar==true", [3]),
    ("name==bar,labels.bar==wrong", []),
    ('name==foo,labels."more complex label"', [2]),
    ('labels."more complex label with \\\\ and \\""==present', [4]),
    ('labels."more complex label with \\\\ and \\"".post==present', [5]),
]


@pytest.mark.parametrize(("text", "expected"), MATCH_CASES)
def test_containerd_match_table(text: str, expected: list[int]) -> None:
    """Each filter of containerd's test table selects exactly the corpus entries it does there."""
    flt = parse(text)
    assert [i for i, e in enumerate(CORPUS) if flt.match(adapt(e))] == expected


ERROR_CASES = [
    (
        "labels.|foo|==omg_asdf.asdf-qwer",
        "filters: parse error: [labels. >|||< foo|==omg_asdf.asdf-qwer]: invalid quote encountered",
        7,
    ),
    (
        'labels.?"more complex label with \\\\ and \\"".post==present',
        "filters: parse error: [labels. >|?|< "
        '"more complex label with \\\\ and \\"".post==present]: expected field or quoted',
        7,
    ),
    ("name==foo,", "filters: parse error: [name==foo,]: expected field or quoted", 10),
    ("labels.", "filters: parse error: [labels.]: expected field or quoted", 7),
    (
        "image~=,id?=?fbaq",
        "filters: parse error: [image~= >|,|< id?=?fbaq]: expected value or quoted",
        7,
    ),
    (
        "labels.ns/key==value",
        "filters: parse error: [labels.ns >|/|< key==value]: quoted literal not terminated",
        9,
    ),
    (
        "labels.key==/value",
        "filters: parse error: [labels.key== >|/|< value]: quoted literal not terminated",
        12,
    ),
]


@pytest.mark.parametrize(("text", "message", "position"), ERROR_CASES)
def test_containerd_error_table(text: str, message: str, position: int) -> None:
    """containerd's refused filters fail with its exact message and the position it points at."""
    with pytest.raises(InvalidFilter) as info:
        parse(text)
    assert str(info.value) == message
    assert info.value.position == position
    assert info.value.text == text
    assert isinstance(info.value, InvalidArgument)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo = bar", 'unsupported operator "="'),
        ("a===b", 'unsupported operator "==="'),
        ("name==foo ", "unexpected input:  "),
        ("name==foo bar", "unexpected input:  "),
        ("labels.foo bar", 'expected an operator ("=="|"!="|"~=")'),
        ('labels."\\g"', "illegal escape sequence"),
        ('labels."\\xaz"', "illegal numeric escape sequence"),
        ('labels."containerd.io\nkey"==value', "quoted literal not terminated"),
        ("foo\x00bar", "unexpected null"),
        ("foo==\ufffd", "rune error"),
        ('labels."\\777"', "unquoting failed: quote syntax error"),
        ("name==/x/", "invalid quote encountered"),
        ("labels.foo~=[", "error compiling regexp '['"),
        ("   ", "expected field or quoted"),
    ],
)
def test_error_messages(text: str, message: str) -> None:
    """Scanner and parser errors carry containerd's wording."""
    with pytest.raises(InvalidFilter, match=r"^filters: parse error: ") as info:
        parse(text)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "fieldpath", "operator", "value"),
    [
        (
            'labels."containerd.io/distribution.source.docker.io"~="^library/"',
            ("labels", "containerd.io/distribution.source.docker.io"),
            Operator.MATCHES,
            "^library/",
        ),
        ("name~=|牛|", ("name",), Operator.MATCHES, "牛"),
        ("name~=/foo\\/bar/", ("name",), Operator.MATCHES, "foo/bar"),
        ("name~=|foo/bar|", ("name",), Operator.MATCHES, "foo/bar"),
        ("name~=[abc]\\+", ("name",), Operator.MATCHES, "[abc]\\+"),
        (
            '"leading quote".postquote==value',
            ("leading quote", "postquote"),
            Operator.EQUAL,
            "value",
        ),
        (
            "compound.labels==punctuated_value.foo-bar",
            ("compound", "labels"),
            Operator.EQUAL,
            "punctuated_value.foo-bar",
        ),
        (
            'labels."\\xe7\\x89\\x9b\\u00fc\\U0001F600\\101\\t"',
            ("labels", "牛ü😀A\t"),
            Operator.PRESENT,
            "",
        ),
        ("ref != x", ("ref",), Operator.NOT_EQUAL, "x"),
    ],
)
def test_selector_parts(
    text: str, fieldpath: tuple[str, ...], operator: Operator, value: str
) -> None:
    """Quoted fields, alternative regexp quotes, escapes and spaces parse as containerd does."""
    (all_of,) = parse(text).parts
    (selector,) = all_of.parts
    assert (selector.fieldpath, selector.operator, selector.value) == (fieldpath, operator, value)


def test_parse_all_is_or_and_empty_matches_everything() -> None:
    """parse_all ORs its strings; no strings, or an empty one, match everything."""
    assert parse_all() is ALWAYS
    assert parse_all("name==x", "") is ALWAYS
    flt = parse_all("name==foo", "name==bar")
    assert [i for i, e in enumerate(CORPUS) if flt.match(adapt(e))] == [0, 1, 2, 3]


def test_absent_fields_compare_as_empty() -> None:
    """!= and ~= see an absent field as "" (containerd), == and presence need it present."""
    entry = adapt(Entry("x"))
    assert parse("labels.nope!=v").match(entry)
    assert not parse('labels.nope!=""').match(entry)
    assert parse("labels.nope~=^$").match(entry)
    assert not parse('labels.nope==""').match(entry)
    assert not parse("labels.nope").match(entry)


def test_info_and_status_adaptors() -> None:
    """Info exposes digest, size and labels.<key> (dots kept in keys); Status exposes ref."""
    digest = Digest.from_bytes(b"x")
    info = Info(digest, 42, labels={"a.b/c": "v"})
    look = adapt_info(info)
    assert look(("digest",)) == str(digest)
    assert look(("size",)) == "42"
    assert look(("labels", "a", "b/c")) == "v"
    assert look(("labels", "zz")) is None
    assert look(()) is None
    assert adapt_info(Info(digest))(("labels", "a")) is None
    now = datetime.now(UTC)
    status = Status("layer-1", 0, 0, None, now, now)
    assert adapt_status(status)(("ref",)) == "layer-1"
    assert adapt_status(status)(("offset",)) is None


def test_non_string_filter_is_invalid() -> None:
    """A filter that is not a string is an InvalidFilter, not a TypeError."""
    with pytest.raises(InvalidFilter):
        parse(42)  # type: ignore[arg-type]


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_invalid_filter(text: str) -> None:
    """No input makes the parser fail with anything but InvalidFilter (containerd's fuzz test)."""
    try:
        flt = parse(text)
    except InvalidFilter as exc:
        position = exc.position
    else:
        flt.match(adapt(CORPUS[2]))
        position = 0
    assert 0 <= position <= len(text)


@given(
    st.text(
        alphabet=st.characters(blacklist_characters='"\\\n', blacklist_categories=("Cs",)),
        max_size=30,
    )
)
def test_quoted_label_keys_round_trip(key: str) -> None:
    """Any label key without quote, backslash or newline can be selected by quoting it."""
    if "\x00" in key or "\ufffd" in key:
        return
    flt = parse(f'labels."{key}"==yes')
    assert flt.match(adapt(Entry("n", labels={key: "yes"})))
