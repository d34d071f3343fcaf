"""The household golden record: one row per household, each value with where it came from.

=====================  ========================================================================
column                 value
=====================  ========================================================================
``current_kk``         the KK the household's members are grouped under (personal data)
``kk_source``          the most trusted source whose record carries it (a duplicate-free
                       source, the civil registry, first)
``head_resident_id``   the member listed as Kepala Keluarga on the current KK; else the one a
                       previous KK shows as head (translated: a split-off Anak or Menantu
                       becomes head of the new KK); else NULL
``carer_resident_id``  the member a programme that pays once per family lists (the KPM's
                       pengurus; with ``carer_from = 'programme'``); else the head's wife,
                       else the mother of members (by nama ibu kandung; of the youngest
                       child), else the head (``carer_from = 'inferred'``)
``members``            how many residents
``kelurahan`` ...      the address (kelurahan, kecamatan, their codes, RT, RW, street, house
                       number) of the most trusted record on the current KK that has one,
                       else of any member's record; ``address_source`` names its source
``programmes``         the programmes (``[[sources]] programme``) whose sources list a member
``former_kks``         KKs the household's members left for the current one that no household
                       holds now (after a move, a reissue, the head's death; personal data)
``split_from``         households this one split off (pecah KK) or lives apart from (members
                       of their KK living at another address: ``lives_apart`` links)
=====================  ========================================================================

:func:`household_golden` reads them back from a :class:`~.resolve.HouseholdResult`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..backends.engine import Engine

__all__ = ["GOLDEN_COLUMNS", "GoldenTables", "build_golden", "household_golden"]

#: The household golden record's columns, in order.
GOLDEN_COLUMNS: tuple[str, ...] = (
    "household_id",
    "current_kk",
    "kk_source",
    "head_resident_id",
    "carer_resident_id",
    "carer_from",
    "members",
    "kelurahan",
    "kecamatan",
    "kelurahan_code",
    "rt",
    "rw",
    "street",
    "house_number",
    "address_source",
    "programmes",
    "former_kks",
    "split_from",
)

#: How a role on the KK a member left reads on the KK of the family that split off it.
_SPLIT_ROLE_SQL = (
    "CASE WHEN {role} IN ('ANAK', 'MENANTU') THEN "
    "CASE WHEN {sex} = 'L' THEN 'KEPALA KELUARGA' WHEN {sex} = 'P' THEN 'ISTRI' END "
    "WHEN {role} = 'CUCU' THEN 'ANAK' ELSE {role} END"
)


@dataclass(frozen=True)
class GoldenTables:
    """Names of the engine tables :func:`build_golden` wrote."""

    members: str
    links: str
    golden: str
    kk_households: str


def build_golden(engine: Engine, *, prefix: str) -> GoldenTables:
    """From the resolution's step tables (``<prefix>_*``), write ``<prefix>_members`` (one row
    per resident: ``households.parquet``), ``<prefix>_links`` (pecah KK links) and
    ``<prefix>_golden`` (one golden record per household)."""
    q = engine.quote
    d = engine.dialect

    def t(name: str) -> str:
        return q(f"{prefix}_{name}")

    split_role = _SPLIT_ROLE_SQL.format(role="prev.role", sex="p.sex")
    moved_role = _SPLIT_ROLE_SQL.format(role="mv.old_role", sex="p.sex")
    apart_role = _SPLIT_ROLE_SQL.format(role="cur.role", sex="p.sex")
    out = GoldenTables(
        members=f"{prefix}_members",
        links=f"{prefix}_links",
        golden=f"{prefix}_golden",
        kk_households=f"{prefix}_kkhh",
    )
    steps = [
        # the role of each member: on the current KK, else translated from the KK they left
        (
            "roles",
            "SELECT m.resident_id, CASE WHEN NOT m.apart THEN cur.role END AS role_now, "
            f"CASE WHEN m.apart THEN {apart_role} END AS role_apart, "
            f"CASE WHEN m.follow_kind IN ('split', 'mother', 'house') THEN {split_role} "
            "ELSE prev.role END AS role_followed, "
            f"CASE WHEN mv.couple_movers > 0 THEN mv.old_role ELSE {moved_role} END AS role_moved "
            f"FROM {t('members0')} m JOIN {t('person')} p ON m.resident_id = p.resident_id "
            f"LEFT JOIN {t('kkrole')} cur ON m.resident_id = cur.resident_id AND m.current_kk = cur.kk "
            f"LEFT JOIN {t('latest')} l ON m.resident_id = l.resident_id "
            f"LEFT JOIN {t('kkrole')} prev ON m.resident_id = prev.resident_id AND l.latest_kk = prev.kk "
            "AND m.placed_by = 'kk_followed' "
            "LEFT JOIN (SELECT mv.resident_id, mv.old_role, s.couple_movers, row_number() OVER "
            "(PARTITION BY mv.resident_id ORDER BY s.movers DESC, mv.old_kk) AS rn "
            f"FROM {t('moves')} mv JOIN {t('succ')} s ON mv.old_kk = s.old_kk AND mv.new_kk = s.new_kk "
            "WHERE mv.old_role IS NOT NULL) mv ON m.resident_id = mv.resident_id AND mv.rn = 1",
        ),
        (
            "kksource",
            "SELECT household_id, source AS kk_source FROM (SELECT m.household_id, r.source, row_number() "
            "OVER (PARTITION BY m.household_id ORDER BY r.source_rank, r.unique_id) AS rn "
            f"FROM {t('members0')} m JOIN {t('rec2')} r ON m.resident_id = r.resident_id "
            "AND r.kk = m.current_kk) x WHERE rn = 1",
        ),
        (
            "msources",
            f"SELECT resident_id, {d.sorted_set_join('source', ',')} AS sources "
            f"FROM {t('rec2')} GROUP BY resident_id",
        ),
    ]
    for name, sql in steps:
        engine.create_table(f"{prefix}_{name}", sql)
    engine.create_table(
        out.members,
        "SELECT m.household_id, m.resident_id, "
        "coalesce(r.role_now, r.role_apart, r.role_followed, r.role_moved) AS role, "
        "CASE WHEN r.role_now IS NOT NULL THEN 'current_kk' WHEN r.role_apart IS NOT NULL THEN 'kk_apart' "
        "WHEN coalesce(r.role_followed, r.role_moved) IS NOT NULL THEN 'previous_kk' END AS role_from, "
        "m.current_kk, k.kk_source, s.sources, m.placed_by "
        f"FROM {t('members0')} m JOIN {t('roles')} r ON m.resident_id = r.resident_id "
        f"JOIN {t('msources')} s ON m.resident_id = s.resident_id "
        f"LEFT JOIN {t('kksource')} k ON m.household_id = k.household_id",
    )
    members = q(out.members)
    # the household holding each KK a household is grouped under (not a part living apart)
    holder = f"(SELECT DISTINCT household_id, current_kk FROM {t('members0')} WHERE NOT apart)"
    engine.create_table(
        out.links,
        "SELECT DISTINCT a.household_id, b.household_id AS other_household_id, 'pecah_kk' AS kind, "
        "s.old_kk AS via_kk, s.movers AS members_moved "
        f"FROM {t('succ')} s JOIN {holder} a ON a.current_kk = s.old_kk "
        f"JOIN {holder} b ON b.current_kk = s.new_kk "
        "WHERE a.household_id <> b.household_id AND s.couple_movers = 0 "
        # members of a KK living at another address: from the KK's household to theirs
        "UNION ALL SELECT a.household_id, x.household_id, 'lives_apart', x.current_kk, x.members "
        f"FROM (SELECT household_id, current_kk, count(*) AS members FROM {t('members0')} WHERE apart "
        f"GROUP BY household_id, current_kk) x JOIN {holder} a ON a.current_kk = x.current_kk",
    )
    later = [
        (
            "head",
            "SELECT household_id, resident_id AS head_resident_id FROM (SELECT m.household_id, "
            "m.resident_id, "
            "row_number() OVER (PARTITION BY m.household_id ORDER BY "
            "CASE WHEN m.role_from = 'current_kk' THEN 0 ELSE 1 END, p.birth_year NULLS LAST, "
            "m.resident_id) AS rn "
            f"FROM {members} m JOIN {t('person')} p ON m.resident_id = p.resident_id "
            "WHERE m.role = 'KEPALA KELUARGA') x WHERE rn = 1",
        ),
        (
            "carer",
            "SELECT household_id, resident_id AS carer_resident_id, carer_from FROM (SELECT m.household_id, "
            "m.resident_id, c.carer_from, row_number() OVER (PARTITION BY m.household_id ORDER BY "
            "c.priority, "
            "c.records DESC, m.resident_id) AS rn FROM ("
            "SELECT r.resident_id, 'programme' AS carer_from, 0 AS priority, count(*) AS records "
            f"FROM {t('rec2')} r JOIN {t('sources')} s ON r.source = s.source WHERE s.pays_per_family "
            "GROUP BY r.resident_id "
            "UNION ALL SELECT resident_id, 'inferred', CASE WHEN role = 'ISTRI' THEN 1 ELSE 3 END, 0 "
            f"FROM {members} WHERE role IN ('ISTRI', 'KEPALA KELUARGA') "
            # the mother of members (the one with the youngest child): the carer PKH usually lists
            "UNION ALL SELECT mo.resident_id, 'inferred', 2, max(ch.birth_year) "
            f"FROM {members} mm JOIN {t('person')} mo ON mm.resident_id = mo.resident_id "
            f"JOIN {members} cm ON cm.household_id = mm.household_id AND cm.resident_id <> mm.resident_id "
            f"JOIN {t('person')} ch ON cm.resident_id = ch.resident_id AND ch.nama_ibu_key = mo.nama_key "
            "WHERE mo.sex IS NULL OR mo.sex = 'P' GROUP BY mo.resident_id) c "
            f"JOIN {members} m ON c.resident_id = m.resident_id) x WHERE rn = 1",
        ),
        (
            "address",
            "SELECT household_id, kelurahan, kecamatan, kelurahan_code, rt, rw, street, house_number, "
            "source AS address_source FROM (SELECT m.household_id, rr.kelurahan, rr.kecamatan, "
            "rr.kelurahan_code, rr.rt, rr.rw, rr.street, rr.house_number, rr.source, row_number() OVER "
            "(PARTITION BY m.household_id ORDER BY CASE WHEN r.kk = m.current_kk THEN 0 ELSE 1 END, "
            "r.source_rank, r.unique_id) AS rn "
            f"FROM {members} m JOIN {t('rec2')} r ON m.resident_id = r.resident_id "
            f"JOIN {t('addr')} rr ON r.unique_id = rr.unique_id) x WHERE rn = 1",
        ),
        (
            "programmes",
            f"SELECT m.household_id, {d.sorted_set_join('s.programme', ', ')} AS programmes "
            f"FROM {members} m JOIN {t('rec2')} r ON m.resident_id = r.resident_id "
            f"JOIN {t('sources')} s ON r.source = s.source WHERE s.programme IS NOT NULL GROUP BY "
            "m.household_id",
        ),
        (
            "former",
            f"SELECT m.household_id, {d.sorted_set_join('mv.old_kk', ',')} AS former_kks "
            f"FROM {members} m JOIN {t('moves')} mv ON m.resident_id = mv.resident_id "
            "AND mv.new_kk = m.current_kk "
            f"LEFT JOIN (SELECT DISTINCT current_kk FROM {members}) h ON h.current_kk = mv.old_kk "
            "WHERE h.current_kk IS NULL GROUP BY m.household_id",
        ),
        (
            "splitfrom",
            f"SELECT other_household_id AS household_id, {d.sorted_set_join('household_id', ',')} AS "
            "split_from "
            f"FROM {q(out.links)} GROUP BY other_household_id",
        ),
    ]
    for name, sql in later:
        engine.create_table(f"{prefix}_{name}", sql)
    engine.create_table(
        out.golden,
        "SELECT g.household_id, g.current_kk, k.kk_source, h.head_resident_id, c.carer_resident_id, "
        "c.carer_from, g.members, a.kelurahan, a.kecamatan, a.kelurahan_code, a.rt, a.rw, a.street, "
        "a.house_number, a.address_source, nullif(p.programmes, '') AS programmes, "
        "nullif(f.former_kks, '') AS former_kks, nullif(sf.split_from, '') AS split_from "
        f"FROM (SELECT household_id, max(current_kk) AS current_kk, count(*) AS members FROM {members} "
        "GROUP BY household_id) g "
        f"LEFT JOIN {t('kksource')} k ON g.household_id = k.household_id "
        f"LEFT JOIN {t('head')} h ON g.household_id = h.household_id "
        f"LEFT JOIN {t('carer')} c ON g.household_id = c.household_id "
        f"LEFT JOIN {t('address')} a ON g.household_id = a.household_id "
        f"LEFT JOIN {t('programmes')} p ON g.household_id = p.household_id "
        f"LEFT JOIN {t('former')} f ON g.household_id = f.household_id "
        f"LEFT JOIN {t('splitfrom')} sf ON g.household_id = sf.household_id",
    )
    # the household each KK belongs to: the one holding it now, else the one most of the
    # residents who left it went to
    engine.create_table(
        out.kk_households,
        f"SELECT current_kk AS kk, household_id FROM {holder} WHERE current_kk IS NOT NULL "
        "UNION ALL SELECT kk, household_id FROM (SELECT mv.old_kk AS kk, m.household_id, row_number() OVER "
        "(PARTITION BY mv.old_kk ORDER BY count(*) DESC, m.household_id) AS rn "
        f"FROM {t('moves')} mv JOIN {members} m ON mv.resident_id = m.resident_id "
        f"LEFT JOIN (SELECT DISTINCT current_kk FROM {members}) h ON h.current_kk = mv.old_kk "
        "WHERE h.current_kk IS NULL GROUP BY mv.old_kk, m.household_id) x WHERE rn = 1",
    )
    engine.drop(
        *(
            f"{prefix}_{n}"
            for n in ("roles", "kksource", "msources", "head", "carer", "address", "programmes")
        )
    )
    engine.drop(f"{prefix}_former", f"{prefix}_splitfrom")
    return out


def household_golden(golden: pd.DataFrame, household_id: str) -> dict[str, object]:
    """One household's golden record as a dict (``golden`` is ``HouseholdResult.golden``).
    Raises ``KeyError`` for an unknown id."""
    rows = golden[golden["household_id"] == household_id]
    if rows.empty:
        raise KeyError(household_id)
    return {str(k): v for k, v in rows.iloc[0].to_dict().items()}
