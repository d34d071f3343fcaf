"""A griffe extension for the API reference: the docstrings are written with Sphinx roles
(``:func:`~dtks_link.link```) and reStructuredText literal blocks (``::``); this turns them
into Markdown (a code span with the short or full name, and a plain colon) before
mkdocstrings renders them."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|exc|obj|const):`(~?)([^`]+)`")
_LITERAL = re.compile(r"(\S)::(\s*\n)")


def _role(match: re.Match[str]) -> str:
    short, name = match.group(1), match.group(2)
    return f"`{name.rsplit('.', 1)[-1] if short else name}`"


class SphinxRolesToMarkdown(griffe.Extension):
    """Rewrite Sphinx roles and ``::`` of every docstring as Markdown."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _ROLE.sub(_role, obj.docstring.value)
            obj.docstring.value = _LITERAL.sub(r"\1:\2", text)
