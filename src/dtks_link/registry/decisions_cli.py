"""The command line of reviewers' decisions (``dtks-link registry decide | decisions | review``).

::

    dtks-link registry decide FILE SRC:ID SRC:ID --same|--different --by NAME --reason TEXT
    dtks-link registry decisions FILE [--history]          # the decisions, identifiers masked
    dtks-link registry decisions import FILE review.xlsx --by NAME
    dtks-link registry review FILE review.xlsx [--lower 0.2 --upper 0.95 --limit 500]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import mask_numbers
from .decisions import DecisionError, DecisionReport

__all__ = ["add_decisions_commands", "run_decisions_command"]


def add_decisions_commands(registry_commands: Any) -> None:
    """Add ``decide``, ``decisions`` and ``review`` to the ``registry`` sub-commands."""
    r = registry_commands.add_parser(
        "decide", help="record a reviewer's decision: two records are the same person, or two people"
    )
    r.add_argument("file", type=Path)
    r.add_argument("left", metavar="SRC:ID", help="a record: its source and record id")
    r.add_argument("right", metavar="SRC:ID")
    verdict = r.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--same", dest="same", action="store_true", help="one resident")
    verdict.add_argument("--different", dest="same", action="store_false", help="two residents")
    r.add_argument("--by", required=True, help="who decided")
    r.add_argument("--reason", required=True, help="why (what was checked)")
    r.add_argument("--document", default=None, help="a reference to the document that proves it")
    r = registry_commands.add_parser(
        "decisions",
        help="list the decisions (identifiers masked), or `decisions import FILE REVIEW --by NAME`",
        usage="dtks-link registry decisions FILE [--history]\n"
        "       dtks-link registry decisions import FILE REVIEW --by NAME [--reason TEXT]",
    )
    r.add_argument("words", nargs="+", metavar="FILE | import FILE REVIEW")
    r.add_argument("--history", action="store_true", help="also the decisions overridden since")
    r.add_argument("--by", default=None, help="(import) who reviewed the file")
    r.add_argument("--reason", default=None, help="(import) the reason of rows without a note")
    r = registry_commands.add_parser(
        "review", help="write the clerical review queue (.xlsx or .csv): undecided pairs, most telling first"
    )
    r.add_argument("file", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--lower", type=float, default=0.2)
    r.add_argument("--upper", type=float, default=0.95)
    r.add_argument("--limit", type=int, default=500)
    r.add_argument(
        "--order",
        choices=("impact", "uncertainty"),
        default="impact",
        help="impact: pairs whose decision would move the most records first (default); "
        "uncertainty: the most uncertain first",
    )


def _record(text: str) -> tuple[str, str]:
    source, sep, record_id = text.partition(":")
    if not sep or not source or not record_id:
        raise DecisionError(f"a record is written SOURCE:RECORD_ID, got {mask_numbers(text)!r}")
    return source, record_id


def _print_report(report: DecisionReport) -> None:
    for decision in report.decisions:
        print(f"recorded {decision.describe()}")
    print(report.summary())


def run_decisions_command(args: argparse.Namespace) -> int:
    """Run ``registry decide``, ``registry decisions`` or ``registry review``."""
    from .registry import Registry

    if args.registry_command == "decide":
        with Registry(args.file) as registry:
            report = registry.decide(
                _record(args.left),
                _record(args.right),
                args.same,
                by=args.by,
                reason=args.reason,
                document=args.document,
            )
        _print_report(report)
        return 0
    if args.registry_command == "review":
        from ..review import export_review

        with Registry(args.file, read_only=True) as registry:
            queue = registry.review_queue(
                lower=args.lower, upper=args.upper, limit=args.limit, order=args.order
            )
        path = export_review(queue, args.out)
        print(f"{len(queue)} pair(s) to review in {path}: fill is_match (ya/tidak) and note, then run "
              f"dtks-link registry decisions import {args.file} {path} --by NAME")  # fmt: skip
        return 0
    words = list(args.words)
    if words[0] == "import":
        if len(words) != 3:
            raise DecisionError("usage: dtks-link registry decisions import FILE REVIEW --by NAME")
        if not args.by:
            raise DecisionError("importing a review file needs --by NAME (who reviewed it)")
        with Registry(words[1]) as registry:
            report = registry.import_decisions(words[2], by=args.by, reason=args.reason)
        _print_report(report)
        return 0
    if len(words) != 1:
        raise DecisionError("usage: dtks-link registry decisions FILE [--history]")
    with Registry(words[0], read_only=True) as registry:
        decisions = registry.decisions(history=args.history)
        conflicts = registry.decision_conflicts()
    for decision in decisions:
        line = decision.describe()
        if decision.document:
            line += mask_numbers(f" [document: {decision.document}]")
        if args.history and not decision.in_force:
            line += " (overridden)"
        print(line)
    print(f"{len(decisions)} decision(s){' in the history' if args.history else ' in force'}")
    for conflict in conflicts:
        print(f"CONFLICT: {conflict.describe()}")
    return 0
