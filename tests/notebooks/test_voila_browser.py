"""End to end: Voilà serves the cache notebook, headless Chromium types, clicks and reads.

Debian's ``/usr/bin/chromium`` is driven by Playwright through ``executable_path``;
Playwright never downloads a browser. A missing browser or a server that does not come up
fails the test with the reason: this test never skips.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.support.registry_server import RegistryServer

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOK = NOTEBOOKS / "03-explore-the-cache.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Seconds for Voilà to answer; milliseconds for it to run the notebook (kernel start,
#: imports, an audit of the test registry) and for one fetch to show its tables.
SERVER_TIMEOUT = 30
NOTEBOOK_TIMEOUT_MS = 45_000
FETCH_TIMEOUT_MS = 20_000
#: Where to keep the page's screenshot for a look by a person (default: the test's tmp_path).
SCREENSHOT = os.environ.get("MSTOOLKIT_UI_SCREENSHOT")

pytestmark = [pytest.mark.registry, pytest.mark.slow, pytest.mark.timeout(120)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"voila exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"voila did not answer {url} in {SERVER_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def voila_url(registry_server: RegistryServer, tmp_path: Path) -> Iterator[str]:
    """Voilà serving the notebook on loopback, its kernel pointed at the seeded registry."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash tests/registry_harness/setup-browser.sh` "
            "(make test does) to install Debian's chromium",
            pytrace=False,
        )
    port = _free_port()
    env = {
        **os.environ,
        "MSTOOLKIT_REGISTRY": registry_server.host,
        "MSTOOLKIT_STORE": str(tmp_path / "store"),
        "MPLBACKEND": "Agg",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHONWARNINGS": "ignore",
    }
    log = tmp_path / "voila.log"
    voila = [sys.executable, "-m", "voila"]
    args = [
        str(NOTEBOOK.name),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--show_tracebacks=True",
    ]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*voila, *args], cwd=NOTEBOOK.parent, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def test_fetch_widget_in_voila_shows_the_layer_table(
    voila_url: str, registry_server: RegistryServer, tmp_path: Path
) -> None:
    """Typing a reference and clicking Fetch in the served notebook shows its layer table."""
    (row,) = [r for r in registry_server.inventory if r.repo == "library/tiny" and r.tag == "1.0"]
    shot = Path(SCREENSHOT) if SCREENSHOT else tmp_path / "voila.png"
    step = "launching chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        page = browser.new_page()
        try:
            page.set_default_timeout(FETCH_TIMEOUT_MS)
            step = "loading the page"
            page.goto(voila_url, wait_until="domcontentloaded")
            step = "waiting for Voilà to run the notebook and show the fetch widget"
            box = page.locator(".mst-fetch-widget")
            reference = box.locator("input[type=text]").first
            reference.wait_for(state="visible", timeout=NOTEBOOK_TIMEOUT_MS)
            step = "typing the reference and clicking Fetch"
            reference.fill("library/tiny:1.0")
            box.get_by_role("button", name="Fetch").click()
            step = "waiting for the summary and layer tables"
            box.locator("table", has_text=row.digest).first.wait_for(state="visible")
            box.locator("h4", has_text="Layers").wait_for(state="visible")
            text = box.inner_text()
            box.screenshot(path=str(shot))
        except PlaywrightError as exc:
            page.screenshot(path=str(shot))
            log = (tmp_path / "voila.log").read_text(errors="replace")[-3000:]
            body = page.locator("body").inner_text(timeout=5_000)[-1500:]
            pytest.fail(
                f"{step}: {exc}\nscreenshot: {shot}\n--- page text (end) ---\n{body}\n"
                f"--- voila log (end) ---\n{log}",
                pytrace=False,
            )
        finally:
            browser.close()
    assert row.digest in text
    assert "Docker schema2" in text
    assert "Will it pull?" in text
    assert "OCI layer" in text or "Docker layer" in text
