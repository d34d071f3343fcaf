"""MkDocs hooks of the documentation site (``mkdocs.yml``: ``hooks:``).

- Before the build, the notebooks whose executed copy is out of date are run
  (``tools/notebooks.py``), so every notebook page shows its tables and charts.
- A page may take a section of the README instead of a copy of it: a line
  ``<!-- readme: Section title -->`` is replaced by that ``##`` section (with its
  subsections, each heading one level up), and ``<!-- include: path/in/repo.md -->`` by a
  whole file (each heading one level down, under the page's title). The README stays the
  one place those texts are written.
- Links in included text to repository files that are pages of the site are rewritten
  (:data:`LINKS`); any other broken link fails the strict build.
- A README link to a section (``](#households-...)``) that another page holds is pointed at
  that page (``](registry.md#households-...)``): the README is one page, the site is several.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import notebooks  # noqa: E402  (tools/notebooks.py, next to this file)

#: Repository paths that README sections link to, and the page that holds them.
LINKS = {
    "src/dtks_link/synth/ERROR_MODEL.md": "synthetic.md#the-synthetic-depok-error-model",
}

_DIRECTIVE = re.compile(r"^<!-- (readme|include): (.+?) -->\s*$", re.M)
_HEADING = re.compile(r"^(#{1,6}) ")
_FENCE = re.compile(r"^\s*(```|~~~)")


def readme_section(title: str, readme: Path = ROOT / "README.md") -> str:
    """The README's ``## title`` section (without its heading), headings one level up."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    start = None
    in_code = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_code = not in_code
        if not in_code and line.strip() == f"## {title}":
            start = index + 1
            break
    if start is None:
        headings = [line[3:] for line in lines if line.startswith("## ")]
        raise ValueError(f"README.md has no section '## {title}'; its sections are {headings}")
    body: list[str] = []
    in_code = False
    for line in lines[start:]:
        if _FENCE.match(line):
            in_code = not in_code
        heading = None if in_code else _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            break
        body.append(line[1:] if heading else line)
    return "\n".join(body).strip() + "\n"


def _shift_down(markdown: str) -> str:
    out, in_code = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        out.append("#" + line if not in_code and _HEADING.match(line) else line)
    return "\n".join(out) + "\n"


def _rewrite_links(markdown: str) -> str:
    for target, page in LINKS.items():
        markdown = markdown.replace(f"]({target})", f"]({page})")
    return markdown


def _slug(title: str) -> str:
    """The anchor Python-Markdown's ``toc`` gives a heading."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


@cache
def _anchor_pages(docs: Path = ROOT / "docs") -> dict[str, str]:
    """Every heading anchor of an included README section, and the page that shows it."""
    pages: dict[str, str] = {}
    for page in sorted(docs.glob("*.md")):
        for kind, title in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            if kind != "readme":
                continue
            pages.setdefault(_slug(title.strip()), page.name)
            in_code = False
            for line in readme_section(title.strip()).splitlines():
                if _FENCE.match(line):
                    in_code = not in_code
                heading = None if in_code else _HEADING.match(line)
                if heading:
                    pages.setdefault(_slug(line[len(heading.group(0)) :]), page.name)
    return pages


def _point_anchors(markdown: str, page_name: str) -> str:
    pages = _anchor_pages()
    own = {anchor for anchor, name in pages.items() if name == page_name}

    def point(match: re.Match[str]) -> str:
        anchor = match.group(1)
        if anchor in own or anchor not in pages:
            return match.group(0)
        return f"]({pages[anchor]}#{anchor})"

    return re.sub(r"\]\(#([\w-]+)\)", point, markdown)


def on_pre_build(config: Any, **_: Any) -> None:
    notebooks.execute_stale()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **_: Any) -> str:
    def expand(match: re.Match[str]) -> str:
        kind, argument = match.group(1), match.group(2).strip()
        if kind == "readme":
            return _rewrite_links(readme_section(argument))
        return _rewrite_links(_shift_down((ROOT / argument).read_text(encoding="utf-8")))

    return _point_anchors(_DIRECTIVE.sub(expand, markdown), Path(page.file.src_path).name)
