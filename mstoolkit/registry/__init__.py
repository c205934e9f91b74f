"""Talk to container registries: fetch, verify and describe manifests (the only httpx user).

``RegistryClient`` blocks, ``AsyncRegistryClient`` runs concurrent audits; both verify every
manifest against the digest asked for or the registry's ``Docker-Content-Digest``, map
registry errors onto :mod:`mstoolkit.errors`, retry what is safe to retry, and authenticate
the way the docker CLI does. The modules hold the logic; this file only re-exports.
"""

from mstoolkit.registry.aclient import AsyncRegistryClient
from mstoolkit.registry.auth import RegistryAuth
from mstoolkit.registry.client import RegistryClient
from mstoolkit.registry.dockerconfig import Credentials, DockerConfig
from mstoolkit.registry.errors import ERROR_CODES
from mstoolkit.registry.models import FetchedManifest, RateLimit
from mstoolkit.registry.ratelimit import parse_rate_limit
from mstoolkit.registry.retry import RetryPolicy

__all__ = [
    "AsyncRegistryClient",
    "Credentials",
    "DockerConfig",
    "ERROR_CODES",
    "FetchedManifest",
    "RateLimit",
    "RegistryAuth",
    "RegistryClient",
    "RetryPolicy",
    "parse_rate_limit",
]


def __dir__() -> list[str]:
    return sorted(__all__)
