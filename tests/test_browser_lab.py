"""A learner's path, in a real browser: start JupyterLab as `make lab` does, open
notebook 00, run all cells, and check that no cell ends in an error, that JupyterLab
never asks whether to fetch Jupyter news, and that the browser asks nothing of any host
but the local server. Leaves a screenshot in build/test-artifacts/ for the CI log.

Needs Debian's `chromium` (installed by `make browser-deps`, which `make test` runs
when it is root with apt-get) and the `playwright` package from requirements.txt.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course_kit.lab import NOTIFICATION_PLUGIN, lab_command, write_settings_overrides

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "00_setup_and_sequences.ipynb"
NEWS_PROMPT = "Would you like to get notified about official Jupyter news?"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
]

# Skipped on a learner's machine without chromium; in CI (CI=true) a missing browser fails instead.
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed; run `make browser-deps` (root) or `sudo apt-get install -y chromium`",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab(tmp_path: Path):
    """A JupyterLab server on loopback serving a copy of notebook 00, set up as `make lab` does."""
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    port, token = _free_port(), secrets.token_hex(16)
    write_settings_overrides()
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        lab_command(tmp_path, [
            "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if os.geteuid() == 0 else [])]),
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_NO_CONFIG": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"JupyterLab did not start; log:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield base, token, tmp_path
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_notebook_00_runs_in_jupyterlab_without_errors(lab) -> None:
    from playwright.sync_api import sync_playwright

    base, token, workdir = lab
    settings = json.loads(urllib.request.urlopen(f"{base}/lab/api/settings/{NOTIFICATION_PLUGIN}?token={token}").read())
    # The course's default reaches JupyterLab (the schema default, overridden).
    assert settings["schema"]["properties"]["fetchNews"]["default"] == "false", settings["schema"]["properties"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    remote = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:", "about:")) else remote.append(r.url))
        page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
        page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-NotebookPanel')", timeout=90_000)
        # wait for the kernel to be ready, then run every cell
        page.wait_for_function(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.connectionStatus === 'connected'"
            " && w.sessionContext.kernelDisplayStatus === 'idle'; }",
            timeout=90_000,
        )
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
            " const cells = nb.widgets.filter(c => c.model.type === 'code');"
            " return cells.length > 0 && cells.every(c => c.model.executionCount !== null)"
            " && window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'; }",
            timeout=300_000, polling=1000,
        )
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "jupyterlab_00_run_all.png"), full_page=False)
        visible_errors = page.locator(".jp-OutputArea-output .ansi-red-fg, .jp-OutputArea-output:has-text('Traceback')").count()
        # By now (the kernel ran every cell) JupyterLab has long finished its start-up announcements.
        news_prompts = page.get_by_text(NEWS_PROMPT).count()
        browser.close()

    saved = json.loads((workdir / NOTEBOOK).read_text(encoding="utf-8"))
    code_cells = [c for c in saved["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code_cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"cells raised: {[e['ename'] + ': ' + e['evalue'] for e in errors]}"
    assert all(c["execution_count"] for c in code_cells), "not every cell was executed"
    assert visible_errors == 0, "a traceback is visible in the page; see the screenshot in build/test-artifacts/"
    assert news_prompts == 0, "JupyterLab asks whether to fetch Jupyter news from the internet"
    assert not remote, f"the browser asked other hosts for {remote}"
