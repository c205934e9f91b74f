"""Image references with distribution/reference's rules (``ParseNormalizedNamed``).

Grammar (distribution/reference v0.6, the version moby 26-28 vendors)::

    reference            := name [ ":" tag ] [ "@" digest ]
    name                 := [domain "/"] remote-name
    domain               := host [":" port-number]
    host                 := domain-name | IPv4address | "[" IPv6address "]"   ; rfc3986 appendix-A
    domain-name          := domain-component ["." domain-component]*
    domain-component     := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    port-number          := /[0-9]+/
    path-component       := alpha-numeric [separator alpha-numeric]*
    path (remote-name)   := path-component ["/" path-component]*
    alpha-numeric        := /[a-z0-9]+/
    separator            := /[_.]|__|[-]+/
    tag                  := /[\\w][\\w.-]{0,127}/
    digest               := digest-algorithm ":" digest-hex
    digest-algorithm     := digest-algorithm-component [digest-algorithm-separator
                                                        digest-algorithm-component]*
    digest-algorithm-separator := /[+.-_]/
    digest-algorithm-component := /[A-Za-z][A-Za-z0-9]*/
    digest-hex           := /[0-9a-fA-F]{32,}/
    identifier           := /[a-f0-9]{64}/

Normalisation (``splitDockerDomain``): a name without ``/`` is a Docker Hub official image
(``ubuntu`` -> ``docker.io/library/ubuntu``; so is ``localhost``). Otherwise the first
component is a domain when it is ``localhost``, contains ``.`` or ``:``, or is not lowercase
(``Foo/bar`` is valid: ``Foo`` is a domain); ``index.docker.io`` becomes ``docker.io``; and a
single-component path on ``docker.io`` gets ``library/`` (``docker.io/foo`` ->
``docker.io/library/foo``). A name that still has no domain after the regular expressions
have had their say (``a_b.c/x``) keeps an empty :attr:`Reference.domain`, as in Go.

Why a port and not a "close enough" parser: the audit's answers have to be Docker's answers.
So the checks run in Go's order and fail with Go's messages, and the regular expressions are
compiled with :data:`re.ASCII` and anchored with ``fullmatch`` (Python's ``$`` accepts a
trailing newline and its ``\\w`` is Unicode; Go's are neither). Go's ``strings.ToLower`` maps
one rune to one rune, so ``İ`` lowers to ``i`` and the Kelvin sign to ``k``; :func:`_go_lower`
reproduces that, which decides between "must be lowercase" and "invalid reference format".
Lone surrogates (what ``surrogateescape`` makes of invalid UTF-8) lower to U+FFFD, as Go
lowers invalid UTF-8 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from mstoolkit.digest import Digest, DigestLike, as_digest
from mstoolkit.errors import InvalidDigest, InvalidReference

__all__ = [
    "DEFAULT_DOMAIN",
    "DEFAULT_TAG",
    "LEGACY_DEFAULT_DOMAIN",
    "NAME_TOTAL_LENGTH_MAX",
    "OFFICIAL_REPO_PREFIX",
    "Reference",
    "parse_reference",
]

#: The maximum length of a repository *path* (the domain does not count).
NAME_TOTAL_LENGTH_MAX: Final = 255
#: Docker Hub's domain in normalised names.
DEFAULT_DOMAIN: Final = "docker.io"
#: Docker Hub's legacy ("Docker Index") domain, normalised to :data:`DEFAULT_DOMAIN`.
LEGACY_DEFAULT_DOMAIN: Final = "index.docker.io"
#: The namespace of Docker Hub's official images.
OFFICIAL_REPO_PREFIX: Final = "library/"
#: The tag ``docker pull`` assumes when a reference has neither tag nor digest.
DEFAULT_TAG: Final = "latest"

_LOCALHOST: Final = "localhost"

# distribution/reference's error texts, verbatim: users grep their logs for them.
_ERR_FORMAT: Final = "invalid reference format"
_ERR_UPPERCASE: Final = "repository name must be lowercase"
_ERR_EMPTY: Final = "repository name must have at least one component"
_ERR_TOO_LONG: Final = f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
_ERR_TAG: Final = "invalid tag format"
_ERR_DIGEST: Final = "invalid digest format"

# One pattern per production of the grammar above, composed exactly as regexp.go composes them.
_ALPHANUMERIC: Final = r"[a-z0-9]+"
_SEPARATOR: Final = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT: Final = rf"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*"
_REMOTE_NAME: Final = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_DOMAIN_NAME_COMPONENT: Final = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME: Final = rf"{_DOMAIN_NAME_COMPONENT}(?:\.{_DOMAIN_NAME_COMPONENT})*"
_IPV6_ADDRESS: Final = r"\[(?:[a-fA-F0-9:]+)\]"
_HOST: Final = rf"(?:{_DOMAIN_NAME}|{_IPV6_ADDRESS})"
_OPTIONAL_PORT: Final = r"(?::[0-9]+)?"
_DOMAIN_AND_PORT: Final = _HOST + _OPTIONAL_PORT
_TAG: Final = r"[\w][\w.-]{0,127}"
_DIGEST: Final = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}"
_IDENTIFIER: Final = r"[a-f0-9]{64}"
_NAME: Final = rf"(?:{_DOMAIN_AND_PORT}/)?{_REMOTE_NAME}"

#: referenceRegexp: groups (name, tag, digest).
_REFERENCE_RE: Final = re.compile(rf"({_NAME})(?::({_TAG}))?(?:@({_DIGEST}))?", re.ASCII)
#: anchoredNameRegexp: groups (domain, path).
_ANCHORED_NAME_RE: Final = re.compile(rf"(?:({_DOMAIN_AND_PORT})/)?({_REMOTE_NAME})", re.ASCII)
_ANCHORED_TAG_RE: Final = re.compile(_TAG, re.ASCII)
_ANCHORED_IDENTIFIER_RE: Final = re.compile(_IDENTIFIER, re.ASCII)

# The one rune whose Unicode lowercase is several runes in Python but one in Go's
# unicode.ToLower (simple case mapping): U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE.
_SIMPLE_LOWER: Final = MappingProxyType({"\u0130": "i"})


def _go_lower_rune(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    lowered = char.lower()
    return lowered if len(lowered) == 1 else _SIMPLE_LOWER.get(char, char)


def _go_lower(text: str) -> str:
    """Go's ``strings.ToLower``: per-rune simple case mapping, no context (no final sigma)."""
    if text.isascii():
        return text.lower()
    return "".join(_go_lower_rune(char) for char in text)


@dataclass(frozen=True, slots=True, repr=False)
class Reference:
    """A parsed image reference: ``domain/path[:tag][@digest]``.

    Construction validates like distribution/reference's ``WithName``/``WithTag``: the name
    must split back into exactly this domain and path, the path must fit in 255 characters,
    and the tag must match the tag grammar. Invalid parts raise :class:`InvalidReference`.
    """

    domain: str
    path: str
    tag: str | None = None
    digest: Digest | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.domain, str) or not isinstance(self.path, str):
            raise InvalidReference(_ERR_FORMAT, reference=repr((self.domain, self.path)))
        name = self.name
        match = _ANCHORED_NAME_RE.fullmatch(name)
        if match is None or (match.group(1) or "") != self.domain or match.group(2) != self.path:
            raise InvalidReference(_ERR_FORMAT, reference=name)
        if len(self.path) > NAME_TOTAL_LENGTH_MAX:
            raise InvalidReference(_ERR_TOO_LONG, reference=name)
        if self.tag is not None and (
            not isinstance(self.tag, str) or _ANCHORED_TAG_RE.fullmatch(self.tag) is None
        ):
            raise InvalidReference(_ERR_TAG, reference=repr(self.tag))
        if self.digest is not None and not isinstance(self.digest, Digest):
            raise InvalidReference(_ERR_DIGEST, reference=repr(self.digest))

    @property
    def name(self) -> str:
        """``domain/path`` (just the path when the domain is empty), as Go's ``Name()``."""
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def is_canonical(self) -> bool:
        """Whether the reference pins a digest (Go's ``reference.Canonical``)."""
        return self.digest is not None

    @property
    def familiar_name(self) -> str:
        """Docker's short name: ``docker.io/`` and a lone ``library/`` namespace dropped."""
        domain, path = self.domain, self.path
        if domain == DEFAULT_DOMAIN:
            domain = ""
            if path.startswith(OFFICIAL_REPO_PREFIX):
                remainder = path[len(OFFICIAL_REPO_PREFIX) :]
                if "/" not in remainder:
                    path = remainder
        return f"{domain}/{path}" if domain else path

    @property
    def familiar(self) -> str:
        """Docker's short form (``FamiliarString``): ``ubuntu:22.04``, ``user/app@sha256:...``."""
        return self.familiar_name + self._suffix()

    @property
    def tag_or_digest(self) -> str:
        """What to ask a registry's manifest endpoint for: the digest when pinned (as Docker's
        ``ParseDockerRef`` prefers it), else the tag, else ``latest``."""
        if self.digest is not None:
            return str(self.digest)
        return self.tag if self.tag is not None else DEFAULT_TAG

    def with_tag(self, tag: str) -> Reference:
        """The same name and digest with *tag* (Go's ``WithTag``; a bad tag raises
        :class:`InvalidReference` "invalid tag format")."""
        return Reference(self.domain, self.path, tag, self.digest)

    def with_digest(self, digest: DigestLike) -> Reference:
        """The same name and tag pinned to *digest* (a :class:`Digest` or its string; a bad
        string raises :class:`~mstoolkit.errors.InvalidDigest`)."""
        return Reference(self.domain, self.path, self.tag, as_digest(digest))

    def _suffix(self) -> str:
        tag = f":{self.tag}" if self.tag is not None else ""
        digest = f"@{self.digest}" if self.digest is not None else ""
        return tag + digest

    def __str__(self) -> str:
        return self.name + self._suffix()

    def __repr__(self) -> str:
        return f"Reference({str(self)!r})"


def _split_docker_domain(name: str) -> tuple[str, str]:
    """``splitDockerDomain``: pick the domain the way the docker CLI does."""
    maybe_domain, slash, maybe_remote = name.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name
    if maybe_domain == LEGACY_DEFAULT_DOMAIN:
        domain, remote = DEFAULT_DOMAIN, maybe_remote
    elif (
        maybe_domain == _LOCALHOST  # a reserved namespace, always a domain
        or "." in maybe_domain  # example.com, 127.0.0.1
        or ":" in maybe_domain  # example:5000, [::1]:5000
        or _go_lower(maybe_domain) != maybe_domain  # namespaces are lowercase
    ):
        domain, remote = maybe_domain, maybe_remote
    else:
        domain, remote = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in remote:
        remote = OFFICIAL_REPO_PREFIX + remote
    return domain, remote


def _parse(text: str, *, reported: str | None = None) -> Reference:
    """``reference.Parse``: the grammar alone, no normalisation (``ubuntu`` has no domain).

    Kept private: mstoolkit always normalises, but distribution/reference's own test tables
    exercise this layer, so the tests call it directly. Errors carry *reported* (the caller's
    original input) as their ``reference``, defaulting to *text*.
    """
    original = text if reported is None else reported
    if text == "":
        raise InvalidReference(_ERR_EMPTY, reference=original)
    match = _REFERENCE_RE.fullmatch(text)
    if match is None:
        lowered = _go_lower(text)
        if lowered != text and _REFERENCE_RE.fullmatch(lowered) is not None:
            raise InvalidReference(_ERR_UPPERCASE, reference=original)
        raise InvalidReference(_ERR_FORMAT, reference=original)
    name, tag, digest_text = match.group(1, 2, 3)
    name_match = _ANCHORED_NAME_RE.fullmatch(name)
    if name_match is not None:
        domain, path = name_match.group(1) or "", name_match.group(2)
    else:  # unreachable: every name the reference grammar accepts is an anchored name
        domain, path = "", name
    if len(path) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(_ERR_TOO_LONG, reference=original)
    digest = None
    if digest_text is not None:
        try:
            digest = Digest.parse(digest_text)  # go-digest's Validate, messages and all
        except InvalidDigest as exc:
            raise InvalidReference(exc.go_message, reference=original) from exc
    return Reference(domain, path, tag, digest)


def parse_reference(text: str) -> Reference:
    """Parse *text* as ``docker pull`` does (distribution/reference ``ParseNormalizedNamed``).

    ``ubuntu`` -> ``docker.io/library/ubuntu``; ``localhost:5000/app:1`` keeps its domain.
    Raises :class:`InvalidReference` whose ``str()`` is Go's exact message and whose
    ``.reference`` is the input; nothing else escapes, whatever the input.
    """
    if not isinstance(text, str):
        raise InvalidReference(_ERR_FORMAT, reference=repr(text))
    if _ANCHORED_IDENTIFIER_RE.fullmatch(text) is not None:
        raise InvalidReference(
            f"invalid repository name ({text}), cannot specify 64-byte hexadecimal strings",
            reference=text,
        )
    domain, remainder = _split_docker_domain(text)
    colon = remainder.find(":")
    remote = remainder[:colon] if colon > -1 else remainder
    if _go_lower(remote) != remote:
        raise InvalidReference(
            f"{_ERR_FORMAT}: repository name ({remote}) must be lowercase", reference=text
        )
    return _parse(f"{domain}/{remainder}", reported=text)


def __dir__() -> list[str]:
    return sorted(__all__)
