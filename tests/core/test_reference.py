"""mstoolkit.reference against distribution/reference: its own tables, Go's outcomes, properties."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mstoolkit import Digest, InvalidDigest, InvalidReference, MstoolkitError
from mstoolkit.reference import (
    _ANCHORED_IDENTIFIER_RE,
    _ANCHORED_NAME_RE,
    _DOMAIN_AND_PORT,
    _REFERENCE_RE,
    Reference,
    _go_lower,
    _parse,
    parse_reference,
)
from tests.core import reference_cases as cases

ORACLE = json.loads((Path(__file__).parent / "reference_oracle.json").read_text("utf-8"))
SHA = "sha256:" + "a" * 64
FORMAT = "invalid reference format"
HEX64 = "cannot specify 64-byte hexadecimal strings"
TOO_LONG = "repository name must not be more than 255 characters"


def _outcome(parse: Any, text: str) -> dict[str, str]:
    try:
        ref = parse(text)
    except InvalidReference as exc:
        return {"err": str(exc)}
    return {
        "domain": ref.domain,
        "path": ref.path,
        "tag": ref.tag or "",
        "digest": str(ref.digest) if ref.digest else "",
        "string": str(ref),
        "familiar": ref.familiar,
    }


# --- reference_test.go ------------------------------------------------------------------


@pytest.mark.parametrize("case", cases.REFERENCE_PARSE + cases.SERIALIZATION, ids=repr)
def test_reference_parse_table(case: cases.ParseCase) -> None:
    """reference.Parse gives TestReferenceParse's error or name, domain, tag and digest."""
    if case.err:
        with pytest.raises(InvalidReference) as info:
            _parse(case.input)
        assert str(info.value) == case.err
        assert info.value.reference == case.input
        return
    ref = _parse(case.input)
    assert str(ref) == case.input
    assert ref.name == case.repository
    assert ref.domain == case.domain
    assert ref.tag == (case.tag or None)
    assert (str(ref.digest) if ref.digest else "") == case.digest


@pytest.mark.parametrize(("text", "domain", "path"), cases.DOMAIN_AND_PATH)
def test_domain_and_path_table(text: str, domain: str, path: str) -> None:
    """Names split into domain and path as TestDomainAndPath says (an invalid domain stays path)."""
    ref = _parse(text)
    assert (ref.domain, ref.path) == (domain, path)
    assert Reference(domain, path).name == text


@pytest.mark.parametrize(("name", "digest", "tag", "combined"), cases.WITH_TAG)
def test_with_tag_table(name: str, digest: str, tag: str, combined: str) -> None:
    """with_tag keeps the name and any digest, as TestWithTag's WithTag does."""
    ref = _parse(name)
    if digest:
        ref = ref.with_digest(digest)
    assert str(ref.with_tag(tag)) == combined


@pytest.mark.parametrize(("name", "digest", "tag", "combined"), cases.WITH_DIGEST)
def test_with_digest_table(name: str, digest: str, tag: str, combined: str) -> None:
    """with_digest keeps the name and any tag, as TestWithDigest's WithDigest does."""
    ref = _parse(name)
    if tag:
        ref = ref.with_tag(tag)
    pinned = ref.with_digest(Digest.parse(digest))
    assert str(pinned) == combined
    assert pinned.is_canonical


@pytest.mark.parametrize(("text", "domain", "path", "canonical"), cases.PARSE_NAMED)
def test_parse_named_table(text: str, domain: str, path: str, canonical: bool) -> None:
    """TestParseNamed: the normalised form equals the input exactly when the input is canonical."""
    ref = parse_reference(text)
    assert (ref.domain, ref.path) == (domain, path)
    assert (str(ref) == text) is canonical


# --- normalize_test.go ------------------------------------------------------------------


@pytest.mark.parametrize("text", cases.VALID_REPO_NAMES + cases.VALID_REMOTE_NAMES)
def test_valid_repository_names(text: str) -> None:
    """TestValidateReferenceName/TestValidateRemoteName: these names parse."""
    parse_reference(text)


@pytest.mark.parametrize("text", cases.INVALID_REPO_NAMES + cases.INVALID_REMOTE_NAMES)
def test_invalid_repository_names(text: str) -> None:
    """TestValidateReferenceName/TestValidateRemoteName: these names are refused."""
    with pytest.raises(InvalidReference):
        parse_reference(text)


@pytest.mark.parametrize("info", cases.REPOSITORY_INFO, ids=lambda i: i.full_name)
def test_parse_repository_info_table(info: cases.RepositoryInfo) -> None:
    """Every spelling of a repository (familiar, full, ambiguous) means the same name."""
    spellings = [info.familiar_name, info.full_name] + (
        [info.ambiguous_name] if info.ambiguous_name else []
    )
    for text in spellings:
        ref = parse_reference(text)
        assert ref.familiar_name == info.familiar_name
        assert str(ref) == info.full_name
        assert ref.domain == info.domain
        assert ref.path == info.remote_name


def test_parse_reference_with_tag_and_digest() -> None:
    """A short ref with tag and digest normalises fully and familiarises back to itself."""
    short = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"
    ref = parse_reference(short)
    assert str(ref) == "docker.io/library/" + short
    assert ref.tag == "latest"
    assert ref.is_canonical
    assert ref.familiar == short


def test_invalid_reference_components() -> None:
    """TestInvalidReferenceComponents: a bad name, a bad tag and a bad digest are refused."""
    with pytest.raises(InvalidReference):
        parse_reference("-foo")
    ref = parse_reference("busybox")
    with pytest.raises(InvalidReference, match=r"^invalid tag format$"):
        ref.with_tag("-foo")
    with pytest.raises(InvalidDigest):
        ref.with_digest("foo")


@pytest.mark.parametrize(("text", "equivalent"), cases.PARSE_ANY_NAMES)
def test_parse_any_reference_name_rows(text: str, equivalent: str) -> None:
    """TestParseAnyReference's name rows normalise to the same string Parse reads back."""
    ref = parse_reference(text)
    assert str(ref) == equivalent
    assert _parse(equivalent) == ref


def test_parse_any_reference_digest_rows_are_not_names() -> None:
    """ParseAnyReference's digest-only rows are not ours: a bare identifier is refused and
    ``sha256:<hex>`` is, as in ParseNormalizedNamed, the image library/sha256 tagged <hex>."""
    hex64 = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"
    with pytest.raises(InvalidReference, match="cannot specify 64-byte hexadecimal strings"):
        parse_reference(hex64)
    ref = parse_reference(f"sha256:{hex64}")
    assert (ref.name, ref.tag, ref.digest) == ("docker.io/library/sha256", hex64, None)


@pytest.mark.parametrize(("text", "domain", "path"), cases.NORMALIZED_SPLIT_HOSTNAME)
def test_normalized_split_hostname_table(text: str, domain: str, path: str) -> None:
    """TestNormalizedSplitHostname: splitDockerDomain's domain and path."""
    ref = parse_reference(text)
    assert (ref.domain, ref.path) == (domain, path)


@pytest.mark.parametrize(("name", "text", "expected"), cases.PARSE_DOCKER_REF)
def test_parse_docker_ref_table(name: str, text: str, expected: str) -> None:
    """TestParseDockerRef's answer is name@digest when pinned, else name:tag_or_digest."""
    ref = parse_reference(text)
    joiner = "@" if ref.is_canonical else ":"
    output = f"{ref.name}{joiner}{ref.tag_or_digest}"
    assert output == expected, name
    _parse(output)


# --- regexp_test.go ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "match"), cases.DOMAIN_REGEXP)
def test_domain_regexp_table(text: str, match: bool) -> None:
    """TestDomainRegexp against the domainAndPort production."""
    assert (re.fullmatch(_DOMAIN_AND_PORT, text, re.ASCII) is not None) is match


@pytest.mark.parametrize(("text", "subs"), cases.FULL_NAME_REGEXP)
def test_full_name_regexp_table(text: str, subs: tuple[str, ...] | None) -> None:
    """TestFullNameRegexp: anchoredNameRegexp matches and captures (domain, path)."""
    match = _ANCHORED_NAME_RE.fullmatch(text)
    if subs is None:
        assert match is None
        return
    assert match is not None
    groups = tuple(g or "" for g in match.groups())
    assert groups[: len(subs)] == subs


@pytest.mark.parametrize(("text", "subs"), cases.REFERENCE_REGEXP)
def test_reference_regexp_table(text: str, subs: tuple[str, str, str] | None) -> None:
    """TestReferenceRegexp: referenceRegexp matches and captures (name, tag, digest)."""
    match = _REFERENCE_RE.fullmatch(text)
    if subs is None:
        assert match is None
        return
    assert match is not None
    assert tuple(g or "" for g in match.groups()) == subs


@pytest.mark.parametrize(("text", "match"), cases.IDENTIFIER_REGEXP)
def test_identifier_regexp_table(text: str, match: bool) -> None:
    """TestIdentifierRegexp: exactly 64 lowercase hex digits."""
    assert (_ANCHORED_IDENTIFIER_RE.fullmatch(text) is not None) is match


# --- Go's outcomes on generated inputs ---------------------------------------------------


@pytest.mark.parametrize("case", ORACLE["cases"], ids=lambda c: repr(c["input"])[:60])
def test_agrees_with_go_on_generated_inputs(case: dict[str, Any]) -> None:
    """Each stored input gets Go's ParseNormalizedNamed and Parse outcome (see the file's
    provenance), including messages for the odd ones (İ, Kelvin sign, newlines, Σ)."""
    assert _outcome(parse_reference, case["input"]) == case["normalized"]
    assert _outcome(_parse, case["input"]) == case["parse"]


# --- facts the issue names, and error messages --------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Foo/bar", "Foo/bar"),
        ("localhost", "docker.io/library/localhost"),
        ("localhost:5000", "docker.io/library/localhost:5000"),
        ("localhost/app", "localhost/app"),
        ("localhost:5000/app:1", "localhost:5000/app:1"),
        ("index.docker.io/ubuntu", "docker.io/library/ubuntu"),
        ("index.docker.io/user/app", "docker.io/user/app"),
        ("docker.io/foo", "docker.io/library/foo"),
        ("docker.io/foo/bar", "docker.io/foo/bar"),
        ("example.com/foo", "example.com/foo"),
        ("a_b.c/x", "a_b.c/x"),
        ("[::1]:5000/app", "[::1]:5000/app"),
    ],
)
def test_normalisation_facts(text: str, expected: str) -> None:
    """splitDockerDomain's facts: uppercase first component is a domain, bare localhost is a
    Hub image, index.docker.io is docker.io, only single-component Hub paths get library/."""
    assert str(parse_reference(text)) == expected


def test_empty_domain_survives_when_the_grammar_finds_none() -> None:
    """``a_b.c/x``: splitDockerDomain calls a_b.c a domain, the grammar does not, so Go's
    Domain() is empty and the name is all path."""
    ref = parse_reference("a_b.c/x")
    assert (ref.domain, ref.path, ref.name) == ("", "a_b.c/x", "a_b.c/x")


def test_path_length_limit_excludes_the_domain() -> None:
    """255 characters of path are fine however long the domain; 256 are not."""
    domain = "d" * 200 + ".example.com"
    path = "p" * 255
    assert parse_reference(f"{domain}/{path}").path == path
    with pytest.raises(InvalidReference) as info:
        parse_reference(f"{domain}/{path}x")
    assert str(info.value) == "repository name must not be more than 255 characters"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid reference format"),
        ("-foo", "invalid reference format"),
        ("ubuntu\n", "invalid reference format"),
        ("ubuntu:22.04\n", "invalid reference format"),
        ("ubuntu:\u0662", "invalid reference format"),  # Unicode digit: Go's \w is ASCII
        ("ubuntu:t\u00e9", "invalid reference format"),
        ("Ubuntu", f"{FORMAT}: repository name (library/Ubuntu) must be lowercase"),
        ("docker.io/User/app", f"{FORMAT}: repository name (User/app) must be lowercase"),
        ("\u0130.com/x", "repository name must be lowercase"),  # İ lowers to i in Go
        ("a.com/x:\u212a", "repository name must be lowercase"),  # Kelvin sign lowers to k
        ("Foo_Bar/baz", "repository name must be lowercase"),
        ("a" * 64, f"invalid repository name ({'a' * 64}), {HEX64}"),
        ("ubuntu@md5:" + "a" * 32, "unsupported digest algorithm"),
        ("ubuntu:1@SHA256:" + "a" * 64, "invalid checksum digest format"),
        # without a tag, the lowercase check sees "ubuntu@SHA256" as the repository name
        (
            "ubuntu@SHA256:" + "a" * 64,
            f"{FORMAT}: repository name (library/ubuntu@SHA256) must be lowercase",
        ),
        ("ubuntu@sha256:" + "A" * 64, "invalid checksum digest format"),
        ("ubuntu@sha256:" + "a" * 63, "invalid checksum digest length"),
        ("ubuntu@sha512:" + "a" * 64, "invalid checksum digest length"),
        ("x/" + "a/" * 128 + "a", "repository name must not be more than 255 characters"),
    ],
)
def test_error_messages_are_go_s(text: str, message: str) -> None:
    """Each refusal carries distribution/reference's (or go-digest's) exact text and the input."""
    with pytest.raises(InvalidReference) as info:
        parse_reference(text)
    assert str(info.value) == message
    assert info.value.reference == text


def test_digest_errors_chain_the_go_digest_error() -> None:
    """A bad digest surfaces go-digest's message, with the InvalidDigest as its cause."""
    with pytest.raises(InvalidReference) as info:
        parse_reference("ubuntu@sha256:" + "a" * 63)
    assert isinstance(info.value.__cause__, InvalidDigest)


def test_empty_name_error_is_reachable_only_through_parse() -> None:
    """"at least one component" is Parse's answer to "" (normalisation never hands it "")."""
    with pytest.raises(InvalidReference) as info:
        _parse("")
    assert str(info.value) == "repository name must have at least one component"


def test_surrogates_lower_like_invalid_utf8() -> None:
    """A lone surrogate (surrogateescape's invalid byte) lowers to U+FFFD, so Go's "must be
    lowercase" check fires for it in the repository name."""
    assert _go_lower("a\udcff") == "a\ufffd"
    with pytest.raises(InvalidReference, match="must be lowercase"):
        parse_reference("a\udcff")


@pytest.mark.parametrize("value", [None, 3, b"ubuntu", ["ubuntu"]])
def test_non_strings_are_invalid_references(value: object) -> None:
    """Non-string input is an InvalidReference, never a TypeError."""
    with pytest.raises(InvalidReference):
        parse_reference(value)  # type: ignore[arg-type]


# --- the Reference value ---------------------------------------------------------------


def test_reference_properties() -> None:
    """name, familiar forms, canonical flag and tag_or_digest for the usual shapes."""
    ubuntu = parse_reference("ubuntu:22.04")
    assert (ubuntu.domain, ubuntu.path, ubuntu.tag, ubuntu.digest) == (
        "docker.io", "library/ubuntu", "22.04", None
    )
    assert ubuntu.name == "docker.io/library/ubuntu"
    assert ubuntu.familiar == "ubuntu:22.04"
    assert not ubuntu.is_canonical
    assert ubuntu.tag_or_digest == "22.04"
    assert parse_reference("ubuntu").tag_or_digest == "latest"
    pinned = parse_reference(f"user/app:1@{SHA}")
    assert pinned.familiar == f"user/app:1@{SHA}"
    assert pinned.tag_or_digest == SHA
    assert pinned.digest == Digest.parse(SHA)
    local = parse_reference("localhost:5000/x")
    assert local.familiar == "localhost:5000/x"
    assert parse_reference("library/foo/bar").familiar == "library/foo/bar"
    assert repr(ubuntu) == "Reference('docker.io/library/ubuntu:22.04')"


def test_reference_is_a_frozen_hashable_value() -> None:
    """Equal references are equal and hash alike; fields cannot be reassigned."""
    a, b = parse_reference("ubuntu"), parse_reference("docker.io/library/ubuntu")
    assert a == b
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.tag = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"domain": "", "path": "foo.com/bar"}, "invalid reference format"),
        ({"domain": "docker.io", "path": "Library/x"}, "invalid reference format"),
        ({"domain": "bad_domain", "path": "x"}, "invalid reference format"),
        ({"domain": "", "path": ""}, "invalid reference format"),
        ({"domain": "docker.io", "path": "a" * 256}, TOO_LONG),
        ({"domain": "docker.io", "path": "x", "tag": ""}, "invalid tag format"),
        ({"domain": "docker.io", "path": "x", "tag": "a" * 129}, "invalid tag format"),
        ({"domain": "docker.io", "path": "x", "digest": SHA}, "invalid digest format"),
        ({"domain": 1, "path": "x"}, "invalid reference format"),
    ],
)
def test_constructor_validates_like_with_name(kwargs: dict[str, Any], message: str) -> None:
    """Building a Reference by hand checks what WithName/WithTag check, with their messages."""
    with pytest.raises(InvalidReference) as info:
        Reference(**kwargs)
    assert str(info.value) == message


def test_with_tag_and_with_digest_return_new_values() -> None:
    """with_tag/with_digest leave the original alone and accept a digest string."""
    ref = parse_reference("ubuntu")
    tagged = ref.with_tag("24.04")
    pinned = tagged.with_digest(SHA)
    assert (ref.tag, tagged.tag, str(pinned)) == (
        None, "24.04", f"docker.io/library/ubuntu:24.04@{SHA}"
    )
    with pytest.raises(InvalidReference, match=r"^invalid tag format$"):
        ref.with_tag("bad tag")


# --- properties --------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [*"abcxyz0189-_.:/@[]ABZ \n", "\u0130", "\u212a", "\u03a3", "\u00e9", "\udcff"]
)
_PIECES = st.sampled_from(
    ["docker.io", "index.docker.io", "localhost", "library", "ubuntu", "5000", "sha256:",
     "a" * 64, "Foo", "__", "--", "..", "[::1]", "latest"]
)
_TEXT = st.lists(st.one_of(_ALPHABET, _PIECES), max_size=24).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=60)))
def test_parse_reference_raises_only_mstoolkit_errors(text: str) -> None:
    """No string makes parse_reference raise anything but an MstoolkitError."""
    with contextlib.suppress(MstoolkitError):
        parse_reference(text)


_COMPONENT = st.from_regex(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,2}", fullmatch=True)
_DOMAIN = st.one_of(
    st.just(""),
    st.sampled_from(["docker.io", "index.docker.io", "localhost", "ghcr.io", "Foo", "[::1]:5000"]),
    st.from_regex(r"[a-z0-9]{1,8}(?:\.[a-z0-9]{1,8}){0,2}(?::[0-9]{1,5})?", fullmatch=True),
)


@st.composite
def _references(draw: st.DrawFn) -> str:
    domain = draw(_DOMAIN)
    path = "/".join(draw(st.lists(_COMPONENT, min_size=1, max_size=3)))
    tag = draw(st.one_of(st.just(""), st.from_regex(r"[\w][\w.-]{0,20}", fullmatch=True)))
    digest = draw(st.sampled_from(["", SHA, "sha512:" + "b" * 128]))
    text = f"{domain}/{path}" if domain else path
    if tag and tag.isascii():
        text += f":{tag}"
    if digest:
        text += f"@{digest}"
    return text


@settings(max_examples=400, deadline=None)
@given(_references())
def test_round_trip_through_the_normalised_string(text: str) -> None:
    """str(parse(str(r))) == str(r): the normalised form is a fixed point."""
    try:
        ref = parse_reference(text)
    except InvalidReference:
        return
    assert parse_reference(str(ref)) == ref
    assert str(parse_reference(str(ref))) == str(ref)
    assert Reference(ref.domain, ref.path, ref.tag, ref.digest) == ref


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a-" * 50_000 + "!",
        "a." * 50_000 + "/x",
        "a/" * 50_000 + "!",
        "a" * 50_000 + ":" + "b" * 50_000,
        "[" + ":" * 100_000,
        "a" * 1000 + "@" + "sha256:" + "f" * 100_000,
        "x.y" * 30_000 + ":5000/" + "z" * 1000 + "$",
    ],
    ids=lambda t: f"{t[:12]}...({len(t)})",
)
def test_long_inputs_finish(text: str) -> None:
    """Python's backtracking engine answers long adversarial names within the timeout (Go's
    RE2 is linear by construction), and the answer is a refusal naming the input."""
    with pytest.raises(InvalidReference) as info:
        parse_reference(text)
    assert info.value.reference == text
