"""The HTML pages work offline, and executed notebooks show TensorFlow's warnings but not its INFO lines.

- A runner page (``build/NN_*.html``) and a site page (``build/site/``) are opened in
  headless Chromium with the network cut: every request that is not a local file is
  aborted and recorded, and the test fails if there is one. The LSTM equations of
  chapter 05 must be typeset by MathJax (no raw ``$$`` left in the visible text), and its
  LSTM-cell diagram must be drawn (decoded, with a width) with its alt text.
- The runner executes a small notebook that imports TensorFlow, raises a Python warning,
  writes to stderr and starts a process whose TensorFlow logs a WARNING at start-up: no
  INFO line reaches the stored outputs, everything else does.

The runner test takes about 20 s (one kernel, two TensorFlow imports); each page opens
in a few seconds. The browser tests follow the skip/fail policy of test_browser_lab.py.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from course_kit import pages, runner, site
from course_kit.tflog import TF_LOG_ENV, drop_tf_info, quiet_tf_env
from test_browser_lab import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from test_browser_lab import pytestmark as needs_chromium

ROOT = Path(__file__).resolve().parents[1]
NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
TF_INFO = re.compile(r"^I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] ", re.M)
TF_WARNING = "TF_ENABLE_ONEDNN_OPTS is not set to either"
LOCAL = ("file:", "data:", "about:", "blob:")
# What a page would fetch from another host: a script, style sheet, image or frame, or a CSS url().
REMOTE_LOAD = re.compile(r"""<(?:script|link|img|iframe|source|audio|video)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.I)
REMOTE_CSS = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')\s]+)""", re.I)


def _lstm_equations() -> str:
    """The markdown cell of chapter 05 with the LSTM equations (display maths, aligned)."""
    nb = nbformat.read(ROOT / "notebooks" / "05_lstm.ipynb", as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "markdown" and r"\begin{aligned}" in c.source)


def _stderr(cell) -> str:
    return "".join(o["text"] for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr")


# --- the level filter on its own -------------------------------------------------------

I_LINE = "I0000 00:00:1795752212.795197   31758 port.cc:153] oneDNN custom operations are on.\n"
W_LINE = "W0000 00:00:1795752212.795100   31758 port.cc:148] TF_ENABLE_ONEDNN_OPTS is not set to either '0'\n"
E_LINE = "E0000 00:00:1795752233.233037   31946 op_kernel.cc:1857] OP_REQUIRES failed at matmul_op.cc:53 : INVALID_ARGUMENT\n"
# The two ERROR lines that report no error (course_kit.tflog._KNOWN_NOISE), as TensorFlow 2.21 prints them.
BOOL_LINE = ("E0000 00:00:1796043534.977821   11958 util.cc:131] oneDNN supports DT_BOOL only on platforms with "
             "AVX-512. Falling back to the default Eigen-based implementation if present.\n")
MAP_LINE = ("E0000 00:00:1796043351.657838   10134 node_def_util.cc:682] NodeDef mentions attribute "
            "use_unbounded_threadpool which is not in the op definition: Op<name=MapDataset; signature=input_dataset:"
            "variant, other_arguments: -> handle:variant>\n")
CPU_INFO = ("I0000 00:00:1795752210.924522   31758 cpu_feature_guard.cc:227] This TensorFlow binary is optimized.\n"
            "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the "
            "appropriate compiler flags.\n")


@pytest.mark.parametrize(("text", "want"), [
    (NOTICE + "\n" + I_LINE + I_LINE, ""),
    (NOTICE + "\n" + CPU_INFO, ""),
    (NOTICE + "\n" + W_LINE + I_LINE, NOTICE + "\n" + W_LINE),
    (E_LINE, E_LINE),
    (NOTICE + "\n" + I_LINE + "/x.py:3: UserWarning: careful\n  warnings.warn('careful')\n",
     "/x.py:3: UserWarning: careful\n  warnings.warn('careful')\n"),
    (I_LINE + "my own stderr line\n", "my own stderr line\n"),
    (NOTICE + "\n" + I_LINE + NOTICE + "\n" + E_LINE, NOTICE + "\n" + E_LINE),
    (BOOL_LINE + MAP_LINE, ""),
    (NOTICE + "\n" + I_LINE + BOOL_LINE, ""),
    (BOOL_LINE + E_LINE + MAP_LINE, E_LINE),
    # the same words from another file, at another level, or with another ending are kept
    (BOOL_LINE.replace(" util.cc:", " other_util.cc:"), BOOL_LINE.replace(" util.cc:", " other_util.cc:")),
    (BOOL_LINE.replace("E0000", "F0000"), BOOL_LINE.replace("E0000", "F0000")),
    (MAP_LINE.replace("use_unbounded_threadpool", "another_attribute"),
     MAP_LINE.replace("use_unbounded_threadpool", "another_attribute")),
])
def test_drop_tf_info_keeps_everything_but_info_and_known_noise(text: str, want: str) -> None:
    assert drop_tf_info(text) == want


@pytest.mark.parametrize("folder", ["notebooks", "notebooks/student", "notebooks/deep_dives", "notebooks/student/deep_dives"])
def test_stored_pages_hold_no_tf_info_or_known_noise(folder: str) -> None:
    """What `make store` writes has been through the filter: a notebook stored some other
    way (or before a line joined the known noise) shows here."""
    noisy = [f"{path.name} cell {i}" for path in sorted((ROOT / folder).glob("*.ipynb"))
             for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if cell.cell_type == "code" and drop_tf_info(text := _stderr(cell)) != text]
    assert not noisy, f"TensorFlow INFO or known-noise lines in stored outputs (store with `make store`): {noisy}"


def test_quiet_tf_env_does_not_override_a_choice() -> None:
    assert quiet_tf_env({}) == TF_LOG_ENV
    assert quiet_tf_env({"TF_CPP_MIN_LOG_LEVEL": "0"}) == {"TF_CPP_MIN_LOG_LEVEL": "0"}


# --- a notebook through the runner -----------------------------------------------------

@pytest.fixture(scope="module")
def runner_page(tmp_path_factory: pytest.TempPathFactory):
    """Run a small notebook through the runner; return (out_dir, raw executed nb, stored nb)."""
    work = tmp_path_factory.mktemp("runner")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 05 · The LSTM equations, offline\n\n" + _lstm_equations()),
        nbformat.v4.new_code_cell(
            "import sys\nimport warnings\n\nimport tensorflow as tf\n\n"
            'print("tensorflow", tf.__version__)\n'
            'warnings.warn("a deliberate warning from the test notebook")\n'
            'print("a deliberate stderr line", file=sys.stderr)'
        ),
        nbformat.v4.new_code_cell(
            "# A real TensorFlow WARNING, logged at start-up like the oneDNN notice: it must still show.\n"
            "import os, subprocess\n\n"
            'subprocess.run([sys.executable, "-c", "import tensorflow"], check=True,\n'
            '               env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": "maybe"})'
        ),
    ]
    source = work / "notebooks" / "05_offline.ipynb"
    source.parent.mkdir()
    nbformat.write(nb, source)

    raw = {}
    real_quiet = runner.quiet_notebook

    def keep_raw(executed):
        raw["nb"] = copy.deepcopy(executed)
        return real_quiet(executed)

    mp = pytest.MonkeyPatch()
    mp.setattr(runner, "quiet_notebook", keep_raw)
    mp.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # the runner must set it by itself
    # ipykernel does not capture the kernel's file descriptors (where TensorFlow's C++ logs
    # go) when it sees this variable; without it the kernel behaves as under `make course`.
    mp.delenv("PYTEST_CURRENT_TEST", raising=False)
    # what the runner's console gets: its file descriptor 2 (where a kernel's own stderr would go)
    # and its sys.stderr (where the runner prints what it keeps of it)
    saved_fd, python_err = os.dup(2), io.StringIO()
    with tempfile.TemporaryFile() as fd_err:
        os.dup2(fd_err.fileno(), 2)
        try:
            with contextlib.redirect_stderr(python_err):
                row = runner.run_notebook(source, work / "build")
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            mp.undo()
        fd_err.seek(0)
        console = fd_err.read().decode("utf-8", "replace") + python_err.getvalue()
    assert row["ok"], row["error"]
    return work / "build", raw["nb"], nbformat.read(work / "build" / source.name, as_version=4), console


def test_runner_keeps_warnings_but_not_tf_info_lines(runner_page) -> None:
    out_dir, raw, stored, _ = runner_page
    first_raw, first, second = _stderr(raw.cells[1]), _stderr(stored.cells[1]), _stderr(stored.cells[2])
    # TF_CPP_MIN_LOG_LEVEL=1 reached the kernel: TensorFlow itself dropped the CPU-feature notice.
    assert "cpu_feature_guard" not in first_raw
    # What is left of TensorFlow's INFO lines (the oneDNN notice) is filtered out of the outputs ...
    assert not TF_INFO.search(first) and NOTICE not in first, first
    assert not TF_INFO.search(second), second
    # ... and nothing else: the notebook's own stderr and TensorFlow's WARNING still show.
    assert "UserWarning: a deliberate warning from the test notebook" in first
    assert "a deliberate stderr line" in first
    assert TF_WARNING in second and NOTICE in second, second
    html = (out_dir / "05_offline.html").read_text(encoding="utf-8")
    assert "oneDNN custom operations are on" not in html and TF_WARNING in html


def test_runner_console_gets_no_tf_info_or_kernel_notices(runner_page) -> None:
    """A kernel's own stderr (TensorFlow's C++ start-up lines, jupyter's notice about TCP) goes
    through runner.kernel_console before the console; without it, `make course` printed a few
    such lines for every notebook."""
    console = runner_page[3]
    assert not TF_INFO.search(console), console
    assert "Kernel is running over TCP without encryption" not in console, console
    kept = "E0000 00:00:1.5 12 solver.cc:7] a real error\n"
    noisy = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All communication ...\n"
             f"{NOTICE}\nI0000 00:00:1.5 12 port.cc:153] oneDNN custom operations are on.\n")
    assert runner.kernel_console(noisy) == ""
    assert runner.kernel_console(noisy + kept) == f"{NOTICE}\n{kept}"


def test_pages_reference_only_local_files(runner_page, tmp_path: Path) -> None:
    out_dir, _, _, _ = runner_page
    _copy_chapter_05(tmp_path)
    site.build_site(tmp_path / "notebooks", tmp_path / "site")
    for page in (out_dir / "05_offline.html", tmp_path / "site" / "05_lstm.html"):
        html = page.read_text(encoding="utf-8")
        loads = REMOTE_LOAD.findall(html) + REMOTE_CSS.findall(html)
        assert not loads, f"{page.name} loads {loads}"
        assert f'src="{pages.MATHJAX_URL}"' in html
        assert (page.parent / "mathjax" / "MathJax.js").is_file()
    size = sum(p.stat().st_size for p in (tmp_path / "site" / "mathjax").rglob("*") if p.is_file())
    assert size < 4_000_000, f"the copied MathJax is {size / 1e6:.1f} MB"


def _copy_chapter_05(tmp_path: Path) -> None:
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "05_lstm.ipynb", tmp_path / "notebooks" / "05_lstm.ipynb")


# --- in a browser, offline -------------------------------------------------------------

def _open_offline(page_path: Path, screenshot: str) -> dict:
    """Open ``page_path`` in headless Chromium with the network cut; return what it saw."""
    from playwright.sync_api import sync_playwright

    remote, failed = [], []
    with sync_playwright() as p:
        # Every host name resolves to nothing, and the route below aborts anything not local.
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})

        def cut(route):
            remote.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!file:|data:|about:|blob:)"), cut)
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else remote.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith("file:") else None)
        page.goto(page_path.as_uri())
        page.wait_for_function(
            "() => window.MathJax && MathJax.isReady && MathJax.Hub.queue.pending === 0"
            " && !MathJax.Hub.queue.running && document.querySelector('.MathJax_Display')",
            timeout=60_000, polling=200,
        )
        page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=30_000)
        seen = page.evaluate(
            """() => ({
                images: [...document.images].map(i => ({alt: i.alt, width: i.naturalWidth, height: i.naturalHeight,
                                                         shown: i.getBoundingClientRect().width})),
                text: document.body.innerText,
                display: document.querySelectorAll('.MathJax_Display').length,
                inline: document.querySelectorAll('.MathJax').length,
                errors: document.querySelectorAll('.MathJax_Error, merror, .merror').length,
                font: MathJax.OutputJax['HTML-CSS'] && MathJax.OutputJax['HTML-CSS'].fontInUse,
                fontWarning: !!document.getElementById('MathJax_Font_Warning'),
            })"""
        )
        page.locator(".MathJax_Display").first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / screenshot))
        browser.close()
    seen.update(remote=remote, failed=failed)
    return seen


def _assert_typeset_offline(seen: dict, name: str) -> None:
    assert not seen["remote"], f"{name} asked the network for {seen['remote']}"
    assert not seen["failed"], f"{name} could not load {seen['failed']}"
    assert seen["display"] >= 2 and seen["inline"] >= 10, f"{name}: maths not typeset ({seen})"
    assert seen["errors"] == 0, f"{name}: MathJax reported errors"
    assert seen["font"] == "STIX-Web" and not seen["fontWarning"], f"{name}: web fonts not used ({seen['font']})"
    assert "$$" not in seen["text"] and r"\begin{aligned}" not in seen["text"], f"{name} shows raw LaTeX"


@needs_chromium
def test_runner_page_typesets_maths_offline(runner_page) -> None:
    out_dir, _, _, _ = runner_page
    _assert_typeset_offline(_open_offline(out_dir / "05_offline.html", "offline_runner_page.png"), "runner page")


@needs_chromium
def test_site_page_typesets_maths_offline(tmp_path: Path) -> None:
    _copy_chapter_05(tmp_path)
    site.build_site(tmp_path / "notebooks", tmp_path / "site")
    seen = _open_offline(tmp_path / "site" / "05_lstm.html", "offline_site_page.png")
    _assert_typeset_offline(seen, "site page")
    # The stored outputs of chapter 05 hold TensorFlow's start-up INFO lines; the site leaves them out.
    assert "oneDNN custom operations are on" not in seen["text"] and NOTICE not in seen["text"]


@needs_chromium
def test_site_page_shows_its_diagram_offline(tmp_path: Path) -> None:
    """The LSTM cell of chapter 05 (a course_utils.diagrams PNG stored in the notebook) is drawn
    in the site page with the network cut, and carries its alt text."""
    from test_site import diagram_alts

    _copy_chapter_05(tmp_path)
    want = diagram_alts(tmp_path / "notebooks" / "05_lstm.ipynb")
    assert want, "chapter 05 stores no course diagram"
    site.build_site(tmp_path / "notebooks", tmp_path / "site")
    seen = _open_offline(tmp_path / "site" / "05_lstm.html", "offline_site_diagram.png")
    assert not seen["remote"] and not seen["failed"], (seen["remote"], seen["failed"])
    drawn = {img["alt"]: img for img in seen["images"] if img["alt"] in want}
    assert set(drawn) == set(want), f"diagrams missing from the page: {set(want) - set(drawn)}"
    for alt, img in drawn.items():
        assert img["width"] > 0 and img["height"] > 0 and img["shown"] > 0, f"not drawn: {alt[:60]} ({img})"
