"""Households: the families residents live in now, resolved after the residents are.

DTKS is a register of households before it is a register of people, and PKH and BPNT pay a
*family* (KPM) through its carer. This package answers the family questions: who lives
together now, under which current KK, who is the head and who the carer, which programmes the
family is in, and which families are paid twice.

* :mod:`.resolve` — records and resident clusters -> a ``household_id`` for every resident and
  record, the household's current KK and the links between a KK and the households that split
  off it (pecah KK); engine SQL, DuckDB and Spark;
* :mod:`.golden` — one golden record per household: the current KK with its source, head,
  carer, members with roles, address, programmes, former KKs;
* :mod:`.duplicates` — the double-aid report: a family holding more than one record of a
  programme that pays once per family, and one resident listed as the carer of two families.

>>> result = dtks_link.link("config.toml")                          # doctest: +SKIP
>>> result.households.head()        # household_id, resident_id, role, current_kk, sources ...
"""

from __future__ import annotations

from .duplicates import DoubleAidFinding, double_aid, double_aid_report
from .golden import household_golden
from .resolve import HOUSEHOLD_COLUMNS, HouseholdResult, SourceRole, resolve_households, source_roles

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "DoubleAidFinding",
    "HouseholdResult",
    "SourceRole",
    "double_aid",
    "double_aid_report",
    "household_golden",
    "resolve_households",
    "source_roles",
]
