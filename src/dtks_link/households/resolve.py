"""Household resolution: standardised records and resident clusters -> the family each
resident lives in now, as engine SQL (DuckDB and Spark run the same steps).

The evidence, in the order it is used:

1. **KK numbers.** Every resident is linked to the KK numbers on their records (a bipartite
   graph, residents <-> KKs). A record without a valid KK takes the one most of its source
   family's records carry when the source gives a family id (``id_keluarga``). A KK found on
   one record only, one or two digits away from a KK that two records or more carry at the
   same house or in the same source family, is read as that KK (a typo: a carer listed once,
   in PKH, with a mistyped KK).
2. **The current KK of each resident** is the one a duplicate-free source (the civil
   registry, which lists every resident once, on their current card) gives; else, among the
   KKs seen on at least two records, the most recently issued one (a KK number holds its issue
   date, DDMMYY after the region code); then the most records, the source priority and the
   number itself break ties. A KK seen on one record only (a typo) counts only when there is
   nothing else.
3. **Older KKs linked through shared members.** A resident whose current KK is B and who was
   also seen on A has *left* A for B. For the residents still on A (seen on no newer KK), the
   roles on A decide whether they went along:

   * the head or the spouse of A left: the whole family changed its KK (a move, a reissue, the
     head's death: the widow(er) heads a new KK) and everyone still on A follows, the dead head
     included;
   * only Anak, Menantu and Cucu of A left: a **pecah KK**, a child married and split off. A
     Menantu or Cucu of A still on A follows (the split-off couple and their children); the
     head, the spouse, the other children and the elderly stay, and A and B become two
     households with a ``pecah_kk`` link between them;
   * a resident whose mother (nama ibu kandung) is among those who left follows them; a
     resident who is the mother of one of them stays, unless that one is a Cucu of A (then
     she is the split-off family's mother, and a Menantu or Anak of A, and follows);
   * with no role for those who left, a resident at least 15 years older than all of them
     stays (their parents' generation) and the others follow.

   A resident whose current KK comes from a duplicate-free source never moves. A lone link
   (one resident seen on A and B, and B has members of its own) is no evidence that A's family
   moved: it is more often two people merged by resident resolution, so nobody follows by the
   first and last rules.
4. **Members of one KK who live apart.** The residents grouped under one KK are linked when
   their records share a neighbourhood (kelurahan, RW and RT); a part not linked to the one
   holding the KK's head (else the largest part) lives elsewhere and is a household of its own,
   with a ``lives_apart`` link to the KK's household: a married child's family still listed on
   its parents' KK (a pecah KK not registered yet, or not yet seen in any source), a member
   living elsewhere. Residents without an address stay with the KK's household. A family that
   moved links its two neighbourhoods through members seen at both, so it is not cut. A part
   living in the neighbourhood of another household, with members of that household seen on a
   KK of the part's records, joins it (``placed_by = 'kk_followed'``): a married son still on
   his parents' KK in every source, at the house of his wife, who left that KK for theirs.
5. **Residents without a KK** join the household at the same house (kelurahan, RW, RT, street
   and house number) when one member shares a surname or a mother's name with them, or when
   only one household lives there; residents left over are grouped by house (a wife seldom shares
   her husband's name), else alone. So data without KK numbers or roles (FEBRL, census files)
   still gets households, from addresses.

The household's **current KK** is its members' (the KK they are grouped under), with the
source that gave it; a household built from addresses has none. Household ids are
``H`` + a hash of the household's smallest record key (``source|record_id``), never of a KK,
so the same grouping of the same records gives the same ids (stable ids across runs are the
registry's job).

Known limit: a divorce, where the former head stays on the old KK and the rest of the family
takes a new one, looks like the head's death, and the former head is grouped with the family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..backends.engine import Engine
from ..config import SourceConfig
from .steps import COMPONENTS, STEP_NAMES, label_components, resolution_steps

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "HouseholdResult",
    "SourceRole",
    "resolve_households",
    "source_roles",
]

#: The columns of ``households.parquet``, one row per resident.
HOUSEHOLD_COLUMNS: dict[str, str] = {
    "household_id": "the household (H + 12 hex digits)",
    "resident_id": "the resident",
    "role": "hubungan keluarga to the household's head (an SHDK label), or NULL",
    "role_from": "'current_kk' (a record on the household's current KK says so), 'kk_apart' (the role on "
    "a KK whose head lives elsewhere, translated: an Anak becomes the head, a Cucu Anak) or 'previous_kk' "
    "(from the KK the member was on before, translated: a split-off Menantu becomes Istri/Suami...)",
    "current_kk": "the household's current KK number (personal data: masked in every printout)",
    "kk_source": "the source whose record gave the current KK",
    "sources": "the sources that list the member, comma-separated",
    "placed_by": "'kk', 'kk_followed' (went along with the family to its new KK), 'address' or 'alone'",
}


@dataclass(frozen=True, kw_only=True)
class SourceRole:
    """How household resolution reads one source.

    ``rank`` orders sources by trust (0 first: the source priority, as for golden records);
    ``authoritative`` says its KK is each resident's current one (a duplicate-free source: the
    civil registry lists every resident once, on their current card); ``programme`` and
    ``pays_per_family`` come from the source's config."""

    name: str
    rank: int
    authoritative: bool = False
    programme: str | None = None
    pays_per_family: bool = False


def source_roles(sources: Sequence[SourceConfig], priority: Sequence[str] | None = None) -> list[SourceRole]:
    """The :class:`SourceRole` of each configured source. ``priority`` lists source names from
    most to least trusted; by default duplicate-free sources come first, then the others by
    name (the golden record's default)."""
    if priority is None:
        order = sorted(sources, key=lambda s: (not s.duplicate_free, s.name))
        priority = [s.name for s in order]
    rank = {name: i for i, name in enumerate(priority)}
    last = len(rank)
    return [
        SourceRole(
            name=s.name,
            rank=rank.get(s.name, last),
            authoritative=s.duplicate_free,
            programme=s.programme_name,
            pays_per_family=s.pays_per_family,
        )
        for s in sources
    ]


def source_frame(sources: Sequence[SourceRole]) -> pd.DataFrame:
    """The :class:`SourceRole` list as a table: ``source, source_rank, authoritative,
    programme, pays_per_family``."""
    return pd.DataFrame(
        {
            "source": pd.Series([s.name for s in sources], dtype=object),
            "source_rank": pd.Series([s.rank for s in sources], dtype="int64"),
            "authoritative": pd.Series([s.authoritative for s in sources], dtype=bool),
            "programme": pd.Series([s.programme for s in sources], dtype=object),
            "pays_per_family": pd.Series([s.pays_per_family for s in sources], dtype=bool),
        }
    )


@dataclass(frozen=True, kw_only=True)
class HouseholdResult:
    """What household resolution produced.

    - ``members``: ``households.parquet``, one row per resident (:data:`HOUSEHOLD_COLUMNS`);
    - ``records``: ``source, record_id, resident_id, household_id`` for every record;
    - ``links``: ``household_id, other_household_id, kind, via_kk, members_moved``: a
      ``pecah_kk`` link from the household still on a KK to one that split off it, or a
      ``lives_apart`` link from a KK's household to its members living at another address
      (``via_kk`` is that KK: personal data);
    - ``golden``: one golden record per household (:func:`~.golden.household_golden`);
    - ``programme_records``: the records of programmes that pay once per family, with the
      carer's household and the household their own KK belongs to (what
      :func:`~.duplicates.double_aid` reads; ``kk`` is personal data);
    - ``note``: why households rest on weaker evidence, when they do (no KK in any source);
    - ``counts``: households, residents, and how members were placed.
    """

    members: pd.DataFrame
    records: pd.DataFrame
    links: pd.DataFrame
    golden: pd.DataFrame
    programme_records: pd.DataFrame
    note: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)


#: Step tables read by :func:`~.golden.build_golden` and the outputs of :func:`resolve_households`.
_KEPT_FOR_GOLDEN = (
    "sources",
    "rec",
    "rec2",
    "addr",
    "kkrole",
    "person",
    "latest",
    "moves",
    "succ",
    "members0",
)


def resolve_households(
    engine: Engine,
    *,
    records_table: str,
    clusters_table: str,
    sources: Sequence[SourceRole],
    reference_date: dt.date,
    prefix: str = "work_hh",
) -> HouseholdResult:
    """Resolve households from standardised records and their residents.

    ``records_table`` holds the standardised records (``unique_id``, ``source`` and the
    columns household evidence comes from; absent ones are read as NULL), ``clusters_table``
    ``unique_id, resident_id``. ``sources`` says how to read each source
    (:func:`source_roles`); ``reference_date`` resolves the two-digit year in KK numbers.
    Tables ``<prefix>_members``, ``<prefix>_records``, ``<prefix>_links`` and
    ``<prefix>_golden`` stay in the engine; the intermediate ones are dropped.
    """
    q = engine.quote
    names = [f"{prefix}_{n}" for n in STEP_NAMES]
    sources_frame = source_frame(sources)
    engine.load_frame(f"{prefix}_sources", sources_frame)
    t = {name: q(f"{prefix}_{name}") for name in STEP_NAMES}
    for name, sql in resolution_steps(engine, records=records_table, clusters=clusters_table,
                            reference_year=reference_date.year, p=prefix):  # fmt: skip
        if sql == COMPONENTS:
            label_components(engine, pairs=f"{prefix}_gpairs", out=f"{prefix}_{name}")
        else:
            engine.create_table(f"{prefix}_{name}", sql)
        if name == "rec2":  # one table per record at a time (memory at a million residents)
            engine.drop(f"{prefix}_rec1", f"{prefix}_kkfix")
    # what the golden record and the outputs below no longer read (Spark keeps tables in memory)
    engine.drop(*(f"{prefix}_{n}" for n in STEP_NAMES if n not in _KEPT_FOR_GOLDEN))
    from .golden import build_golden

    tables = build_golden(engine, prefix=prefix)
    try:
        members = engine.frame(f"SELECT * FROM {q(tables.members)} ORDER BY household_id, resident_id")
        records = engine.frame(
            f"SELECT r.source, r.record_id, c.resident_id, m.household_id FROM {q(records_table)} r "
            f"JOIN {q(clusters_table)} c ON r.unique_id = c.unique_id "
            f"JOIN {q(tables.members)} m ON c.resident_id = m.resident_id ORDER BY r.source, r.record_id"
        )
        links = engine.frame(f"SELECT * FROM {q(tables.links)} ORDER BY household_id, other_household_id")
        programme_records = engine.frame(
            "SELECT r.source, s.programme, r.record_id, c.resident_id, m.household_id, x.kk, "
            "kh.household_id AS kk_household_id "
            f"FROM {q(records_table)} r JOIN {q(clusters_table)} c ON r.unique_id = c.unique_id "
            f"JOIN {q(tables.members)} m ON c.resident_id = m.resident_id "
            f"JOIN {t['rec2']} x ON r.unique_id = x.unique_id "
            f"JOIN {t['sources']} s ON r.source = s.source "
            f"LEFT JOIN {q(tables.kk_households)} kh ON x.kk = kh.kk "
            "WHERE s.pays_per_family ORDER BY r.source, r.record_id"
        )
        golden = engine.frame(f"SELECT * FROM {q(tables.golden)} ORDER BY household_id")
        evidence = engine.rows(
            f"SELECT count(kk_given), count(role), count(family_id), count(*) FROM {t['rec']}"
        )[0]
    finally:
        engine.drop(*names, tables.kk_households)
    placed = members["placed_by"].value_counts().to_dict() if len(members) else {}
    note = None
    if evidence[0] == 0:
        note = (
            "no source gives a valid KK number: households are built from addresses only "
            "(residents at the same house: kelurahan, street and house number), the rest alone"
        )
    counts = {
        "households": int(members["household_id"].nunique()) if len(members) else 0,
        "residents": len(members),
        "placed_by": {str(k): int(v) for k, v in sorted(placed.items())},
        "pecah_kk_links": int((links["kind"] == "pecah_kk").sum()) if len(links) else 0,
        "lives_apart_links": int((links["kind"] == "lives_apart").sum()) if len(links) else 0,
        "records_with_kk": int(evidence[0]),
        "records_with_role": int(evidence[1]),
        "records_with_family_id": int(evidence[2]),
    }
    return HouseholdResult(
        members=members,
        records=records,
        links=links,
        golden=golden,
        programme_records=programme_records,
        note=note,
        counts=counts,
    )
