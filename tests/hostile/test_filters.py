"""Hostile containerd filters: garbage and pathological regexps are InvalidFilter at parse
time or match in linear time (RE2, as Go's regexp); a walk never hangs on one label."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstoolkit.content import Store
from mstoolkit.content.filters import Adaptor, AnyOf, parse, parse_all
from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidFilter, MstoolkitError


def _label(value: str) -> Adaptor:
    def field(path: Sequence[str]) -> str | None:
        return value if list(path) == ["labels", "k"] else None

    return field


def _matches(pattern: str) -> str:
    """A ``labels.k~=/pattern/`` filter, quoted as containerd's Go-string rules want."""
    return "labels.k~=/" + pattern.replace("\\", "\\\\").replace("/", "\\/") + "/"


def _parse_error(text: str) -> MstoolkitError | None:
    try:
        parse(text)
    except MstoolkitError as exc:
        return exc
    return None


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "pattern",
    ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^(.*a){12}$", ".*" * 20 + "x", "^(\\w+\\s?)*$",
     "^((a*)*)*b", "^(?:a+){1000}$"],
    ids=["nested-plus", "overlapping-alternation", "alternation-prefix", "counted-dotstar",
         "many-dotstars", "words", "triple-star", "counted-nesting"],
)
def test_catastrophic_backtracking_patterns_match_in_linear_time(pattern: str) -> None:
    """Patterns that make a backtracking engine take exponential time on a 4 KB label (the
    largest a label can be) answer at once, and give the same answers as Python's re where
    that one is quick (short labels)."""
    selector = parse(_matches(pattern))
    assert not selector.match(_label("a" * 4000 + "!"))
    for label in ("", "a", "aa!", "aaaaa", "ab c", "x"):
        assert selector.match(_label(label)) == (re.search(pattern, label) is not None), label


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [("(?=a)", "invalid perl operator"), ("(?!a)", "invalid perl operator"),
     ("(?<=a)b", "invalid perl operator"), ("(a)\\1", "invalid escape sequence"),
     ("a{1001}", "invalid repetition size"), ("[", "missing ]"), ("a**", "bad repetition"),
     ("(", "missing )"), ("\\xff", "invalid UTF-8")],
    ids=["lookahead", "negative-lookahead", "lookbehind", "backreference", "repeat-1001",
         "open-class", "double-star", "open-group", "not-utf8"],
)
def test_patterns_go_refuses_are_invalid_filter(pattern: str, reason: str) -> None:
    """What Go's regexp refuses (lookarounds, backreferences, counts over 1000, invalid UTF-8)
    is InvalidFilter pointing at the value, with RE2's reason in one line."""
    text = f'labels.k~="{pattern}"' if pattern == "\\xff" else _matches(pattern)
    error = _parse_error(text)
    assert isinstance(error, InvalidFilter), repr(error)
    assert "error compiling regexp" in str(error)
    assert reason in str(error)
    assert error.position == len("labels.k~=")
    assert "\n" not in str(error)


@pytest.mark.parametrize("depth", [500, 10_000])
def test_deeply_nested_groups_never_recurse(depth: int) -> None:
    """500 and 10k nested groups compile (RE2 does not recurse) and match, where Python's re
    raised RecursionError."""
    selector = parse("labels.k~=/" + "(" * depth + "a" + ")" * depth + "/")
    assert selector.match(_label("a"))
    assert not selector.match(_label("b"))


def test_posix_classes_are_go_syntax_without_warnings() -> None:
    """``[[:alpha:]]`` is a POSIX class in Go; Python's re warned "possible nested set"."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        selector = parse("labels.k~=/^[[:alpha:]]+$/")
    assert selector.match(_label("abc"))
    assert not selector.match(_label("a:b"))


def test_dollar_is_end_of_text_as_in_go() -> None:
    """``$`` does not match before a final newline (Go), unlike Python's re."""
    assert not parse("labels.k~=/^a$/").match(_label("a\n"))
    assert parse("labels.k~=/^a\\n$/").match(_label("a\n"))


@pytest.mark.parametrize(
    "text",
    ["\x00", "labels.\x00", "labels.k==\x00", 'labels."k', "labels.k~=/a", "labels.k~=|a",
     ",", "labels.k==a,", "labels.k===a", "labels.k~=", "==", "a" * 1_000_000 + "~",
     "labels.🐳==x", "labels.k==\ud800x", "labels.k~=/\ud800/", "\n\n\n", "labels. k"],
    ids=["nul", "nul-field", "nul-value", "open-quote", "open-slash", "open-pipe", "comma",
         "trailing-comma", "triple-equal", "no-value", "no-field", "megabyte", "emoji",
         "surrogate-value", "surrogate-regexp", "newlines", "space-in-path"],
)
def test_garbage_filters_are_invalid_filter_or_a_filter(text: str) -> None:
    """Garbage filter strings parse or raise InvalidFilter with containerd's message."""
    error = _parse_error(text)
    if error is not None:
        assert isinstance(error, InvalidFilter), repr(error)
        assert str(error).startswith("filters: parse error:")
        assert 0 <= error.position <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_is_invalid_filter(text: str) -> None:
    """Any string is a filter or InvalidFilter; a parsed filter can be matched against a label."""
    error = _parse_error(text)
    if error is None:
        assert isinstance(parse(text).match(_label("x" * 100)), bool)
    else:
        assert isinstance(error, InvalidFilter)
        assert str(error).startswith("filters: ")


def test_filters_must_be_strings() -> None:
    """A non-string filter is InvalidFilter naming its type."""
    for value in (None, 5, b"labels.k==v", ["labels.k==v"]):
        with pytest.raises(InvalidFilter, match="expected a string"):
            parse_all(value)  # type: ignore[arg-type]


@pytest.mark.timeout(30)
def test_store_walk_with_pathological_filter_finishes(store: Store) -> None:
    """A walk whose filter would backtrack exponentially on a 4 KB label finishes, and a bad
    filter is refused before any blob is read."""
    data = b"blob"
    with store.writer("ref") as writer:
        writer.write(data)
        writer.commit(len(data), None, labels={"k": "a" * 4000 + "!"})
    assert list(store.walk("labels.k~=/(a+)+$/")) == []
    assert [info.digest for info in store.walk("labels.k~=/^(a+)+!$/")] == [
        Digest.from_bytes(data)
    ]
    with pytest.raises(InvalidFilter, match="invalid perl operator"):
        store.walk("labels.k~=/(?=a)/")
    assert isinstance(parse_all(), AnyOf)
