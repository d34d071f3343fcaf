"""Splink, behind one module: every use of Splink's private API (and the Splink objects the
rest of dtks_link builds) is here, so a Splink upgrade is checked in one place.

Public Splink API is used wherever it exists; where it does not (the learned parameters of a
comparison level, the prior, the linker's settings), the attribute is read or written here
with a note saying why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from splink.blocking_rule_library import CustomRule

if TYPE_CHECKING:
    from ..blocking import BlockingRule
    from ..rules import Dialect

__all__ = ["blocking_rule"]


def blocking_rule(rule: BlockingRule, dialect: Dialect) -> Any:
    """A blocking rule for Splink, written in the engine's own dialect (so Splink translates
    nothing)."""
    return CustomRule(rule.sql_in(dialect), sql_dialect=dialect.name)
