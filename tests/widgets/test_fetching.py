"""fetch_view against the seeded registry: what the fetch widget would show, no browser."""

from __future__ import annotations

import json

import pytest

from mstoolkit import mediatypes as mt
from mstoolkit.errors import InvalidArgument
from mstoolkit.manifest_store import ManifestStore
from mstoolkit.widgets.fetching import fetch_view, pretty_json, qualify_reference
from tests.support.registry_server import RegistryServer


def _digest(server: RegistryServer, repo: str, tag: str) -> str:
    (row,) = [r for r in server.inventory if r.repo == repo and r.tag == tag]
    return row.digest


def _children(server: RegistryServer, repo: str, parent: str) -> list[str]:
    return [r.digest for r in server.inventory if r.repo == repo and r.child and parent in r.note]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("library/hello:v2s2", "127.0.0.1:5000/library/hello:v2s2"),
        ("  hello  ", "127.0.0.1:5000/hello"),
        ("127.0.0.1:5000/library/hello@sha256:" + "a" * 64,
         "127.0.0.1:5000/library/hello@sha256:" + "a" * 64),
    ],
)
def test_qualify_reference_puts_paths_at_the_store_registry(text: str, expected: str) -> None:
    """A reference without a registry is taken to be at the store's registry."""
    assert qualify_reference(text, "127.0.0.1:5000") == expected


def test_qualify_reference_refuses_other_registries_and_empty_text() -> None:
    """Another registry, or nothing typed, is an InvalidArgument with a plain message."""
    with pytest.raises(InvalidArgument, match=r"fetches from 127\.0\.0\.1:5000"):
        qualify_reference("docker.io/library/hello", "127.0.0.1:5000")
    with pytest.raises(InvalidArgument, match="type a reference"):
        qualify_reference("   ", "127.0.0.1:5000")


def test_pretty_json_indents_and_survives_non_json() -> None:
    """JSON is indented for reading; other bytes come back as text."""
    assert pretty_json(b'{"a":[1]}') == '{\n  "a": [\n    1\n  ]\n}'
    assert pretty_json(b"\xffnot json") == "\ufffdnot json"


@pytest.mark.registry
def test_fetch_view_of_a_schema2_image(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """A schema2 tag gives a summary, ok verdicts everywhere, its layers and its raw JSON."""
    view = fetch_view(manifest_store, "library/tiny:1.0")
    assert view.ok, view.error
    digest = _digest(registry_server, "library/tiny", "1.0")
    summary = dict(zip(view.summary["field"], view.summary["value"], strict=True))
    assert summary["digest"] == digest
    assert summary["media type"].startswith("Docker schema2")
    assert summary["kind"] == "schema2"
    assert summary["obtained"] == "fetched"
    assert summary["layers"].startswith("1, ")
    assert view.children.empty
    assert len(view.layers) == 1
    assert view.layers["digest"].iloc[0].startswith("sha256:")
    assert view.layers["size"].iloc[0] > 0
    assert set(view.verdicts.drop(columns="manifest").iloc[0]) == {"ok"}
    assert json.loads(view.raw_json)["mediaType"] == mt.DOCKER_SCHEMA2
    assert view.notice == ""


@pytest.mark.registry
def test_fetch_view_second_time_comes_from_the_cache(manifest_store: ManifestStore) -> None:
    """Fetching again shows the manifest was served from the store."""
    assert fetch_view(manifest_store, "library/tiny:1.0").ok
    view = fetch_view(manifest_store, "library/tiny:1.0")
    summary = dict(zip(view.summary["field"], view.summary["value"], strict=True))
    assert summary["obtained"] == "cached"


@pytest.mark.registry
def test_fetch_view_of_schema1_warns_and_shows_refusals(manifest_store: ManifestStore) -> None:
    """A schema1 image carries moby's deprecation notice and the engines that refuse it."""
    view = fetch_view(manifest_store, "library/hello:v2s1")
    assert view.ok, view.error
    assert view.notice.startswith("[DEPRECATION NOTICE]")
    verdicts = view.verdicts.iloc[0]
    assert verdicts["Docker 25"] == "ok"
    assert verdicts["Docker 26–28.1"] == "needs-env"
    assert verdicts["Docker 28.2"] == "refused"
    assert verdicts["containerd 2.1"] == "refused"
    assert view.layers["size"].isna().all()


@pytest.mark.registry
def test_fetch_view_of_an_index_lists_children_and_their_layers(
    manifest_store: ManifestStore, registry_server: RegistryServer
) -> None:
    """An OCI index shows one child per platform and the layers of every child."""
    index = _digest(registry_server, "multiarch/hello", "oci-index")
    view = fetch_view(manifest_store, "multiarch/hello:oci-index")
    assert view.ok, view.error
    assert sorted(view.children["digest"]) == sorted(_children(registry_server,
                                                               "multiarch/hello", index))
    assert set(view.children["platform"]) == {"linux/amd64", "linux/arm64/v8", "linux/arm/v7"}
    assert set(view.children["obtained"]) == {"fetched"}
    assert set(view.layers["platform"]) == set(view.children["platform"])
    assert view.platforms == tuple(view.children["platform"])
    assert view.verdicts["manifest"].iloc[0] == "(index)"


@pytest.mark.registry
def test_fetch_view_for_one_platform(manifest_store: ManifestStore) -> None:
    """Picking a platform fetches only that child; the others are listed as not requested."""
    view = fetch_view(manifest_store, "multiarch/hello:oci-index", platform="linux/arm/v7")
    assert view.ok, view.error
    fetched = view.children[view.children["obtained"] == "fetched"]
    assert list(fetched["platform"]) == ["linux/arm/v7"]
    assert (view.children["obtained"] == "not requested").sum() == 2
    assert set(view.layers["platform"]) == {"linux/arm/v7"}


@pytest.mark.registry
@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("library/hello:no-such-tag", "not-found: "),
        ("edge/deleted@sha256:" + "0" * 64, "not-found: "),
        ("Library/Hello", "invalid-argument: "),
        ("docker.io/library/hello", "invalid-argument: this store fetches from"),
    ],
)
def test_fetch_view_turns_failures_into_messages(
    manifest_store: ManifestStore, reference: str, message: str
) -> None:
    """Expected failures come back as 'category: message', never as an exception."""
    view = fetch_view(manifest_store, reference)
    assert not view.ok
    assert view.error.startswith(message)
    assert view.summary.empty
