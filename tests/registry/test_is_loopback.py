"""is_loopback, the registry layer's rule for when plain HTTP is the default."""

from __future__ import annotations

import pytest

from mstoolkit.manifest_store import audit as audit_module
from mstoolkit.registry.auth import is_loopback
from mstoolkit.widgets import auditing


@pytest.mark.parametrize(
    "registry",
    ["localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:443", "[::1]:5000", "::1"],
)
def test_loopback_registries(registry: str) -> None:
    """Loopback names and addresses, with or without a port, are loopback."""
    assert is_loopback(registry)


@pytest.mark.parametrize(
    "registry",
    ["registry.test", "10.0.0.1:5000", "docker.io", "[2001:db8::1]:5000", "localhost.evil.com"],
)
def test_other_registries(registry: str) -> None:
    """Private and public hosts are not loopback (only this machine gets plain HTTP)."""
    assert not is_loopback(registry)


def test_one_rule_for_every_caller() -> None:
    """The audit and the widgets use the registry layer's function, not copies of it."""
    assert "is_loopback" not in audit_module.__all__
    assert audit_module.is_loopback is is_loopback
    assert auditing.is_loopback is is_loopback
