"""``dtks-link households ...``: the double-aid report and one household, from a run.

``SOURCE`` is a linked output directory (what ``dtks-link link --out`` wrote: it reads the
household files there) or a TOML config (it links the sources first, writing nothing).
Identifiers are masked in everything printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DtksLinkError, mask_identifier
from .households.duplicates import double_aid, double_aid_report
from .households.resolve import HouseholdResult, SourceRole
from .households.stage import HOUSEHOLD_FILES

__all__ = ["add_households_parser", "load_households", "print_household", "registry_household"]


def load_households(source: Path) -> HouseholdResult:
    """The households of a linked output directory, or of a config linked now (no files written)."""
    if source.is_dir():
        missing = [name for name in HOUSEHOLD_FILES.values() if not (source / name).exists()]
        if missing:
            raise DtksLinkError(
                f"{str(source)!r} holds no households ({', '.join(missing)} missing): link the config with "
                "`dtks-link link CONFIG --out DIR` first, or pass the config itself"
            )
        frames = {attr: pd.read_parquet(source / name) for attr, name in HOUSEHOLD_FILES.items()}
        return HouseholdResult(
            members=frames["members"],
            records=frames["records"],
            links=frames["links"],
            golden=frames["golden"],
            programme_records=frames["programme_records"],
        )
    if source.suffix.lower() == ".toml" and source.exists():
        from .pipeline import link

        result = link(source, write=False)
        assert result.households is not None
        return result.households
    raise DtksLinkError(
        f"{str(source)!r} is neither a linked output directory nor a TOML config: pass the directory "
        "`dtks-link link CONFIG --out DIR` wrote, or the config"
    )


def _paying_sources(households: HouseholdResult) -> list[SourceRole]:
    frame = households.programme_records[["source", "programme"]].drop_duplicates("source")
    return [
        SourceRole(name=str(row.source), rank=0, programme=str(row.programme), pays_per_family=True)
        for row in frame.itertuples()
    ]


def _cmd_duplicates(args: argparse.Namespace) -> int:
    households = load_households(args.source)
    sources = _paying_sources(households)
    findings = double_aid(households.programme_records, sources)
    if args.json:
        print(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        print(double_aid_report(findings, sources=sources))
    return 0


def _show(value: object, column: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if column in ("current_kk", "former_kks"):
        return ",".join(mask_identifier(v) for v in str(value).split(","))
    return str(value)


def print_household(
    household_id: str, golden: dict[str, Any], members: pd.DataFrame, links: pd.DataFrame
) -> None:
    """Print a household's golden record, members and links (pecah KK, members living apart;
    KK numbers masked)."""
    print(f"household {household_id}")
    for column, value in golden.items():
        if column != "household_id":
            print(f"  {column:<18} {_show(value, str(column))}")
    print("members:")
    for m in members.itertuples():
        print(f"  {m.resident_id:<14} {_show(m.role, 'role'):<16} {m.placed_by:<12} sources {m.sources}")
    for link in links.itertuples():
        if link.kind == "lives_apart":
            print(
                f"lives apart: {link.other_household_id}, still on the KK of {link.household_id} "
                f"(KK {mask_identifier(link.via_kk)}, {link.members_moved} member(s) at another address)"
            )
        else:
            print(
                f"pecah KK: {link.other_household_id} split off {link.household_id} "
                f"(KK {mask_identifier(link.via_kk)}, {link.members_moved} member(s) moved)"
            )


def _cmd_show(args: argparse.Namespace) -> int:
    households = load_households(args.source)
    golden = households.golden[households.golden["household_id"] == args.household_id]
    if golden.empty:
        raise DtksLinkError(f"no household {args.household_id!r} in {str(args.source)!r}")
    hid = args.household_id
    links = households.links
    print_household(
        hid,
        {str(k): v for k, v in golden.iloc[0].items()},
        households.members[households.members["household_id"] == hid],
        links[(links["household_id"] == hid) | (links["other_household_id"] == hid)],
    )
    return 0


def registry_household(registry: Any, household_id: str | None, kk: str | None) -> int:
    """``dtks-link registry household FILE ID`` (or ``--kk KK``): a household from the registry,
    with its history."""
    if kk is not None:
        found = registry.households_by_kk(kk)
        if not found:
            print(f"no household holds KK {mask_identifier(kk)}")
            return 0
        for hid, kind in found:
            print(f"{hid} ({kind} KK)")
        return 0
    if household_id is None:
        raise DtksLinkError("give a household id, or --kk KK to look households up by KK number")
    try:
        view = registry.household(household_id)
    except KeyError:
        raise DtksLinkError(f"no household {household_id!r} in this registry") from None
    if view.household_id != household_id:
        print(f"{household_id} was merged into {view.household_id}")
    print_household(view.household_id, view.golden, view.members, view.links)
    print("history:")
    for e in view.events.itertuples():
        other = (
            ""
            if e.other_household_id is None or pd.isna(e.other_household_id)
            else f" {e.other_household_id}"
        )
        who = "" if e.resident_id is None or pd.isna(e.resident_id) else f" resident {e.resident_id}"
        print(f"  run {e.run_id} {e.happened_at:%Y-%m-%d %H:%M} {e.kind} {e.household_id}{other}{who}")
    return 0


def add_households_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``households duplicates`` and ``households show`` to the ``dtks-link`` parser."""
    p = sub.add_parser("households", help="families: the double-aid report, one household")
    commands = p.add_subparsers(dest="households_command", required=True)
    h = commands.add_parser(
        "duplicates",
        help="families paid twice by a programme that pays once per family (PKH, BPNT); identifiers masked",
    )
    h.add_argument("source", type=Path, help="a linked output directory, or a TOML config (linked now)")
    h.add_argument("--json", action="store_true", help="the findings as JSON")
    h.set_defaults(func=_cmd_duplicates)
    h = commands.add_parser("show", help="a household's golden record, members and pecah KK links")
    h.add_argument("source", type=Path, help="a linked output directory, or a TOML config (linked now)")
    h.add_argument("household_id")
    h.set_defaults(func=_cmd_show)
