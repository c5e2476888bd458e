"""HTML pages that work offline: the exporter behind ``build/*.html`` and ``build/site/``.

nbconvert's HTML template loads MathJax, require.js, Mermaid and the widget manager
from CDNs, so a page opened without a network shows raw LaTeX. :func:`html_exporter`
renders with the course's ``offline`` template (``course_kit/templates/offline``:
nbconvert's lab template without require.js, widgets and Mermaid, which no chapter
uses) and points MathJax at a relative folder, ``mathjax/``, that :func:`copy_mathjax`
fills next to the pages from the PyPI package ``jupyter-server-mathjax`` (MathJax 2.7,
the version nbconvert's template is written for): only the TeX input, the HTML-CSS
output and its STIX web fonts, about 2.7 MB in 186 files. Every page then loads files only from its
own folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"
MATHJAX_DIR = "mathjax"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
MATHJAX_URL = f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}"

# What the pages need from MathJax 2.7 (paths relative to its root). MathJax loads the
# TeX extensions, the HTML-CSS font data and the web fonts on demand, so those folders
# are copied whole; localisation, the accessibility extensions (3.6 MB), the SVG
# output (2.7 MB) and MathML extensions are left out.
MATHJAX_FILES = (
    "LICENSE",
    "MathJax.js",
    "config/TeX-AMS-MML_HTMLorMML-full.js",
    "config/Safe.js",
    "extensions/*.js",
    "extensions/TeX/**/*",
    "extensions/HTML-CSS/**/*",
    "jax/input/TeX/**/*",
    "jax/element/mml/**/*",
    "jax/output/HTML-CSS/**/*",
    "fonts/HTML-CSS/STIX-Web/woff/*",
)


def mathjax_source() -> Path:
    """The MathJax 2.7 folder installed by ``jupyter-server-mathjax``."""
    try:
        import jupyter_server_mathjax
    except ImportError as exc:  # pragma: no cover - the package is pinned in requirements.txt
        raise ImportError(
            "The offline pages need MathJax from the PyPI package jupyter-server-mathjax; "
            "run `make setup` (or pip install -r requirements.txt)"
        ) from exc
    return Path(jupyter_server_mathjax.__file__).resolve().parent / "static"


def mathjax_files(source: Path | None = None) -> list[Path]:
    """The files :func:`copy_mathjax` copies, relative to the MathJax root."""
    source = source or mathjax_source()
    found = {p for pattern in MATHJAX_FILES for p in source.glob(pattern) if p.is_file()}
    missing = [pattern for pattern in MATHJAX_FILES if "*" not in pattern and not (source / pattern).is_file()]
    if missing:
        raise FileNotFoundError(f"{source} lacks {', '.join(missing)}: is jupyter-server-mathjax installed whole?")
    return sorted(p.relative_to(source) for p in found)


def copy_mathjax(out_dir: Path) -> Path:
    """Copy the MathJax files the pages need into ``out_dir/mathjax``; return that folder.

    Files already there with the same size are left alone, so calling it for every
    page costs little."""
    source = mathjax_source()
    target = Path(out_dir) / MATHJAX_DIR
    for rel in mathjax_files(source):
        src, dst = source / rel, target / rel
        if dst.is_file() and dst.stat().st_size == src.stat().st_size:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return target


def html_exporter(up: str = "") -> Any:
    """nbconvert's HTMLExporter with the course's offline template and a relative MathJax:
    ``mathjax/`` next to the page, or ``up + "mathjax/"`` for a page in a subfolder of the
    one that holds MathJax (``up="../"`` for the site's ``deep_dives/`` pages)."""
    from nbconvert import HTMLExporter

    if up and not (up.endswith("/") and set(up.strip("/").split("/")) == {".."}):
        raise ValueError(f"up climbs folders, e.g. '../' or '../../', got {up!r}")
    return HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)], template_name="offline", mathjax_url=up + MATHJAX_URL,
        require_js_url="",
    )


def write_page(nb: Any, target: Path, exporter: Any | None = None) -> Path:
    """Render ``nb`` to the HTML page ``target`` and put MathJax next to it."""
    exporter = exporter or html_exporter()
    body, _ = exporter.from_notebook_node(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    copy_mathjax(target.parent)
    return target
