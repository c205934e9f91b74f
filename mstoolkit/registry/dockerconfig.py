"""Registry credentials the way the docker CLI finds them: ``config.json`` and credential helpers.

The file is ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``. For a registry the
docker CLI (``cli/config/configfile``) looks, in order, at:

1. ``credHelpers[<host>]``: run ``docker-credential-<helper> get`` with the server address on
   stdin; it prints ``{"ServerURL": ..., "Username": ..., "Secret": ...}``.
2. ``credsStore``: the same, with the default helper.
3. ``auths[<key>]``: ``auth`` is ``base64(username ":" password)``; ``username``/``password``,
   ``identitytoken`` (an OAuth2 refresh token) and ``registrytoken`` (a ready bearer token) may
   also appear. Keys are matched exactly first, then by host name (scheme and path stripped),
   as ``configfile.GetAuthConfig`` does.

Docker Hub is stored under ``https://index.docker.io/v1/``. A helper that says "credentials not
found" means anonymous access, not an error. A helper answering ``Username: "<token>"`` hands out
an identity token. Secrets are never part of a repr, a log line or an exception message.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mstoolkit.errors import InvalidArgument, NotFound, Unauthenticated

__all__ = [
    "Credentials",
    "DOCKER_HUB_KEY",
    "DockerConfig",
    "HelperRunner",
    "credential_key",
    "docker_config_path",
    "run_credential_helper",
]

log = logging.getLogger(__name__)

#: The ``auths`` key (and helper server URL) under which the docker CLI keeps Docker Hub.
DOCKER_HUB_KEY = "https://index.docker.io/v1/"
_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NOT_FOUND = "credentials not found"
_HELPER_TIMEOUT = 30.0
_MAX_CONFIG_BYTES = 16 * 1024 * 1024

#: ``run(helper_name, server_url) -> stdout``; raises :class:`NotFound` for "not found".
HelperRunner = Callable[[str, str], bytes]


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """A username and secret for one registry; the repr never shows a secret.

    ``identity_token`` is an OAuth2 refresh token (exchanged at the token realm);
    ``registry_token`` is a bearer token to send as it is.
    """

    username: str = ""
    password: str = ""
    identity_token: str = ""
    registry_token: str = ""

    def __repr__(self) -> str:
        secrets = [
            name for name in ("password", "identity_token", "registry_token") if getattr(self, name)
        ]
        hidden = "".join(f", {name}=<hidden>" for name in secrets)
        return f"Credentials(username={self.username!r}{hidden})"

    __str__ = __repr__

    @property
    def has_basic(self) -> bool:
        """Whether a username and password are present (usable for HTTP Basic)."""
        return bool(self.username) and bool(self.password)


def docker_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the docker CLI reads ``config.json`` from under *environ*."""
    env = os.environ if environ is None else environ
    folder = env.get("DOCKER_CONFIG")
    if folder:
        return Path(folder) / "config.json"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".docker" / "config.json"


def credential_key(registry: str) -> str:
    """The key docker uses for *registry* (``host[:port]``) in ``auths`` and helpers."""
    host = _hostname(registry)
    return DOCKER_HUB_KEY if host in _DOCKER_HUB_NAMES else host


def _hostname(key: str) -> str:
    """docker's ``ConvertToHostname``: drop the scheme and everything from the first ``/``."""
    text = key.strip()
    for prefix in ("http://", "https://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.split("/", 1)[0].lower()


def run_credential_helper(
    name: str, server_url: str, *, environ: Mapping[str, str] | None = None
) -> bytes:
    """Run ``docker-credential-<name> get`` and return its stdout.

    Raises :class:`NotFound` when the helper has no credentials for *server_url* and
    :class:`Unauthenticated` when it is missing or fails.
    """
    if not _HELPER_NAME.fullmatch(name):
        raise InvalidArgument(f"invalid credential helper name {name!r}")
    env = dict(os.environ if environ is None else environ)
    program = shutil.which(f"docker-credential-{name}", path=env.get("PATH"))
    if program is None:
        raise Unauthenticated(f"credential helper docker-credential-{name} not found on PATH")
    try:
        done = subprocess.run(
            [program, "get"],
            input=server_url.encode(),
            capture_output=True,
            timeout=_HELPER_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unauthenticated(f"credential helper docker-credential-{name} failed to run") from exc
    if done.returncode != 0:
        said = (done.stdout + done.stderr).decode("utf-8", "replace").lower()
        if _NOT_FOUND in said:
            raise NotFound(f"docker-credential-{name} has no credentials for {server_url}")
        raise Unauthenticated(
            f"credential helper docker-credential-{name} failed (exit {done.returncode})"
        )
    return done.stdout


class DockerConfig:
    """A parsed docker ``config.json``; :meth:`credentials_for` does the lookup."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        path: Path | None = None,
        run_helper: HelperRunner | None = None,
    ) -> None:
        self._data: Mapping[str, Any] = data or {}
        self.path = path
        self._run_helper: HelperRunner = run_helper or run_credential_helper

    def __repr__(self) -> str:
        return f"DockerConfig(path={str(self.path) if self.path else None!r})"

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        run_helper: HelperRunner | None = None,
    ) -> DockerConfig:
        """Read *path* (default: :func:`docker_config_path`); a missing file is an empty config.

        Raises :class:`InvalidArgument` for a file that is not a JSON object.
        """
        where = Path(path) if path is not None else docker_config_path(environ)
        if run_helper is None and environ is not None:
            env = dict(environ)

            def run_helper(name: str, server: str) -> bytes:
                return run_credential_helper(name, server, environ=env)

        try:
            with where.open("rb") as handle:
                raw = handle.read(_MAX_CONFIG_BYTES + 1)
        except FileNotFoundError:
            return cls({}, path=where, run_helper=run_helper)
        except OSError as exc:
            raise InvalidArgument(f"{where}: cannot read docker config: {exc.strerror}") from exc
        if len(raw) > _MAX_CONFIG_BYTES:
            raise InvalidArgument(f"{where}: docker config larger than {_MAX_CONFIG_BYTES} bytes")
        try:
            data = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError) as exc:
            raise InvalidArgument(f"{where}: docker config is not valid JSON") from exc
        if not isinstance(data, dict):
            raise InvalidArgument(f"{where}: docker config must be a JSON object")
        return cls(data, path=where, run_helper=run_helper)

    def _section(self, name: str) -> Mapping[str, Any]:
        value = self._data.get(name)
        return value if isinstance(value, dict) else {}

    def helper_for(self, registry: str) -> str:
        """The credential helper docker would ask for *registry* (``""`` for none)."""
        key = credential_key(registry)
        helpers = self._section("credHelpers")
        for candidate in (key, _hostname(registry)):
            name = helpers.get(candidate)
            if isinstance(name, str) and name:
                return name
        store = self._data.get("credsStore")
        return store if isinstance(store, str) else ""

    def credentials_for(self, registry: str) -> Credentials | None:
        """The credentials for *registry* (``host[:port]``), or ``None`` for anonymous access."""
        key = credential_key(registry)
        helper = self.helper_for(registry)
        if helper:
            return self._from_helper(helper, key)
        return self._from_auths(key)

    def _from_helper(self, helper: str, key: str) -> Credentials | None:
        try:
            out = self._run_helper(helper, key)
        except NotFound:
            return None
        try:
            doc = json.loads(out)
        except (ValueError, RecursionError) as exc:
            raise Unauthenticated(
                f"credential helper docker-credential-{helper} printed invalid JSON"
            ) from exc
        if not isinstance(doc, dict):
            raise Unauthenticated(f"credential helper docker-credential-{helper} answer malformed")
        username = doc.get("Username")
        secret = doc.get("Secret")
        if not isinstance(username, str) or not isinstance(secret, str):
            raise Unauthenticated(f"credential helper docker-credential-{helper} answer malformed")
        if not secret:
            return None
        if username == "<token>":
            return Credentials(identity_token=secret)
        return Credentials(username=username, password=secret)

    def _from_auths(self, key: str) -> Credentials | None:
        auths = self._section("auths")
        entry = auths.get(key)
        if not isinstance(entry, dict):
            host = _hostname(key)
            entry = next(
                (
                    value
                    for name, value in auths.items()
                    if isinstance(value, dict) and _hostname(name) == host
                ),
                None,
            )
        if entry is None:
            return None
        return _entry_credentials(entry, key)


def _entry_credentials(entry: Mapping[str, Any], key: str) -> Credentials | None:
    def text(name: str) -> str:
        value = entry.get(name)
        return value if isinstance(value, str) else ""

    username, password = text("username"), text("password")
    encoded = text("auth")
    if encoded:
        try:
            decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
        except ValueError as exc:  # binascii.Error, UnicodeDecodeError, and non-ASCII text
            raise InvalidArgument(f"docker config: 'auth' for {key} is not base64") from exc
        user, colon, secret = decoded.partition(":")
        if not colon:
            raise InvalidArgument(f"docker config: 'auth' for {key} is not user:password")
        username, password = user, secret.strip("\x00")
    credentials = Credentials(
        username=username,
        password=password,
        identity_token=text("identitytoken"),
        registry_token=text("registrytoken"),
    )
    if not (credentials.has_basic or credentials.identity_token or credentials.registry_token):
        return None
    return credentials


def __dir__() -> list[str]:
    return sorted(__all__)
