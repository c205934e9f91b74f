"""RegistryClient against the real registry (CNCF distribution 2.8.2), seeded by the harness."""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.parse
from collections.abc import Iterator

import pytest

from mstoolkit.digest import Digest
from mstoolkit.errors import InvalidReference, NotFound
from mstoolkit.mediatypes import (
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    DOCKER_SCHEMA2,
    MANIFEST_ACCEPT,
    OCI_EMPTY,
    OCI_INDEX,
    OCI_MANIFEST,
)
from mstoolkit.registry import RegistryClient
from tests.support.registry_server import InventoryRow, RegistryServer, read_inventory

pytestmark = pytest.mark.registry

INVENTORY = read_inventory()
LIVE = [row for row in INVENTORY if not row.deleted]
TAGGED = [row for row in LIVE if not row.child]


@pytest.fixture(scope="module")
def client(registry_server: RegistryServer) -> Iterator[RegistryClient]:
    with RegistryClient(registry_server.host, insecure=True) as c:
        yield c


def _raw_get(
    server: RegistryServer, path: str, accept: str | None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(server.host, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept": accept} if accept else {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_seed_matches_the_shipped_inventory(registry_server: RegistryServer) -> None:
    """The session registry holds exactly the reproducible content the inventory file lists."""
    assert registry_server.inventory == INVENTORY
    assert len(LIVE) == 55


@pytest.mark.parametrize("row", LIVE, ids=str)
def test_every_manifest_by_reference_has_the_inventory_digest_and_type(
    client: RegistryClient, row: InventoryRow
) -> None:
    """Each seeded tag (and each index child by digest) comes back verified with the inventory's
    digest and media type, and the body agrees with the detector."""
    fetched = client.get_manifest(row.repo, row.reference)
    assert fetched.digest == row.digest
    assert fetched.media_type == row.media_type
    assert fetched.content_type == row.media_type
    assert fetched.descriptor.size == len(fetched.raw)
    assert fetched.repository == row.repo
    assert fetched.reference == row.reference
    assert fetched.registry == client.registry
    assert fetched.docker_content_digest == row.digest
    detector_says = DOCKER_SCHEMA1 if row.media_type == DOCKER_SCHEMA1_SIGNED else row.media_type
    assert fetched.detected_media_type == detector_says


@pytest.mark.parametrize("row", TAGGED, ids=str)
def test_every_tagged_manifest_by_digest_matches_its_tag(
    client: RegistryClient, row: InventoryRow
) -> None:
    """Fetching a tag's digest gives the same digest and media type as the tag."""
    fetched = client.get_manifest(row.repo, Digest.parse(row.digest))
    assert (fetched.digest, fetched.media_type) == (row.digest, row.media_type)
    assert fetched.reference == row.digest


def test_schema1_is_resigned_on_every_get_but_verifies_to_one_digest(
    client: RegistryClient,
) -> None:
    """distribution signs schema1 anew per GET: bytes differ, the canonical digest does not."""
    first = client.get_manifest("library/hello", "v2s1")
    second = client.get_manifest("library/hello", "v2s1")
    assert first.raw != second.raw
    assert (
        first.digest
        == second.digest
        == "sha256:659434a53ff2b1ddfe424bf3a122e284c3c9c2c8f6c3d2692d9d46d90003bea4"
    )
    assert first.digest != "sha256:" + hashlib.sha256(first.raw).hexdigest()
    assert first.media_type == DOCKER_SCHEMA1_SIGNED
    by_digest = client.get_manifest("library/hello", first.descriptor.digest)
    assert by_digest.digest == first.digest


def test_weak_accept_would_downconvert_but_the_client_gets_schema2(
    client: RegistryClient, registry_server: RegistryServer
) -> None:
    """With Accept */* the registry converts schema2 to schema1; our Accept avoids that."""
    status, headers, _ = _raw_get(registry_server, "/v2/library/hello/manifests/v2s2", "*/*")
    assert status == 200
    assert headers["content-type"] == DOCKER_SCHEMA1_SIGNED
    fetched = client.get_manifest("library/hello", "v2s2")
    assert fetched.media_type == DOCKER_SCHEMA2
    assert (
        fetched.digest == "sha256:69f9da0f1a62b2b7a694cd209e09d409edaf373a0bd7fd425495a5879219ba8d"
    )
    assert MANIFEST_ACCEPT.split(", ")[-2:] == [
        DOCKER_SCHEMA1_SIGNED,
        DOCKER_SCHEMA1,
    ]


def test_manifest_list_by_tag_is_the_list_not_the_amd64_child(client: RegistryClient) -> None:
    """A manifest list is served as itself, not down-selected to one platform."""
    fetched = client.get_manifest("multiarch/hello", "manifest-list")
    assert (
        fetched.digest == "sha256:1d6d9be956af486cd33518e8e2ca0bedc65a1d40b8f076251770394f13ea526b"
    )
    assert len(json.loads(fetched.raw)["manifests"]) == 3


def test_head_manifest_and_exists(client: RegistryClient) -> None:
    """HEAD gives the descriptor without a body; exists() is True for a digest, False if absent."""
    desc = client.head_manifest("library/tiny", "oci")
    assert (str(desc.digest), desc.media_type) == (
        "sha256:4f897fbacbdb80e5c5020d4641ffd163ecded2141878841e7b007be8adff4395",
        OCI_MANIFEST,
    )
    assert desc.size == len(client.get_manifest("library/tiny", "oci").raw)
    assert client.exists(
        "cross/two", "sha256:9d77da4aa78b0a85b5c522ad6a2c130b9afb9321b06e859e729895aef70e77f7"
    )
    assert not client.exists("cross/two", "sha256:" + "0" * 64)
    index = client.head_manifest("cross/one", "multi")
    assert index.media_type == OCI_INDEX


def test_head_manifest_of_schema1_matches_get(client: RegistryClient) -> None:
    """HEAD on signed schema1 states the canonical digest the GET verifies."""
    head = client.head_manifest("edge/nolayer", "v2s1")
    assert (
        str(head.digest)
        == "sha256:85536fcb8436add8ce1e1c6df94bd77169d1a60da7fb29d6f8133e0f30952d99"
    )
    assert head.media_type == DOCKER_SCHEMA1_SIGNED


def test_catalog_pages_through_every_repository(
    client: RegistryClient, registry_server: RegistryServer
) -> None:
    """_catalog with n=3 follows Link pages and yields every seeded repository once, sorted."""
    status, headers, _ = _raw_get(registry_server, "/v2/_catalog?n=3", None)
    assert status == 200
    assert 'rel="next"' in headers["link"]
    repos = list(client.catalog(page_size=3))
    expected = sorted({row.repo for row in INVENTORY})
    assert repos == expected
    assert list(client.catalog()) == expected


def test_tags_lists_every_tag_and_many_tags(client: RegistryClient) -> None:
    """tags() returns all tags (2.8 ignores n and sends them unsorted in one page)."""
    assert sorted(client.tags("library/hello")) == ["latest", "oci", "v2s1", "v2s2"]
    many = sorted(client.tags("pagination/many", page_size=5))
    assert many == [f"tag-{i:03d}" for i in range(25)]


def test_deleted_repository_has_no_tags_and_its_manifest_is_not_found(
    client: RegistryClient,
) -> None:
    """A repo whose manifest was deleted lists "tags": null (nothing) and 404s the digest."""
    assert list(client.tags("edge/deleted")) == []
    row = next(r for r in INVENTORY if r.deleted)
    with pytest.raises(NotFound, match="MANIFEST_UNKNOWN"):
        client.get_manifest(row.repo, row.digest)
    assert not client.exists(row.repo, row.digest)


def test_unknown_names_map_to_not_found_with_the_registry_code(client: RegistryClient) -> None:
    """MANIFEST_UNKNOWN and NAME_UNKNOWN both become NotFound, naming the code."""
    with pytest.raises(NotFound, match="MANIFEST_UNKNOWN"):
        client.get_manifest("library/hello", "no-such-tag")
    with pytest.raises(NotFound, match="MANIFEST_UNKNOWN"):
        client.get_manifest("no/such-repo", "latest")
    with pytest.raises(NotFound, match="NAME_UNKNOWN"):
        list(client.tags("no/such-repo"))


def test_bad_names_are_refused_before_any_request(client: RegistryClient) -> None:
    """Repository names and tags that distribution would refuse never reach the network."""
    for repo in ("UPPER", "../etc", "a//b", "a?b"):
        with pytest.raises(InvalidReference):
            client.get_manifest(repo, "latest")
    with pytest.raises(InvalidReference):
        client.get_manifest("library/hello", "bad tag")


def test_ping(client: RegistryClient) -> None:
    """ping() succeeds against an open registry."""
    client.ping()


def _push(server: RegistryServer, repo: str, path: str, body: bytes, media_type: str) -> str:
    conn = http.client.HTTPConnection(server.host, timeout=10)
    try:
        conn.request("PUT", f"/v2/{repo}/{path}", body=body, headers={"Content-Type": media_type})
        response = conn.getresponse()
        response.read()
        assert response.status == 201, (response.status, server.log_tail())
        return response.getheader("Docker-Content-Digest") or ""
    finally:
        conn.close()


def _push_blob(server: RegistryServer, repo: str, data: bytes) -> str:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    conn = http.client.HTTPConnection(server.host, timeout=10)
    try:
        conn.request("POST", f"/v2/{repo}/blobs/uploads/")
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        url = urllib.parse.urlsplit(location)
        query = (url.query + "&" if url.query else "") + urllib.parse.urlencode({"digest": digest})
        conn.request(
            "PUT",
            f"{url.path}?{query}",
            body=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 201, server.log_tail()
    finally:
        conn.close()
    return digest


def test_referrers_use_the_tag_schema_fallback_on_distribution_2_8(
    scratch_registry: RegistryServer,
) -> None:
    """2.8 has no referrers API (plain 404), so referrers() reads the sha256-<hex> index tag,
    filters by artifactType, and answers [] for a subject without one."""
    server = scratch_registry
    empty = _push_blob(server, "art/demo", b"{}")
    config = {"mediaType": OCI_EMPTY, "digest": empty, "size": 2}
    subject_body = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": []}
    ).encode()
    subject = _push(server, "art/demo", "manifests/v1", subject_body, OCI_MANIFEST)
    artifact_body = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": "application/vnd.example.sbom",
            "config": config,
            "layers": [config],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject, "size": len(subject_body)},
        }
    ).encode()
    artifact = _push(server, "art/demo", "manifests/sbom", artifact_body, OCI_MANIFEST)
    index_body = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": artifact,
                    "size": len(artifact_body),
                    "artifactType": "application/vnd.example.sbom",
                }
            ],
        }
    ).encode()
    tag = subject.replace(":", "-")
    _push(server, "art/demo", f"manifests/{tag}", index_body, OCI_INDEX)
    with RegistryClient(server.host, insecure=True) as client:
        found = client.referrers("art/demo", subject)
        assert [str(d.digest) for d in found] == [artifact]
        assert found[0].artifact_type == "application/vnd.example.sbom"
        assert client.referrers("art/demo", subject, "application/vnd.example.sbom") == found
        assert client.referrers("art/demo", subject, "application/vnd.example.other") == []
        assert client.referrers("art/demo", artifact) == []
