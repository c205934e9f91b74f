"""docker's config.json lookup: auths, credsStore, credHelpers (real helper processes)."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from mstoolkit.errors import InvalidArgument, Unauthenticated
from mstoolkit.registry import Credentials, DockerConfig
from mstoolkit.registry.dockerconfig import (
    DOCKER_HUB_KEY,
    credential_key,
    docker_config_path,
    run_credential_helper,
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _helper(bindir: Path, name: str, script: str) -> None:
    bindir.mkdir(exist_ok=True)
    path = bindir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_config_path_follows_docker_config_then_home() -> None:
    """$DOCKER_CONFIG wins; otherwise ~/.docker/config.json."""
    assert docker_config_path({"DOCKER_CONFIG": "/x"}) == Path("/x/config.json")
    assert docker_config_path({"HOME": "/home/u"}) == Path("/home/u/.docker/config.json")


def test_credential_keys() -> None:
    """Docker Hub lives under the index URL; other registries under host[:port]."""
    assert credential_key("docker.io") == DOCKER_HUB_KEY
    assert credential_key("registry-1.docker.io") == DOCKER_HUB_KEY
    assert credential_key("Quay.IO") == "quay.io"
    assert credential_key("127.0.0.1:5000") == "127.0.0.1:5000"


def test_auths_entry_forms() -> None:
    """base64 auth (password may hold ':'), username/password, identity and registry tokens."""
    config = DockerConfig(
        {
            "auths": {
                DOCKER_HUB_KEY: {"auth": _b64("hubuser:pa:ss")},
                "https://ghcr.io": {"username": "u", "password": "p"},
                "quay.io": {"identitytoken": "refresh"},
                "http://127.0.0.1:5000/v2/": {"registrytoken": "bearer"},
                "empty.example": {},
            }
        }
    )
    assert config.credentials_for("docker.io") == Credentials("hubuser", "pa:ss")
    assert config.credentials_for("ghcr.io") == Credentials("u", "p")
    quay = config.credentials_for("quay.io")
    assert quay is not None
    assert quay.identity_token == "refresh"
    local = config.credentials_for("127.0.0.1:5000")
    assert local is not None
    assert local.registry_token == "bearer"
    assert config.credentials_for("empty.example") is None
    assert config.credentials_for("other.example") is None


@pytest.mark.parametrize("auth", ["***", _b64("no-colon")])
def test_bad_auth_field_is_invalid_without_echoing_it(auth: str) -> None:
    """A broken "auth" is InvalidArgument; the message does not contain the value."""
    config = DockerConfig({"auths": {"r.example": {"auth": auth}}})
    with pytest.raises(InvalidArgument) as info:
        config.credentials_for("r.example")
    assert auth not in str(info.value)


def test_load_missing_empty_and_broken_files(tmp_path: Path) -> None:
    """No file means no credentials; an empty file is fine; broken JSON is InvalidArgument."""
    assert DockerConfig.load(tmp_path / "none.json").credentials_for("x") is None
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert DockerConfig.load(empty).credentials_for("x") is None
    broken = tmp_path / "broken.json"
    broken.write_text('{"auths": {"x": {"auth": "c2VjcmV0OnNlY3JldA=="}')
    with pytest.raises(InvalidArgument, match="not valid JSON") as info:
        DockerConfig.load(broken)
    assert "c2VjcmV0" not in str(info.value)
    listing = tmp_path / "list.json"
    listing.write_text("[]")
    with pytest.raises(InvalidArgument, match="JSON object"):
        DockerConfig.load(listing)


def test_cred_helpers_and_creds_store_run_real_helper_processes(tmp_path: Path) -> None:
    """credHelpers[host] beats credsStore; "<token>" answers are identity tokens; "not found"
    means anonymous."""
    bindir = tmp_path / "bin"
    _helper(
        bindir,
        "per-host",
        'read s; echo "{\\"ServerURL\\":\\"$s\\",\\"Username\\":\\"h\\",\\"Secret\\":\\"hs\\"}"\n',
    )
    _helper(
        bindir,
        "store",
        'read s\ncase "$s" in\n'
        '  *docker.io*) echo \'{"Username":"<token>","Secret":"idtok"}\' ;;\n'
        '  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n',
    )
    environ = {"PATH": f"{bindir}:{os.environ['PATH']}", "HOME": str(tmp_path)}
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "credsStore": "store",
                "credHelpers": {"ghcr.io": "per-host"},
                "auths": {"ghcr.io": {"auth": _b64("ignored:ignored")}},
            }
        )
    )
    config = DockerConfig.load(path, environ=environ)
    assert config.helper_for("ghcr.io") == "per-host"
    assert config.credentials_for("ghcr.io") == Credentials("h", "hs")
    hub = config.credentials_for("docker.io")
    assert hub == Credentials(identity_token="idtok")
    assert config.credentials_for("quay.io") is None


def test_failing_or_missing_helper_is_unauthenticated(tmp_path: Path) -> None:
    """A helper that crashes or is absent raises Unauthenticated (its output not echoed)."""
    bindir = tmp_path / "bin"
    _helper(bindir, "broken", "echo 'secret-ish output' >&2; exit 3\n")
    _helper(bindir, "garbage", "echo not-json\n")
    environ = {"PATH": str(bindir)}
    with pytest.raises(Unauthenticated, match="exit 3") as info:
        run_credential_helper("broken", "r.example", environ=environ)
    assert "secret-ish" not in str(info.value)
    with pytest.raises(Unauthenticated, match="not found on PATH"):
        run_credential_helper("absent", "r.example", environ=environ)
    with pytest.raises(InvalidArgument):
        run_credential_helper("../evil", "r.example", environ=environ)
    config = DockerConfig({"credsStore": "garbage"}, run_helper=lambda n, s: b"not-json")
    with pytest.raises(Unauthenticated, match="invalid JSON"):
        config.credentials_for("r.example")


def test_credentials_repr_hides_secrets() -> None:
    """repr/str show the username and which secrets exist, never their values."""
    creds = Credentials("user", "hunter2", identity_token="tok-1", registry_token="tok-2")
    for text in (repr(creds), str(creds), f"{creds}"):
        assert "hunter2" not in text
        assert "tok-1" not in text
        assert "tok-2" not in text
        assert "user" in text
    assert "hidden" not in repr(Credentials("only-user"))
