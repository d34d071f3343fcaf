"""The steps of household resolution (:mod:`.resolve`), as named engine SQL.

:func:`resolution_steps` lists them in order, each a ``(table, SELECT)`` reading the tables
before it (the method is described in :mod:`.resolve`); :func:`label_components` computes the
one step that is not a single SELECT (connected components by label propagation). The same
steps run on DuckDB and Spark.
"""

from __future__ import annotations

from ..backends.engine import Engine

__all__ = ["COMPONENTS", "STEP_NAMES", "label_components", "resolution_steps"]

#: Roles of the head and the spouse on a KK: when one of them leaves it, the family left it.
_HEAD_COUPLE = ("KEPALA KELUARGA", "SUAMI", "ISTRI")
#: Roles of a child who married and split off, their partner and their children.
_SPLIT_ROLES = ("ANAK", "MENANTU", "CUCU")
#: A KK on one record this many digits away from another KK of the same resident is a typo of it.
_TYPO_DIGITS = 2
#: A resident this many years older than everyone who left a KK is of their parents' generation.
_GENERATION_YEARS = 15


#: Record columns the steps read, with their types; a records table without one (data from an
#: older registry) reads it as NULL.
_RECORD_COLUMNS: dict[str, str] = {
    "no_kk": "VARCHAR",
    "kk_valid": "BOOLEAN",
    "hubungan_keluarga": "VARCHAR",
    "id_keluarga": "VARCHAR",
    "kelurahan_code": "VARCHAR",
    "rt": "INTEGER",
    "rw": "INTEGER",
    "street": "VARCHAR",
    "house_number": "VARCHAR",
    "nama_tokens_key": "VARCHAR",
    "nama_key": "VARCHAR",
    "nama_ibu_key": "VARCHAR",
    "birth_year": "INTEGER",
    "sex": "VARCHAR",
    "kelurahan": "VARCHAR",
    "kecamatan": "VARCHAR",
}


def resolution_steps(
    engine: Engine, *, records: str, clusters: str, reference_year: int, p: str
) -> list[tuple[str, str]]:
    """The resolution as named steps (table, SELECT), each reading the ones before."""
    q = engine.quote
    d = engine.dialect
    t = {name: q(f"{p}_{name}") for name in STEP_NAMES}
    have = engine.columns(records)
    text = d.type_name("VARCHAR")

    def rec(column: str) -> str:
        if column in have:
            return f"r.{q(column)}"
        return f"CAST(NULL AS {d.type_name(_RECORD_COLUMNS[column])})"

    def first(column: str) -> str:
        return f"min_by({column}, trust) FILTER (WHERE {column} IS NOT NULL) AS {column}"

    head_couple = ", ".join(d.string(v) for v in _HEAD_COUPLE)
    split_roles = ", ".join(d.string(v) for v in _SPLIT_ROLES)
    surname = f"regexp_extract(nama_tokens_key, {d.regex('[^ ]+$')}, 0)"
    # a KK's issue date (DDMMYY at 7-12); TRY_CAST: a pseudonymised or malformed KK has none
    yy, mm, dd = (d.try_cast(f"substr(kk, {i}, 2)", "INTEGER") for i in (11, 9, 7))
    century = reference_year % 100
    issue_key = (
        f"CASE WHEN {mm} BETWEEN 1 AND 12 AND {dd} BETWEEN 1 AND 31 THEN "
        f"(CASE WHEN {yy} <= {century} THEN 2000 ELSE 1900 END + {yy}) * 10000 + {mm} * 100 + {dd} END"
    )
    # a house: kelurahan, RW, RT, street and house number (a street and number recur in other RWs)
    house = (
        "CASE WHEN kelurahan_code IS NOT NULL AND street IS NOT NULL AND house_number IS NOT NULL THEN "
        f"concat_ws('|', kelurahan_code, coalesce(CAST(rw AS {text}), ''), coalesce(CAST(rt AS {text}), ''), "
        "street, house_number) END"
    )
    return [
        # 1. records with their resident, source rank and household evidence
        (
            "rec",
            "SELECT r.unique_id, r.source, c.resident_id, s.source_rank, s.authoritative, "
            f"CASE WHEN {rec('kk_valid')} THEN {rec('no_kk')} END AS kk_given, "
            f"{rec('hubungan_keluarga')} AS role, {rec('id_keluarga')} AS family_id, "
            f"{rec('kelurahan_code')} AS kelurahan_code, {rec('rt')} AS rt, {rec('rw')} AS rw, "
            f"{rec('street')} AS street, {rec('house_number')} AS house_number, "
            f"{rec('nama_tokens_key')} AS nama_tokens_key, {rec('nama_key')} AS nama_key, "
            f"{rec('nama_ibu_key')} AS nama_ibu_key, {rec('birth_year')} AS birth_year, {rec('sex')} AS sex "
            f"FROM {q(records)} r JOIN {q(clusters)} c ON r.unique_id = c.unique_id "
            f"JOIN {t['sources']} s ON r.source = s.source",
        ),
        # a record without a valid KK takes its source family's (id_keluarga) most common one
        (
            "famkk",
            "SELECT family_id, kk_given AS kk FROM (SELECT family_id, kk_given, row_number() OVER "
            "(PARTITION BY family_id ORDER BY count(*) DESC, kk_given) AS rn "
            f"FROM {t['rec']} WHERE family_id IS NOT NULL AND kk_given IS NOT NULL "
            "GROUP BY family_id, kk_given) x WHERE rn = 1",
        ),
        (
            "rec1",
            f"SELECT x.*, {house} AS house FROM (SELECT r.*, coalesce(r.kk_given, f.kk) AS kk_read, "
            "r.kk_given IS NULL AND f.kk IS NOT NULL AS kk_from_family "
            f"FROM {t['rec']} r LEFT JOIN {t['famkk']} f ON r.family_id = f.family_id) x",
        ),
        # a KK on one record only, one or two digits away from a KK that two records or more carry
        # at the same house or in the same source family (id_keluarga): a typo of it
        (
            "kkn",
            "SELECT kk_read AS kk, count(*) AS n, max(CASE WHEN authoritative THEN 1 ELSE 0 END) AS auth "
            f"FROM {t['rec1']} WHERE kk_read IS NOT NULL GROUP BY kk_read",
        ),
        (
            "kkfix",
            "SELECT unique_id, kk FROM (SELECT unique_id, kk, row_number() OVER (PARTITION BY unique_id "
            "ORDER BY n DESC, kk) AS rn FROM (SELECT r.unique_id, c.kk_read AS kk, cn.n "
            f"FROM {t['rec1']} r JOIN {t['kkn']} rn ON r.kk_read = rn.kk AND rn.n = 1 AND rn.auth = 0 "
            f"JOIN {t['rec1']} c ON c.house = r.house AND c.kk_read <> r.kk_read "
            f"JOIN {t['kkn']} cn ON c.kk_read = cn.kk AND cn.n >= 2 "
            f"WHERE levenshtein(r.kk_read, c.kk_read) <= {_TYPO_DIGITS} "
            "UNION ALL SELECT r.unique_id, c.kk_read, cn.n "
            f"FROM {t['rec1']} r JOIN {t['kkn']} rn ON r.kk_read = rn.kk AND rn.n = 1 AND rn.auth = 0 "
            f"JOIN {t['rec1']} c ON c.family_id = r.family_id AND c.kk_read <> r.kk_read "
            f"JOIN {t['kkn']} cn ON c.kk_read = cn.kk AND cn.n >= 2 "
            f"WHERE levenshtein(r.kk_read, c.kk_read) <= {_TYPO_DIGITS}) c) x WHERE rn = 1",
        ),
        (
            "rec2",
            f"SELECT x.*, {issue_key} AS issue_key FROM (SELECT r.*, coalesce(f.kk, r.kk_read) AS kk "
            f"FROM {t['rec1']} r LEFT JOIN {t['kkfix']} f ON r.unique_id = f.unique_id) x",
        ),
        (
            "addr",
            "SELECT r.unique_id, r.source, "
            f"{rec('kelurahan')} AS kelurahan, {rec('kecamatan')} AS kecamatan, "
            f"{rec('kelurahan_code')} AS kelurahan_code, {rec('rt')} AS rt, {rec('rw')} AS rw, "
            f"{rec('street')} AS street, {rec('house_number')} AS house_number FROM {q(records)} r",
        ),
        # 2. the resident <-> KK graph
        (
            "kkstat",
            "SELECT kk, count(*) AS n_records, count(DISTINCT resident_id) AS n_residents, "
            f"max(issue_key) AS issue_key FROM {t['rec2']} WHERE kk IS NOT NULL GROUP BY kk",
        ),
        (
            "obs0",
            "SELECT o.*, k.n_records AS kk_records, k.n_residents AS kk_residents FROM ("
            "SELECT resident_id, kk, count(*) AS n_records, min(source_rank) AS best_rank, "
            "max(CASE WHEN authoritative THEN 1 ELSE 0 END) = 1 AS authoritative, max(issue_key) AS "
            "issue_key "
            f"FROM {t['rec2']} WHERE kk IS NOT NULL GROUP BY resident_id, kk) o "
            f"JOIN {t['kkstat']} k ON o.kk = k.kk",
        ),
        # a KK on one record only, one or two digits away from another KK of the same resident: a typo
        (
            "typo",
            "SELECT DISTINCT a.resident_id, a.kk FROM "
            f"{t['obs0']} a JOIN {t['obs0']} b ON a.resident_id = b.resident_id AND a.kk <> b.kk "
            f"WHERE a.kk_records = 1 AND NOT a.authoritative AND levenshtein(a.kk, b.kk) <= {_TYPO_DIGITS}",
        ),
        # a KK counts when a duplicate-free source gives it, two records carry it, or it is no typo
        (
            "obs",
            "SELECT o.*, (o.authoritative OR o.kk_records >= 2 OR y.kk IS NULL) AS corroborated "
            f"FROM {t['obs0']} o LEFT JOIN {t['typo']} y ON o.resident_id = y.resident_id AND o.kk = y.kk",
        ),
        # the role each resident has on each KK: from the most trusted record that gives one
        (
            "kkrole",
            "SELECT resident_id, kk, role FROM (SELECT resident_id, kk, role, row_number() OVER "
            "(PARTITION BY resident_id, kk ORDER BY source_rank, unique_id) AS rn "
            f"FROM {t['rec2']} WHERE kk IS NOT NULL AND role IS NOT NULL) x WHERE rn = 1",
        ),
        # one value per resident: birth year, sex, names (from the most trusted record giving one)
        (
            "person",
            "SELECT resident_id, birth_year, sex, nama_key, nama_ibu_key, "
            f"CASE WHEN nama_tokens_key LIKE '% %' AND length({surname}) >= 3 THEN {surname} END AS surname "
            f"FROM (SELECT resident_id, {first('birth_year')}, {first('sex')}, {first('nama_key')}, "
            f"{first('nama_ibu_key')}, {first('nama_tokens_key')} FROM ("
            f"SELECT *, concat(lpad(CAST(source_rank AS {text}), 6, '0'), unique_id) AS trust FROM "
            f"{t['rec2']}) x "
            "GROUP BY resident_id) y",
        ),
        # 3. each resident's current KK
        (
            "latest",
            "SELECT resident_id, kk AS latest_kk, authoritative AS latest_authoritative, "
            "corroborated AS latest_corroborated, kk_residents AS latest_residents FROM ("
            "SELECT o.*, row_number() OVER (PARTITION BY resident_id ORDER BY "
            "CASE WHEN authoritative THEN 0 ELSE 1 END, CASE WHEN corroborated THEN 0 ELSE 1 END, "
            "issue_key DESC NULLS LAST, n_records DESC, best_rank, kk) AS rn "
            f"FROM {t['obs']} o) x WHERE rn = 1",
        ),
        # residents who left an older KK for their current one, with their role on the old one
        (
            "moves",
            "SELECT o.kk AS old_kk, l.latest_kk AS new_kk, o.resident_id, kr.role AS old_role, "
            "p.birth_year, p.nama_key, p.nama_ibu_key, p.sex "
            f"FROM {t['obs']} o JOIN {t['latest']} l ON o.resident_id = l.resident_id "
            f"JOIN {t['person']} p ON o.resident_id = p.resident_id "
            f"LEFT JOIN {t['kkrole']} kr ON o.resident_id = kr.resident_id AND o.kk = kr.kk "
            "WHERE o.kk <> l.latest_kk AND o.corroborated",
        ),
        (
            "succ",
            "SELECT s.*, s.movers = 1 AND k.n_residents > 1 AS lone FROM (SELECT old_kk, new_kk, "
            "count(*) AS movers, "
            f"count(CASE WHEN old_role IN ({head_couple}) THEN 1 END) AS couple_movers, "
            f"count(CASE WHEN old_role IN ({split_roles}) THEN 1 END) AS split_movers, "
            "count(old_role) AS role_movers, min(birth_year) AS oldest_mover "
            f"FROM {t['moves']} GROUP BY old_kk, new_kk) s JOIN {t['kkstat']} k ON s.new_kk = k.kk",
        ),
        # residents still on a KK others left: whose mother left it, who is the mother of one who left
        (
            "mother",
            "SELECT DISTINCT l.resident_id, m.new_kk FROM "
            f"{t['latest']} l JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"JOIN {t['moves']} m ON m.old_kk = l.latest_kk AND m.nama_key = p.nama_ibu_key",
        ),
        (
            "parent",
            "SELECT DISTINCT l.resident_id FROM "
            f"{t['latest']} l JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"JOIN {t['moves']} m ON m.old_kk = l.latest_kk AND m.nama_ibu_key = p.nama_key "
            # the mother of a Cucu who left is the split-off family's mother, not its grandmother
            "WHERE m.old_role IS NULL OR m.old_role <> 'CUCU'",
        ),
        (
            "sibling",
            "SELECT DISTINCT l.resident_id, m.new_kk FROM "
            f"{t['latest']} l JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"JOIN {t['moves']} m ON m.old_kk = l.latest_kk AND m.nama_ibu_key = p.nama_ibu_key",
        ),
        # residents still on a KK whose mother is an Anak of it who is still on it too
        (
            "motherstays",
            "SELECT DISTINCT l.resident_id FROM "
            f"{t['latest']} l JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"JOIN {t['latest']} lm ON lm.latest_kk = l.latest_kk AND lm.resident_id <> l.resident_id "
            f"JOIN {t['person']} pm ON lm.resident_id = pm.resident_id AND pm.nama_key = p.nama_ibu_key "
            f"JOIN {t['kkrole']} rm ON rm.resident_id = lm.resident_id AND rm.kk = lm.latest_kk "
            "WHERE rm.role = 'ANAK' "
            # ... and a son-in-law when a daughter still on it is the mother of a grandchild there
            "UNION SELECT l.resident_id FROM "
            f"{t['latest']} l JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"JOIN {t['kkrole']} r ON r.resident_id = l.resident_id AND r.kk = l.latest_kk "
            f"JOIN {t['latest']} ld ON ld.latest_kk = l.latest_kk "
            f"JOIN {t['kkrole']} rd ON rd.resident_id = ld.resident_id AND rd.kk = ld.latest_kk "
            f"JOIN {t['person']} pd ON pd.resident_id = ld.resident_id "
            f"JOIN {t['latest']} lc ON lc.latest_kk = l.latest_kk "
            f"JOIN {t['person']} pc ON pc.resident_id = lc.resident_id AND pc.nama_ibu_key = pd.nama_key "
            "WHERE r.role = 'MENANTU' AND p.sex = 'L' AND rd.role = 'ANAK' AND pd.sex = 'P'",
        ),
        # ... and whether they follow to the new KK
        (
            "follow",
            "SELECT resident_id, new_kk, kind FROM (SELECT c.*, row_number() OVER (PARTITION BY "
            "resident_id ORDER BY CASE WHEN kind = 'mother' THEN 0 ELSE 1 END, movers DESC, new_kk) AS rn "
            "FROM (SELECT l.resident_id, s.new_kk, s.movers, "
            "CASE WHEN s.couple_movers > 0 AND NOT s.lone THEN 'family' "
            "WHEN mo.resident_id IS NOT NULL THEN 'mother' "
            "WHEN s.split_movers > 0 AND r.role IN ('MENANTU', 'CUCU') AND ms.resident_id IS NULL "
            "THEN 'split' "
            "WHEN s.role_movers = 0 AND NOT s.lone AND sb.resident_id IS NULL "
            f"AND (p.birth_year >= s.oldest_mover + {_GENERATION_YEARS} OR r.role IN ({head_couple}) "
            f"AND abs(p.birth_year - s.oldest_mover) < {_GENERATION_YEARS}) THEN 'family' END AS kind "
            f"FROM {t['latest']} l JOIN {t['succ']} s ON l.latest_kk = s.old_kk "
            f"JOIN {t['person']} p ON l.resident_id = p.resident_id "
            f"LEFT JOIN {t['kkrole']} r ON l.resident_id = r.resident_id AND l.latest_kk = r.kk "
            f"LEFT JOIN {t['mother']} mo ON l.resident_id = mo.resident_id AND s.new_kk = mo.new_kk "
            f"LEFT JOIN {t['parent']} pa ON l.resident_id = pa.resident_id "
            f"LEFT JOIN {t['motherstays']} ms ON l.resident_id = ms.resident_id "
            f"LEFT JOIN {t['sibling']} sb ON l.resident_id = sb.resident_id AND s.new_kk = sb.new_kk "
            "WHERE NOT l.latest_authoritative AND pa.resident_id IS NULL) c "
            "WHERE kind IS NOT NULL) x WHERE rn = 1",
        ),
        # 4. a household KK for every resident with a usable one
        (
            "assign0",
            "SELECT l.resident_id, coalesce(f.new_kk, l.latest_kk) AS hh_kk, "
            "CASE WHEN f.new_kk IS NOT NULL THEN 'kk_followed' ELSE 'kk' END AS placed_by, f.kind AS "
            "follow_kind "
            f"FROM {t['latest']} l LEFT JOIN {t['follow']} f ON l.resident_id = f.resident_id "
            "WHERE l.latest_corroborated OR l.latest_residents > 1",
        ),
        # 5. members of one KK who live apart: the residents of a KK group linked by a shared
        # neighbourhood (kelurahan, RW, RT) on any of their records are one part; a part other
        # than the one holding the KK's head (else the largest) lives elsewhere: its own household
        (
            "nbhd",
            "SELECT DISTINCT r.resident_id, r.nbhd FROM "
            f"(SELECT resident_id, concat_ws('|', kelurahan_code, CAST(rw AS {text}), CAST(rt AS {text})) "
            f"AS nbhd FROM {t['rec2']} WHERE kelurahan_code IS NOT NULL AND rw IS NOT NULL AND rt IS NOT "
            f"NULL) r JOIN {t['assign0']} a ON r.resident_id = a.resident_id",
        ),
        (
            "gpairs",
            "SELECT DISTINCT na.resident_id AS a, nb.resident_id AS b "
            f"FROM {t['nbhd']} na JOIN {t['nbhd']} nb ON na.nbhd = nb.nbhd "
            f"JOIN {t['assign0']} xa ON na.resident_id = xa.resident_id "
            f"JOIN {t['assign0']} xb ON nb.resident_id = xb.resident_id AND xa.hh_kk = xb.hh_kk",
        ),
        ("gcomp", COMPONENTS),
        (
            "anchor",
            "SELECT hh_kk, part FROM (SELECT a.hh_kk, g.part, row_number() OVER (PARTITION BY a.hh_kk "
            "ORDER BY max(CASE WHEN r.role = 'KEPALA KELUARGA' THEN 1 ELSE 0 END) DESC, count(*) DESC, "
            "min(p.birth_year) NULLS LAST, g.part) AS rn "
            f"FROM {t['assign0']} a JOIN {t['gcomp']} g ON a.resident_id = g.resident_id "
            f"JOIN {t['person']} p ON a.resident_id = p.resident_id "
            f"LEFT JOIN {t['kkrole']} r ON a.resident_id = r.resident_id AND a.hh_kk = r.kk "
            "GROUP BY a.hh_kk, g.part) x WHERE rn = 1",
        ),
        (
            "assign1",
            "SELECT a.resident_id, a.hh_kk, a.placed_by, a.follow_kind, "
            "CASE WHEN g.part <> n.part THEN g.part END AS apart, "
            "CASE WHEN g.part <> n.part THEN concat('K', a.hh_kk, '|', g.part) ELSE concat('K', a.hh_kk) END "
            f"AS hh_key FROM {t['assign0']} a LEFT JOIN {t['gcomp']} g ON a.resident_id = g.resident_id "
            f"LEFT JOIN {t['anchor']} n ON a.hh_kk = n.hh_kk",
        ),
        # a part living apart, in the neighbourhood of a household whose members are also seen on
        # a KK of the part's records (the young family that left the part's KK, whose records lag
        # behind for some of its members): it is that family
        (
            "keys",
            "SELECT DISTINCT a.hh_key, a.hh_kk, a.apart IS NOT NULL AS is_apart, n.nbhd, NULL AS kk "
            f"FROM {t['assign1']} a JOIN {t['nbhd']} n ON a.resident_id = n.resident_id "
            "UNION SELECT DISTINCT a.hh_key, a.hh_kk, a.apart IS NOT NULL, NULL, r.kk "
            f"FROM {t['assign1']} a JOIN {t['rec2']} r ON a.resident_id = r.resident_id "
            "WHERE r.kk IS NOT NULL",
        ),
        (
            "kklink",
            "SELECT DISTINCT p.hh_key, h.hh_key AS to_key "
            f"FROM {t['keys']} p JOIN {t['keys']} h ON p.kk = h.kk AND NOT h.is_apart WHERE p.is_apart",
        ),
        (
            "rejoin",
            "SELECT hh_key, to_key, to_kk FROM (SELECT p.hh_key, h.hh_key AS to_key, h.hh_kk AS to_kk, "
            "row_number() OVER (PARTITION BY p.hh_key ORDER BY count(*) DESC, h.hh_key) AS rn "
            f"FROM {t['keys']} p JOIN {t['keys']} h ON p.nbhd = h.nbhd AND NOT h.is_apart "
            f"JOIN {t['kklink']} k ON k.hh_key = p.hh_key AND k.to_key = h.hh_key "
            "WHERE p.is_apart GROUP BY p.hh_key, h.hh_key, h.hh_kk) x WHERE rn = 1",
        ),
        (
            "assign",
            "SELECT a.resident_id, coalesce(j.to_kk, a.hh_kk) AS hh_kk, "
            "CASE WHEN j.to_key IS NOT NULL THEN 'kk_followed' ELSE a.placed_by END AS placed_by, "
            "CASE WHEN j.to_key IS NOT NULL THEN 'house' ELSE a.follow_kind END AS follow_kind, "
            "CASE WHEN j.to_key IS NULL THEN a.apart END AS apart, coalesce(j.to_key, a.hh_key) AS hh_key "
            f"FROM {t['assign1']} a LEFT JOIN {t['rejoin']} j ON a.hh_key = j.hh_key",
        ),
        # houses: kelurahan + street + house number, on the records of placed residents
        (
            "house",
            f"SELECT DISTINCT resident_id, house FROM {t['rec2']} WHERE house IS NOT NULL",
        ),
        (
            "hhhouse",
            "SELECT DISTINCT h.house, a.hh_key, a.hh_kk, p.surname, p.nama_key, p.nama_ibu_key "
            f"FROM {t['house']} h JOIN {t['assign']} a ON h.resident_id = a.resident_id "
            f"JOIN {t['person']} p ON h.resident_id = p.resident_id",
        ),
        # residents without a usable KK at a house where a household lives
        (
            "attach",
            "SELECT resident_id, hh_key, hh_kk FROM (SELECT resident_id, hh_key, hh_kk, family, "
            "row_number() OVER (PARTITION BY "
            "resident_id ORDER BY family DESC, hh_key) AS rn, count(*) OVER (PARTITION BY resident_id) AS "
            "options, "
            "max(family) OVER (PARTITION BY resident_id) AS any_family FROM ("
            "SELECT h.resident_id, hh.hh_key, hh.hh_kk, max(CASE WHEN (p.surname IS NOT NULL AND p.surname = "
            "hh.surname) "
            "OR p.nama_ibu_key = hh.nama_key OR hh.nama_ibu_key = p.nama_key OR p.nama_ibu_key = "
            "hh.nama_ibu_key "
            "THEN 1 ELSE 0 END) AS family "
            f"FROM {t['house']} h JOIN {t['hhhouse']} hh ON h.house = hh.house "
            f"JOIN {t['person']} p ON h.resident_id = p.resident_id "
            f"LEFT JOIN {t['assign']} a ON h.resident_id = a.resident_id WHERE a.resident_id IS NULL "
            "GROUP BY h.resident_id, hh.hh_key, hh.hh_kk) c) x "
            "WHERE rn = 1 AND (any_family = 1 AND family = 1 OR options = 1)",
        ),
        # everyone else: by house, else alone (or on their only, uncorroborated KK)
        (
            "rest",
            "SELECT p.resident_id, min(h.house) AS house, p.surname, l.latest_kk "
            f"FROM {t['person']} p LEFT JOIN {t['assign']} a ON p.resident_id = a.resident_id "
            f"LEFT JOIN {t['attach']} b ON p.resident_id = b.resident_id "
            f"LEFT JOIN {t['house']} h ON p.resident_id = h.resident_id "
            f"LEFT JOIN {t['latest']} l ON p.resident_id = l.resident_id "
            "WHERE a.resident_id IS NULL AND b.resident_id IS NULL GROUP BY p.resident_id, p.surname, "
            "l.latest_kk",
        ),
        (
            "grouped",
            f"SELECT resident_id, hh_key, hh_kk, placed_by FROM {t['assign']} "
            f"UNION ALL SELECT resident_id, hh_key, hh_kk, 'address' FROM {t['attach']} "
            "UNION ALL SELECT resident_id, CASE WHEN latest_kk IS NOT NULL THEN concat('K', latest_kk) "
            "WHEN house IS NOT NULL THEN concat('A', house) "
            "ELSE concat('R', resident_id) END, latest_kk, "
            "CASE WHEN latest_kk IS NOT NULL THEN 'kk' "
            "WHEN house IS NOT NULL THEN 'address' ELSE 'alone' END "
            f"FROM {t['rest']}",
        ),
        # 6. household ids: a hash of the household's smallest record key
        (
            "hhid",
            "SELECT hh_key, concat('H', upper(substr(md5(min(r.unique_id)), 1, 12))) AS household_id "
            f"FROM {t['grouped']} g JOIN {t['rec2']} r ON g.resident_id = r.resident_id GROUP BY hh_key",
        ),
        (
            "members0",
            "SELECT i.household_id, g.resident_id, g.hh_kk AS current_kk, g.placed_by, a.follow_kind, "
            "coalesce(g.hh_kk IS NOT NULL AND g.hh_key <> concat('K', g.hh_kk), false) AS apart "
            f"FROM {t['grouped']} g JOIN {t['hhid']} i ON g.hh_key = i.hh_key "
            f"LEFT JOIN {t['assign']} a ON g.resident_id = a.resident_id",
        ),
    ]


#: Marks the step computed by :func:`label_components` rather than by one SELECT.
COMPONENTS = ""
#: Label propagation stops after this many rounds (a KK group has a handful of members).
_MAX_ROUNDS = 50


def label_components(engine: Engine, *, pairs: str, out: str) -> None:
    """Connected components of the graph whose edges are the rows ``a, b`` of ``pairs`` (both
    directions and a self-pair for every node): ``out`` holds ``resident_id, part``, the
    smallest resident id of each node's component (label propagation, a round per step)."""
    q = engine.quote
    engine.create_table(out, f"SELECT a AS resident_id, min(b) AS part FROM {q(pairs)} GROUP BY a")
    step = f"{out}_next"
    try:
        for _ in range(_MAX_ROUNDS):
            engine.create_table(
                step,
                f"SELECT p.a AS resident_id, min(c.part) AS part FROM {q(pairs)} p "
                f"JOIN {q(out)} c ON p.b = c.resident_id GROUP BY p.a",
            )
            changed = engine.rows(
                f"SELECT count(*) FROM {q(step)} n JOIN {q(out)} o ON n.resident_id = o.resident_id "
                "WHERE n.part <> o.part"
            )[0][0]
            engine.create_table(out, f"SELECT * FROM {q(step)}")
            if not changed:
                break
    finally:
        engine.drop(step)


STEP_NAMES = (
    "sources", "rec", "famkk", "rec1", "kkn", "kkfix", "rec2", "addr", "kkstat", "obs0", "typo",
    "obs", "kkrole", "person", "latest", "moves", "succ", "mother", "parent", "sibling",
    "motherstays", "follow", "assign0", "nbhd", "gpairs", "gcomp", "anchor", "assign1", "keys",
    "kklink", "rejoin", "assign", "house", "hhhouse", "attach", "rest", "grouped", "hhid",
    "members0",
)  # fmt: skip
