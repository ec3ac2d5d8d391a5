"""Export the notebooks as reveal.js decks or HTML pages that open with no network.

nbconvert's templates load reveal.js, require.js, jQuery, MathJax 2.7 and the ipywidgets embed
script from CDNs: in a lecture hall without network a deck shows unstyled text and raw LaTeX.
This script points every one of those URLs at local copies in ``vendor/`` next to the pages,
so the output folder is self-contained (copy it to a USB stick and open it from there).

The local copies are npm packages: the versions nbconvert's templates ask for (reveal.js
4.0.2, require.js 2.1.10, MathJax 2.7.7; jQuery 2.2.4, the last 2.x, since 2.0.3 is not on
npm), the ipywidgets 8 embed script (@jupyter-widgets/html-manager 1.0.x, which draws the
steppers as they were saved) and Font Awesome 4.4.0 (the icons of matplotlib's animation
player).  npm is the one registry that ships all of them, unchanged, as the CDNs serve them
(PyPI's jupyter-server-mathjax and Debian's libjs-mathjax carry MathJax alone).  They are
installed once into build/vendor-cache (``npm install``; again when the list below changes)
and the files a page loads are copied (hard-linked when possible) from there.

Every page and deck also carries tools/export_a11y.css after nbconvert's light theme: code,
prompt and text colours at >= 4.5:1 (WCAG 2.1 AA), where the theme's are not.  The browser
tests check them with axe-core, from npm too (``TEST_PACKAGES``, installed into
build/test-vendor-cache and copied into no page).

A stepper or an explorer shows its saved figure in a page or deck, and with no kernel its
buttons would do nothing: in their place each one says that it is a still image and how to
get the live one (``STILL``; only in the exports, never in the notebooks).

    python tools/offline_export.py slides build/slides notebooks/*.ipynb
    python tools/offline_export.py html build/html notebooks/*.ipynb
"""
import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "vendor-cache"
PACKAGES = {"reveal.js": "4.0.2", "requirejs": "2.1.10", "jquery": "2.2.4", "mathjax": "2.7.7",
            "@jupyter-widgets/html-manager": "1.0.15", "font-awesome": "4.4.0"}
# What the tests use on the pages, never copied into them: axe-core, the accessibility checker
# of tests/browser/test_accessibility.py (``axe_script()``).
TEST_PACKAGES = {"axe-core": "4.14.1"}
TEST_CACHE = ROOT / "build" / "test-vendor-cache"
# What the pages load, as (folder in node_modules, files or folders in it, glob patterns).
# MathJax: the TeX input, the CommonHTML output and its TeX web fonts (the ones the
# TeX-AMS_CHTML-full configuration uses); the other output processors and fonts stay out.
ASSETS = [
    ("reveal.js", ["dist", "plugin/notes"]),
    ("requirejs", ["require.js"]),
    ("jquery", ["dist/jquery.min.js"]),
    ("mathjax", ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                 "jax/input/TeX", "jax/element", "jax/output/CommonHTML",
                 "fonts/HTML-CSS/TeX/woff", "localization/en"]),
    ("@jupyter-widgets/html-manager", ["dist/embed-amd.js", "dist/*.woff2", "dist/*.woff",
                                       "dist/*.ttf", "dist/*.eot", "dist/*.svg"]),
    ("font-awesome", ["css/font-awesome.min.css", "fonts"]),
]
# The exporters' URL options, pointing at vendor/ (relative to the page).
URLS = {
    "reveal_url_prefix": "vendor/reveal.js",
    "require_js_url": "vendor/requirejs/require.js",
    "jquery_url": "vendor/jquery/dist/jquery.min.js",
    "mathjax_url": "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
    "widget_renderer_url": "vendor/@jupyter-widgets/html-manager/dist/embed-amd.js",
}
# URLs inside the notebooks' outputs: matplotlib's JS-HTML animation player links the
# Font Awesome icons of its buttons.
OUTPUT_URLS = {"https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css":
               "vendor/font-awesome/css/font-awesome.min.css"}
# reveal.js's white theme: its fonts ship with reveal.js (nbconvert's default, "simple", loads
# its fonts from Google).
THEME = "white"
# Accessible colours (WCAG 2.1 AA) over nbconvert's light theme, in every page and deck.
STYLE = ROOT / "tools" / "export_a11y.css"
# The templates, as nbconvert's own (lab for pages, reveal for decks) with the style sheet
# last in <head>.  The reveal template imports mermaid.js from a CDN on every page; the
# notebooks draw no mermaid diagrams, so the offline deck leaves that import out.
TEMPLATE = ("{%- extends 'index.html.j2' -%}\n"
            "{%- block html_head_css -%}{{ super() }}\n<style type=\"text/css\">\n{% raw %}"
            "__STYLE__{% endraw %}\n</style>\n{%- endblock html_head_css -%}\n")
# MathJax pauses 50 ms between the sections of each pass (MathJax.Hub.processSectionDelay), and
# the widget embed script has it typeset every widget's label, one pass each: the math settled
# 3 s late.  Once the page is typeset, those passes run without the pause, which then comes
# back for what follows (reveal.js renders a slide's math again as it is shown: without the
# pause some formulas broke into more lines, and a slide of 06 grew from 671 to 703 px).  Every
# formula is laid out as before (their heights compared on 5 pages, the slides' on 06's deck).
NO_MATH_PAUSE = ("{%- block html_head_js_mathjax -%}{{ super() }}\n<script>\n"
                 "MathJax.Hub.Register.StartupHook('End', () => {\n"
                 "  const pause = MathJax.Hub.processSectionDelay;\n"
                 "  MathJax.Hub.processSectionDelay = 0;\n"
                 "  MathJax.Hub.Queue(() => { MathJax.Hub.processSectionDelay = pause; });\n"
                 "});\n</script>\n{%- endblock html_head_js_mathjax -%}\n")
NO_MERMAID = "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
# Cells left out of both exports: the check cells, which assert what the prose says of the
# numbers beside them (for nbval; tools/make_student.py leaves them out of the student copy too).
REMOVED_TAGS = {"check"}
# The notice at each stepper and explorer of emlab.widgets (their outermost box has the class
# emlab-widget; an explorer's also emlab-explorer): put just before the widget, in place of
# the stepper's row of buttons, which do nothing without a kernel (tools/export_a11y.css hides
# the row, so a slide is no taller than with the buttons).  For the reader, not a developer.
STILL = ('<p class="emlab-still" role="note"><strong>Still image.</strong> {what}, open this '
         "notebook in JupyterLab (<code>make lab</code>) and run it.</p>")
STILL_WHAT = {"stepper": "To step through EM", "explorer": "To try other settings and step through EM"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# A <script> element of a given type, as nbconvert writes it, and its content.
SCRIPT = '<script type="{type}">(.*?)</script>'


def install_vendor(packages=PACKAGES, cache=CACHE):
    """The npm ``packages`` in ``cache`` (build/vendor-cache; installed unless the same list
    already is; one process at a time); returns their node_modules folder."""
    stamp, wanted = cache / "installed.json", json.dumps(packages, sort_keys=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache.parent / f"{cache.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.exists() and stamp.read_text() == wanted):
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(f"npm not found: {', '.join(packages)} come from npm "
                                   "(apt-get install npm)")
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir(parents=True)
            subprocess.run([npm, "install", "--prefix", str(cache), "--no-save", "--no-package-lock",
                            "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
                            *(f"{name}@{version}" for name, version in packages.items())],
                           check=True)
            stamp.write_text(wanted)
    return cache / "node_modules"


def axe_script():
    """The path of axe-core's ``axe.min.js`` (TEST_PACKAGES, installed on first use)."""
    return install_vendor(TEST_PACKAGES, TEST_CACHE) / "axe-core" / "axe.min.js"


def template(to):
    """The template of the export ``to`` ("slides", "html"): nbconvert's, with the
    accessible style sheet, MathJax's widget labels typeset without pauses, and for a deck no
    mermaid.js."""
    text = TEMPLATE.replace("__STYLE__", STYLE.read_text(encoding="utf-8"))
    return text + NO_MATH_PAUSE + (NO_MERMAID if to == "slides" else "")


def link_or_copy(source, target):
    """Hard link (instant, same disk) or else copy one file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_assets(output_dir):
    """Copy the files the pages load into ``output_dir``/vendor (``vendor/<package>/...``)."""
    modules = install_vendor()
    vendor = Path(output_dir) / "vendor"
    for package, paths in ASSETS:
        for pattern in paths:
            for source in sorted((modules / package).glob(pattern)):
                files = sorted(source.rglob("*")) if source.is_dir() else [source]
                for file in (f for f in files if f.is_file()):
                    link_or_copy(file, vendor / package / file.relative_to(modules / package))


def add_still_notices(body):
    """``body`` (a page or deck) with the notice STILL before each stepper and explorer: the
    widget views whose model, in the widget state saved in the page, has the class
    emlab-widget.  Only those places change: the rest of the page is kept as nbconvert wrote it
    (and is not parsed, which would cost more than the export itself)."""
    saved = re.search(SCRIPT.format(type=re.escape(WIDGET_STATE)), body, re.DOTALL)
    models = json.loads(saved.group(1))["state"] if saved else {}

    def with_notice(view):
        model = models.get(json.loads(view.group(1))["model_id"], {})
        classes = model.get("state", {}).get("_dom_classes", [])
        if "emlab-widget" not in classes:
            return view.group(0)
        what = STILL_WHAT["explorer" if "emlab-explorer" in classes else "stepper"]
        return STILL.format(what=what) + view.group(0)
    return re.sub(SCRIPT.format(type=re.escape(WIDGET_VIEW)), with_notice, body, flags=re.DOTALL)


def export(to, output_dir, notebooks):
    """Write each notebook as ``<name>.slides.html`` (to="slides") or ``<name>.html``
    (to="html") into ``output_dir``, loading everything from ``vendor/``, without the cells
    tagged ``check``, with the notice STILL at each stepper and explorer.  Returns the paths.
    The assets themselves are copied by copy_assets."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter, SlidesExporter
    from traitlets.config import Config

    exporter_class = {"slides": SlidesExporter, "html": HTMLExporter}[to]
    options = {k: v for k, v in URLS.items() if k in exporter_class.class_trait_names()}
    options.update(template_file="offline.html.j2")
    if to == "slides":
        # no "In [n]" / "Out [n]" column: code, outputs and figures get its width, so that a
        # line of 80 characters and a figure 960 px wide fit the 960 px canvas unscaled
        # (DECK_CODE in export_a11y.css)
        options.update(reveal_theme=THEME, exclude_input_prompt=True, exclude_output_prompt=True)
    config = Config({exporter_class.__name__: options,
                     "TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": set(REMOVED_TAGS)}})
    exporter = exporter_class(config=config, extra_loaders=[DictLoader({"offline.html.j2": template(to)})])
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in map(Path, notebooks):
        body, _resources = exporter.from_filename(str(notebook))
        body = add_still_notices(body)
        for cdn, local in OUTPUT_URLS.items():
            body = body.replace(cdn, local)
        path = output_dir / (notebook.stem + (".slides.html" if to == "slides" else ".html"))
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("to", choices=["slides", "html"])
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    written = export(args.to, args.output_dir, args.notebooks)
    copy_assets(args.output_dir)
    print(f"{len(written)} {args.to} pages and their vendor/ folder in {args.output_dir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
