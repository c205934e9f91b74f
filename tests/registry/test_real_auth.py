"""Authentication against the real registry: htpasswd Basic and distribution's ``auth: token``."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from pathlib import Path

import pytest

from mstoolkit.errors import Unauthenticated
from mstoolkit.mediatypes import OCI_INDEX
from mstoolkit.registry import AsyncRegistryClient, Credentials, RegistryClient
from tests.support.fault_proxy import ProxyFactory
from tests.support.registry_server import RegistryServer

pytestmark = pytest.mark.registry

HELLO = "sha256:69f9da0f1a62b2b7a694cd209e09d409edaf373a0bd7fd425495a5879219ba8d"


def _isolated_docker_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "docker"
    folder.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    return folder


# -- htpasswd ------------------------------------------------------------------------------


def test_basic_auth_with_a_tuple_fetches_and_verifies(htpasswd_registry: RegistryServer) -> None:
    """(user, password) answers the registry's Basic challenge; fetches verify as usual."""
    assert htpasswd_registry.credentials is not None
    with RegistryClient(
        htpasswd_registry.host, insecure=True, auth=htpasswd_registry.credentials
    ) as client:
        client.ping()
        assert client.get_manifest("library/hello", "latest").digest == HELLO
        assert sorted(client.tags("library/tiny")) == ["1.0", "oci", "v2s1"]
        assert "multiarch/hello" in list(client.catalog(page_size=2))


def test_basic_auth_is_sent_preemptively_after_the_first_challenge(
    htpasswd_registry: RegistryServer, fault_proxy_for: ProxyFactory
) -> None:
    """After one Basic challenge, later requests carry credentials without another 401."""
    proxy = fault_proxy_for(htpasswd_registry)
    with RegistryClient(proxy.host, insecure=True, auth=htpasswd_registry.credentials) as client:
        client.get_manifest("library/hello", "latest")
        client.get_manifest("library/tiny", "1.0")
    carried = ["authorization" in {k.lower() for k in r.headers} for r in proxy.requests]
    assert carried == [False, True, True]


def test_wrong_or_missing_basic_credentials_are_unauthenticated(
    htpasswd_registry: RegistryServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A wrong password, or none at all, raises Unauthenticated naming UNAUTHORIZED."""
    _isolated_docker_config(monkeypatch, tmp_path)
    with RegistryClient(htpasswd_registry.host, insecure=True, auth=("auditor", "nope")) as c:
        with pytest.raises(Unauthenticated, match="UNAUTHORIZED"):
            c.get_manifest("library/hello", "latest")
        with pytest.raises(Unauthenticated):
            c.ping()
    with (
        RegistryClient(htpasswd_registry.host, insecure=True) as anonymous,
        pytest.raises(Unauthenticated, match="UNAUTHORIZED"),
    ):
        anonymous.get_manifest("library/hello", "latest")


def test_credentials_from_docker_config_auths(
    htpasswd_registry: RegistryServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """auth=None finds base64 "auth" in $DOCKER_CONFIG/config.json for host:port."""
    folder = _isolated_docker_config(monkeypatch, tmp_path)
    user, password = htpasswd_registry.credentials or ("", "")
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    config = {"auths": {f"http://{htpasswd_registry.host}/v2/": {"auth": encoded}}}
    (folder / "config.json").write_text(json.dumps(config))
    with RegistryClient(htpasswd_registry.host, insecure=True) as client:
        assert client.get_manifest("library/hello", "v2s2").digest == HELLO


def test_credentials_from_a_credential_helper(
    htpasswd_registry: RegistryServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """credHelpers runs docker-credential-<name> get with the host on stdin."""
    folder = _isolated_docker_config(monkeypatch, tmp_path)
    user, password = htpasswd_registry.credentials or ("", "")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    answer = json.dumps({"ServerURL": htpasswd_registry.host, "Username": user, "Secret": password})
    helper = bindir / "docker-credential-mstest"
    helper.write_text(
        "#!/bin/sh\n"
        f'read server; [ "$1" = get ] && [ "$server" = "{htpasswd_registry.host}" ] || exit 1\n'
        f"cat <<'EOF'\n{answer}\nEOF\n"
    )
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    config = {"credHelpers": {htpasswd_registry.host: "mstest"}, "credsStore": "absent"}
    (folder / "config.json").write_text(json.dumps(config))
    with RegistryClient(htpasswd_registry.host, insecure=True) as client:
        assert client.get_manifest("library/hello", "latest").digest == HELLO


def test_secrets_stay_out_of_reprs_logs_and_errors(
    htpasswd_registry: RegistryServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the password nor its Basic encoding appears in a repr, a log line or an error."""
    secret = "p4ss-that-must-not-leak"
    encoded = base64.b64encode(f"auditor:{secret}".encode()).decode()
    caplog.set_level(logging.DEBUG)
    credentials = Credentials(username="auditor", password=secret)
    with RegistryClient(htpasswd_registry.host, insecure=True, auth=credentials) as client:
        with pytest.raises(Unauthenticated) as info:
            client.get_manifest("library/hello", "latest")
        texts = [
            repr(client),
            repr(credentials),
            str(credentials),
            str(info.value),
            repr(info.value),
            caplog.text,
            repr(client._auth),
        ]
    for text in texts:
        assert secret not in text
        assert encoded not in text


# -- bearer tokens -------------------------------------------------------------------------


def test_bearer_token_auth_with_the_registrys_token_mode(token_registry: RegistryServer) -> None:
    """The registry's 401 Bearer challenge leads to our issuer; its JWT is accepted."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    with RegistryClient(token_registry.host, insecure=True, auth=token_registry.credentials) as c:
        c.ping()
        fetched = c.get_manifest("library/hello", "latest")
        assert fetched.digest == HELLO
        assert c.get_manifest("multiarch/hello", "oci-index").media_type == OCI_INDEX
        assert "library/hello" in list(c.catalog())
    assert issuer.scope_requests("registry:catalog:*") == 1
    assert all(r.account == "robot" for r in issuer.requests)


def test_bearer_tokens_are_cached_per_scope(token_registry: RegistryServer) -> None:
    """One token per repository scope: repeated fetches reuse it; a new repo asks again."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    with RegistryClient(token_registry.host, insecure=True, auth=token_registry.credentials) as c:
        before = issuer.scope_requests("repository:library/tiny:pull")
        for tag in ("1.0", "oci", "v2s1", "1.0"):
            c.get_manifest("library/tiny", tag)
        assert issuer.scope_requests("repository:library/tiny:pull") == before + 1
        c.get_manifest("cross/one", "1.0")
        assert issuer.scope_requests("repository:cross/one:pull") >= 1
        for tag in ("tag-000", "tag-001"):
            c.get_manifest("pagination/many", tag)
        assert issuer.scope_requests("repository:pagination/many:pull") == 1


def test_wrong_token_credentials_are_unauthenticated(token_registry: RegistryServer) -> None:
    """The issuer refuses a wrong password (401): Unauthenticated, no retry storm."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    with RegistryClient(token_registry.host, insecure=True, auth=("robot", "wrong")) as client:
        before = len(issuer.requests)
        with pytest.raises(Unauthenticated, match="refused the credentials"):
            client.get_manifest("library/hello", "latest")
        assert len(issuer.requests) == before + 1


def test_anonymous_token_without_access_is_unauthenticated(
    token_registry: RegistryServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An anonymous token with no access is rejected by the registry itself: Unauthenticated."""
    _isolated_docker_config(monkeypatch, tmp_path)
    with (
        RegistryClient(token_registry.host, insecure=True) as client,
        pytest.raises(Unauthenticated, match="UNAUTHORIZED"),
    ):
        client.get_manifest("library/hello", "latest")


def test_registry_enforces_token_scope(token_registry: RegistryServer) -> None:
    """A token limited to one repo opens that repo only: for another we ask the issuer once,
    the registry refuses the empty grant again, and we report Unauthenticated, no loop."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    original = issuer.grant
    issuer.grant = lambda account, kind, name, actions: actions if name == "library/hello" else []
    try:
        with RegistryClient(
            token_registry.host, insecure=True, auth=token_registry.credentials
        ) as client:
            assert client.get_manifest("library/hello", "oci").media_type
            before = issuer.scope_requests("repository:library/tiny:pull")
            with pytest.raises(Unauthenticated, match="UNAUTHORIZED"):
                client.get_manifest("library/tiny", "1.0")
            assert issuer.scope_requests("repository:library/tiny:pull") == before + 1
    finally:
        issuer.grant = original


def test_identity_token_is_exchanged_as_an_oauth_refresh_token(
    token_registry: RegistryServer,
) -> None:
    """An identity token (docker's "<token>" helper answer) is POSTed as a refresh token."""
    issuer = token_registry.token_issuer
    assert issuer is not None
    issuer.refresh_tokens["refresh-abc"] = "robot"
    with RegistryClient(
        token_registry.host, insecure=True, auth=Credentials(identity_token="refresh-abc")
    ) as client:
        assert client.get_manifest("library/hello", "v2s2").digest == HELLO
    assert issuer.requests[-1].method == "POST"


def test_async_client_with_bearer_tokens(token_registry: RegistryServer) -> None:
    """The async client runs the same auth flow (token fetch, then cached token)."""

    async def scenario() -> tuple[str, list[str]]:
        async with AsyncRegistryClient(
            token_registry.host, insecure=True, auth=token_registry.credentials
        ) as client:
            await client.ping()
            fetched = await client.get_manifest("library/hello", "latest")
            return fetched.digest, sorted([t async for t in client.tags("library/hello")])

    digest, tags = asyncio.run(scenario())
    assert digest == HELLO
    assert tags == ["latest", "oci", "v2s1", "v2s2"]


def test_implicit_docker_config_is_not_consulted_without_a_challenge(
    registry_server: RegistryServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """auth=None reads docker's config only when a registry asks: an open registry works even
    when the configured credsStore helper does not exist."""
    folder = _isolated_docker_config(monkeypatch, tmp_path)
    (folder / "config.json").write_text(json.dumps({"credsStore": "not-installed-anywhere"}))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with RegistryClient(registry_server.host, insecure=True) as client:
        assert client.get_manifest("library/hello", "latest").digest == HELLO


def test_implicit_docker_config_helper_failure_is_a_warning_at_a_challenge(
    htpasswd_registry: RegistryServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When a challenge makes us consult a helper that is missing, the fetch is anonymous
    (Unauthenticated from the registry) and the log says why."""
    folder = _isolated_docker_config(monkeypatch, tmp_path)
    (folder / "config.json").write_text(json.dumps({"credsStore": "not-installed-anywhere"}))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    with (
        RegistryClient(htpasswd_registry.host, insecure=True) as client,
        pytest.raises(Unauthenticated, match="UNAUTHORIZED"),
    ):
        client.get_manifest("library/hello", "latest")
    assert "docker-credential-not-installed-anywhere" in caplog.text
