"""No dead links: every link in README.md and in the notebooks' markdown cells either points
to a file of this repository (checked here, offline) or to a stable outside reference, from
the allow-list below (not fetched: CI has no network).  Links inside code (`...`, fenced
blocks) are text, not links, and are left alone; that is how the README writes templates such
as its Binder address with OWNER/REPO."""
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
# Stable outside references: DOIs and arXiv, the publishers' and authors' pages of the books
# the series cites, and the documentation of the libraries it uses.
ALLOWED_HOSTS = {
    "doi.org", "dx.doi.org", "arxiv.org",
    "www.microsoft.com",          # Bishop's PRML book page
    "scikit-learn.org", "numpy.org", "docs.scipy.org", "matplotlib.org", "pandas.pydata.org",
    "ipywidgets.readthedocs.io", "jupyterlab.readthedocs.io", "docs.jupyter.org",
    "docs.python.org", "pypi.org",
}

FENCED = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
LINK = re.compile(
    r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)"   # [text](url "title"), images
    r"|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"                          # [id]: url
    r"|<(https?://[^>\s]+)>"                                           # <https://...>
    r"|\b(?:href|src)\s*=\s*[\"']([^\"']+)[\"']"                      # HTML
    r"|(?<![(<\"'=\w])(https?://[^\s)>\]\"']+)",                       # bare address
    re.M)


def links(markdown):
    """The link targets of a markdown text, code left out."""
    text = INLINE_CODE.sub("", FENCED.sub("", markdown))
    return [next(g for g in match.groups() if g) for match in LINK.finditer(text)]


def sources():
    """(where, folder links are relative to, markdown) for README.md and each notebook's
    markdown cells."""
    yield "README.md", ROOT, (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] == "markdown":
                yield f"{path.name} cell {i}", path.parent, "".join(cell["source"])


ALL_LINKS = [(where, folder, target) for where, folder, text in sources() for target in links(text)]


def test_the_parser_finds_every_kind_of_link():
    text = ("[a](b.md) ![i](docs/x.png \"t\") <https://doi.org/1> see https://arxiv.org/abs/1 "
            "<a href=\"c.html\">c</a>\n[id]: d.csv\n`[no](e.md)`\n```\n[no](f.md)\n```\n")
    assert links(text) == ["b.md", "docs/x.png", "https://doi.org/1", "https://arxiv.org/abs/1",
                           "c.html", "d.csv"]


def test_the_readme_links_its_notebooks():
    targets = {target for where, _, target in ALL_LINKS if where == "README.md"}
    assert {f"notebooks/{path.name}" for path in NOTEBOOKS} <= targets


@pytest.mark.parametrize("where, folder, target", ALL_LINKS,
                         ids=[f"{where}: {target}" for where, _, target in ALL_LINKS])
def test_link_resolves(where, folder, target):
    parts = urlsplit(target)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        assert any(host == allowed or host.endswith("." + allowed) for allowed in ALLOWED_HOSTS), (
            f"{where}: {target} is not on the allow-list of stable references (tests/test_links.py)")
    elif parts.scheme == "attachment" or (not parts.scheme and not parts.path):
        pass                               # a notebook attachment, or an anchor in the same page
    else:
        assert not parts.scheme and not parts.netloc, f"{where}: {target}: unknown kind of link"
        path = (folder / unquote(parts.path)).resolve()
        assert path.is_relative_to(ROOT), f"{where}: {target} points outside the repository"
        assert path.exists(), f"{where}: {target} does not exist (as {path.relative_to(ROOT)})"
