"""Addresses: street, house number, RT/RW, and kelurahan/kecamatan against the Depok gazetteer.

* **Street**: ``alamat`` up to the first house number, RT/RW, ``Kel.``/``Kec.``/``Kota``/
  ``Kab.`` marker or comma — a comma followed by a street word (``Gg.``, ``Blok``, ``Komp.``,
  ``Perum``, ``Jl.``) continues the street. Words are shortened to one form (``Jalan``/``Jln``
  -> ``JL``, ``Gang`` -> ``GG``, ``Komplek(s)`` -> ``KOMP``, ``Perumahan`` -> ``PERUM``,
  ``Kampung`` -> ``KP``, ``Blk`` -> ``BLOK``), punctuation becomes spaces. Titles in street
  names stay: ``Jl. H. Terin`` is ``JL H TERIN``.
* **House number**: after ``No``/``No.``/``Nomor``/``#`` (``12``, ``12A``, ``12/3``).
* **RT/RW** as integers (0 counts as missing), from the ``rt``/``rw`` columns when either is
  given (``3``, ``003``, ``RT 003``, ``003/005`` in the ``rt`` column), else from ``alamat``:
  ``RT 003/RW 005``, ``RT.03/RW.05``, ``Rt 008/ Rw 01``, ``RT/RW 003/005``, ``RT 02 RW 02``,
  and a bare ``003/005`` when ``alamat`` has no RT/RW word.
* **Kelurahan/kecamatan**: from the columns, else from ``Kel. X``/``Kec. Y`` inside ``alamat``,
  else from comma-separated parts of ``alamat`` that are exactly a Depok kelurahan/kecamatan
  name (``Depok`` alone is read as the city, not the kelurahan). Matching uses the place key
  (letters only, so ``Pondokcina`` = ``Pondok Cina``; ``BR``/``TIM``/``SEL``/``UT`` and
  ``PGS``/``BPT`` abbreviations known):

  1. kecamatan: exact key, else the nearest kecamatan within edit distance 1 (keys of 5-7
     letters) or 2 (8 or more), when one kecamatan is nearest;
  2. kelurahan: exact anywhere when the name is unique (the kelurahan then decides the
     kecamatan — old pre-2007 kecamatan names are common); a name used twice (``Curug``)
     exact within the kecamatan; else the nearest within the kecamatan (or anywhere when
     there is no kecamatan), same distances;
  3. ``Curug`` without a kecamatan is ambiguous (Cimanggis and Bojongsari): the name is
     given, the codes are not;
  4. when ``kabupaten_kota`` names somewhere other than Depok, the Depok gazetteer is not
     used; the kecamatan is then looked up among the neighbouring regions' kecamatan.

Names are upper case in the gazetteer's spelling (``PANGKALAN JATI BARU``); codes are
Kemendagri (``32.76.09.1004``, ``32.76.09``). ``kelurahan_known`` is true when a kelurahan
was given and recognised, false when given but not recognised, NULL when none was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ._expr import (
    Expr,
    and_,
    case,
    coalesce,
    col,
    compile_py,
    if_,
    let_many,
    levenshtein,
    lit,
    not_,
    null,
    or_,
    struct,
)
from ._text import letters_only, norm_upper
from .gazetteer import MARKER_PREFIX, maps

__all__ = ["AddressExprs", "AddressResult", "address", "address_exprs", "kelurahan"]

_HOUSE = (
    r"(?:(?:^|[^A-Z])(?:NO|NOMOR|NOMER|NMR)\b\.?|#) *:? *([0-9]+[A-Z]?(?:[/-][0-9]+[A-Z]?)?)"
)
# "RT 005 / RW 03", "RT.03/RW.05", "RT/RW 003/005", "RW 05": the span with the numbers.
_RTRW_SPAN = (
    r"(?:^|[^A-Z])(R[TW](?: *[/.] *RW)?[ .:]*[0-9]{1,3}(?: *[/.,-]? *(?:RW)?[ .:]*[0-9]{1,3})?)"
)
_BARE = r"(?:^|[ ,])0*([0-9]{1,3}) */ *0*([0-9]{1,3})(?:[ ,]|$)"
_RT_COLUMN = (
    r"^(?:RT)?[ .:]*0*([0-9]{1,3})(?: *[/.-] *(?:RW)?[ .:]*0*([0-9]{1,3}))?(?:\.0+)?$"
)
_RW_COLUMN = r"^(?:RW)?[ .:]*0*([0-9]{1,3})(?:\.0+)?$"
_STREET_WORDS_AFTER_COMMA = (
    r", *(GG|GANG|BLOK|BLK|KOMP|KOMPLEK|KOMPLEKS|PERUM|PERUMAHAN|PERUMNAS|JL|JLN|JALAN)\b"
)
_STREET_END = (
    r"(?:(?:^|[ ,.]+)(?:NO|NOMOR|NOMER|NMR|RT|RW|KEL|KELURAHAN|DESA|DS|KEC|KECAMATAN|KOTA|KAB|"
    r"KABUPATEN|KODYA|KOTAMADYA|PROV|PROVINSI)(?:[^A-Z].*)?|[ ,]*#.*|,.*"
    r"|(?:^|[ ,]+)[0-9]{1,3} */ *[0-9]{1,3}(?:[ ,].*)?)$"
)
_KEL_AFTER = r"(?:^|[^A-Z])(?:KELURAHAN|KEL|DESA|DS)[ .:]+([A-Z][A-Z .'-]*)"
_KEC_AFTER = r"(?:^|[^A-Z])(?:KECAMATAN|KEC)[ .:]+([A-Z][A-Z .'-]*)"
# where a marked kelurahan/kecamatan name ends
_NAME_END = r" *(?:\b(?:KEC|KECAMATAN|KOTA|KAB|KABUPATEN|DEPOK|JAWA|JABAR|PROV|RT|RW)\b.*)?$"
STREET_WORDS = {
    "JLN": "JL",
    "JALAN": "JL",
    "GANG": "GG",
    "KOMPLEK": "KOMP",
    "KOMPLEKS": "KOMP",
    "KOMPLEX": "KOMP",
    "PERUMAHAN": "PERUM",
    "KAMPUNG": "KP",
    "KAMP": "KP",
    "BLK": "BLOK",
}


@dataclass(frozen=True, kw_only=True)
class AddressExprs:
    """Rule trees for the address fields of one record (internal)."""

    street: Expr
    house_number: Expr
    rt: Expr
    rw: Expr
    kelurahan: Expr
    kecamatan: Expr
    kelurahan_code: Expr
    kecamatan_code: Expr
    kelurahan_known: Expr


def _small_int(text: Expr) -> Expr:
    """'' or digits (at most 3) to a positive INTEGER (0 and '' give NULL)."""
    return text.to_int(checked=True).nullif(0)


def _scores(key: Expr, candidates: Expr, code_len: int) -> Expr:
    """Each ``code:KEY`` candidate as ``<2-digit distance><code>`` (sorts by distance)."""

    def one(cand: Expr) -> Expr:
        dist = levenshtein(key, cand.substr_from(lit(code_len + 2)))
        dist = if_(dist.gt(99), lit(99), dist)
        padded = if_(dist.lt(10), lit("0").concat(dist.to_str()), dist.to_str())
        return padded.concat(cand.substr(1, code_len))

    return candidates.list_map(one)


def _allowed(key: Expr) -> Expr:
    """Edit distance allowed for a key: 1 for 5-7 letters, 2 for 8 or more, 0 below."""
    return case((key.length().ge(8), lit(2)), (key.length().ge(5), lit(1)), default=lit(0))


def _pick(scored: Expr, key: Expr, code_len: int) -> Expr:
    """The code of the single nearest candidate within the allowed distance (NULL on a tie
    between different codes, or when nothing is near enough)."""
    best = scored.list_min()
    best_dist = best.substr(1, 2)
    ties = scored.list_filter(lambda t: t.substr(1, 2).eq(best_dist))
    unique = ties.list_min().eq(ties.list_max())
    allowed = _allowed(key)
    within = best_dist.to_int(checked=True).le(allowed)
    return if_(and_(allowed.gt(0), within, unique), best.substr(3, code_len))


def _key_of_upper(x: Expr) -> Expr:
    """:func:`~.gazetteer.place_key_expr` for text that is already upper-case ASCII."""
    return letters_only(x.re_sub(MARKER_PREFIX, ""))


def _marked(a: Expr, pattern: str) -> Expr:
    """The place name after a Kel./Kec. marker in an address, as a key (NULL if none)."""
    return _key_of_upper(a.re_extract(pattern, 1).re_sub(_NAME_END, "", every=False))


def address_exprs(
    *,
    alamat: Expr,
    rt: Expr,
    rw: Expr,
    kelurahan: Expr,
    kecamatan: Expr,
    kabupaten_kota: Expr,
) -> AddressExprs:
    """Build the address rules from the raw columns."""
    g = maps()
    a = norm_upper(alamat)
    house = if_(or_(a.contains("NO"), a.contains("#")), a.re_extract(_HOUSE, 1).nullif(""))

    # -- RT/RW ------------------------------------------------------------------------------
    rt_col, rw_col = norm_upper(rt), norm_upper(rw)
    span = if_(or_(a.contains("RT"), a.contains("RW")), a.re_extract(_RTRW_SPAN, 1).nullif(""))

    def rtrw(a: Expr, rt_col: Expr, rw_col: Expr, span: Expr) -> Expr:
        numbers = span.re_sub("[^0-9]+", " ").trim().split(" ")
        only_rw = span.substr(1, 2).eq("RW")
        bare = and_(span.is_null(), a.contains("/"))
        bare_rt = _small_int(a.re_extract(_BARE, 1))
        bare_rw = _small_int(a.re_extract(_BARE, 2))
        rt_alamat = case((only_rw, null("INTEGER")), (bare, bare_rt), default=_small_int(numbers.at(1)))
        rw_alamat = case(
            (only_rw, _small_int(numbers.at(1))), (bare, bare_rw), default=_small_int(numbers.at(2))
        )
        from_columns = or_(rt_col.not_null(), rw_col.not_null())
        return struct(
            rt=case(
                (from_columns, _small_int(rt_col.re_extract(_RT_COLUMN, 1))), default=rt_alamat
            ),
            rw=case(
                (rw_col.not_null(), _small_int(rw_col.re_extract(_RW_COLUMN, 1))),
                (rt_col.not_null(), _small_int(rt_col.re_extract(_RT_COLUMN, 2))),
                default=rw_alamat,
            ),
        )

    rtrw_s = let_many([a, rt_col, rw_col, span], rtrw)

    # -- street -----------------------------------------------------------------------------
    street_text = (
        a.re_sub(_STREET_WORDS_AFTER_COMMA, r" \1")
        .re_sub(_STREET_END, "", every=False)
        .re_sub("[^A-Z0-9/ ]+", " ")
        .trim()
    )
    street = (
        street_text.split(" ")
        .list_map(lambda w: coalesce(w.lookup(STREET_WORDS, "VARCHAR"), w))
        .list_filter(lambda w: w.ne(""))
        .list_join(" ")
        .nullif("")
    )

    # -- kelurahan / kecamatan --------------------------------------------------------------
    def keys(a: Expr, kel_col: Expr, kec_col: Expr, kab: Expr) -> Expr:
        seg_keys = a.split(",").list_slice(2).list_map(_key_of_upper)
        kel_seg = seg_keys.list_filter(
            lambda k: and_(
                k.ne("DEPOK"),
                coalesce(
                    k.lookup(g.kel_by_key, "VARCHAR"), k.lookup(g.ambiguous_kel_names, "VARCHAR")
                ).not_null(),
            )
        ).at(1)
        kec_seg = seg_keys.list_filter(
            lambda k: k.lookup(g.kec_by_key, "VARCHAR").not_null()
        ).at(1)
        kel_marker = or_(a.contains("KEL"), a.contains("DESA"), a.contains("DS"))
        kec_marker = a.contains("KEC")
        return struct(
            kel_key=case(
                (kel_col.not_null(), _key_of_upper(kel_col)),
                (a.is_null(), null("VARCHAR")),
                default=coalesce(if_(kel_marker, _marked(a, _KEL_AFTER)), kel_seg),
            ),
            kec_key=case(
                (kec_col.not_null(), _key_of_upper(kec_col)),
                (a.is_null(), null("VARCHAR")),
                default=coalesce(if_(kec_marker, _marked(a, _KEC_AFTER)), kec_seg),
            ),
            outside=coalesce(and_(kab.re_has("[A-Z]"), not_(kab.contains("DEPOK"))), lit(False)),
        )

    def kec_stage(s: Expr) -> Expr:
        kec_key, outside = s.field("kec_key"), s.field("outside")
        exact = kec_key.lookup(g.kec_by_key, "VARCHAR")
        need = and_(not_(outside), exact.is_null(), kec_key.not_null())
        return struct(
            kel_key=s.field("kel_key"),
            kec_key=kec_key,
            outside=outside,
            kec_exact=exact,
            kec_scored=if_(need, _scores(kec_key, lit_list(g.kec_candidates), 8)),
        )

    def kel_stage(s: Expr) -> Expr:
        kel_key, kec_key, outside = (s.field(k) for k in ("kel_key", "kec_key", "outside"))
        scored = s.field("kec_scored")
        kec_fuzzy = if_(scored.not_null(), _pick(scored, kec_key, 8))
        kec_depok = if_(not_(outside), coalesce(s.field("kec_exact"), kec_fuzzy))
        exact = if_(
            and_(not_(outside), kel_key.not_null()),
            coalesce(
                kel_key.lookup(g.kel_by_key, "VARCHAR"),
                kel_key.concat("|", kec_depok).lookup(g.kel_by_key_kec, "VARCHAR"),
            ),
        )
        everywhere = lit_list(g.kel_candidates)
        candidates = case(
            (kec_depok.is_null(), everywhere),
            default=everywhere.list_filter(lambda c: c.substr(1, 8).eq(kec_depok)),
        )
        need = and_(not_(outside), kel_key.not_null(), exact.is_null())
        return struct(
            kel_key=kel_key,
            kec_key=kec_key,
            outside=outside,
            kec_depok=kec_depok,
            kel_exact=exact,
            kel_scored=if_(need, _scores(kel_key, candidates, 13)),
        )

    def finish(s: Expr) -> Expr:
        kel_key, kec_key, outside, kec_depok = (
            s.field(k) for k in ("kel_key", "kec_key", "outside", "kec_depok")
        )
        scored = s.field("kel_scored")
        code = coalesce(s.field("kel_exact"), if_(scored.not_null(), _pick(scored, kel_key, 13)))
        kel_name = coalesce(
            code.lookup(g.kel_name_by_code, "VARCHAR"),
            if_(not_(outside), kel_key.lookup(g.ambiguous_kel_names, "VARCHAR")),
        )
        depok_kec = coalesce(code.substr(1, 8), kec_depok)
        neighbour = if_(
            and_(depok_kec.is_null(), kec_key.not_null()),
            kec_key.lookup(g.neighbour_kec_by_key, "VARCHAR"),
        )
        return struct(
            kelurahan=kel_name,
            kecamatan=coalesce(
                depok_kec.lookup(g.depok_kec_name_by_code, "VARCHAR"),
                neighbour.split("|").at(2),
            ),
            kelurahan_code=code,
            kecamatan_code=coalesce(depok_kec, neighbour.split("|").at(1).nullif("")),
            kelurahan_known=if_(kel_key.not_null(), kel_name.not_null()),
        )

    region = (
        let_many(
            [a, norm_upper(kelurahan), norm_upper(kecamatan), norm_upper(kabupaten_kota)], keys
        )
        .pipe(kec_stage)
        .pipe(kel_stage)
        .pipe(finish)
    )
    return AddressExprs(
        street=street,
        house_number=house,
        rt=rtrw_s.field("rt"),
        rw=rtrw_s.field("rw"),
        kelurahan=region.field("kelurahan"),
        kecamatan=region.field("kecamatan"),
        kelurahan_code=region.field("kelurahan_code"),
        kecamatan_code=region.field("kecamatan_code"),
        kelurahan_known=region.field("kelurahan_known"),
    )


def lit_list(values: list[str]) -> Expr:
    """A constant list of text (rendered as a list literal)."""
    return Expr("lit", (), (list(values),))


# ---- single values -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddressResult:
    """A parsed address (any part may be None)."""

    street: str | None
    house_number: str | None
    rt: int | None
    rw: int | None
    kelurahan: str | None
    kecamatan: str | None
    kelurahan_code: str | None
    kecamatan_code: str | None
    kelurahan_known: bool | None


_INPUTS = ("alamat", "rt", "rw", "kelurahan", "kecamatan", "kabupaten_kota")


@cache
def _fns() -> dict[str, object]:
    exprs = address_exprs(**{name: col(name) for name in _INPUTS})
    return {f: compile_py(getattr(exprs, f)) for f in AddressExprs.__dataclass_fields__}


def _result(record: dict[str, object]) -> AddressResult:
    out: dict[str, object] = {}
    for field, fn in _fns().items():
        assert callable(fn)
        out[field] = fn(record)
    return AddressResult(**out)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def address(
    value: object,
    *,
    rt: object = None,
    rw: object = None,
    kecamatan: object = None,
    kabupaten_kota: object = None,
) -> AddressResult:
    """Parse one free-text address (``alamat``), optionally with separate RT/RW/kecamatan.

    >>> r = address("Jl. H. Terin No.5. RT 005 / RW 03, Kelurahan Pangkalan jati baru, "
    ...             "Kecamatan Cinere, Kota Depok")
    >>> r.street, r.house_number, r.rt, r.rw, r.kelurahan, r.kelurahan_code
    ('JL H TERIN', '5', 5, 3, 'PANGKALAN JATI BARU', '32.76.09.1004')
    """
    return _result(
        {
            "alamat": _text(value),
            "rt": _text(rt),
            "rw": _text(rw),
            "kelurahan": None,
            "kecamatan": _text(kecamatan),
            "kabupaten_kota": _text(kabupaten_kota),
        }
    )


def kelurahan(value: object, kecamatan: object = None) -> AddressResult:
    """Recognise a bare kelurahan value (and optional kecamatan) against the gazetteer.

    >>> r = kelurahan("Pondokcina")
    >>> r.kelurahan, r.kecamatan, r.kelurahan_code
    ('PONDOK CINA', 'BEJI', '32.76.06.1005')
    >>> kelurahan("Curug").kelurahan_code is None, kelurahan("Curug", "Bojongsari").kelurahan_code
    (True, '32.76.11.1005')
    """
    return _result(
        {
            "alamat": None,
            "rt": None,
            "rw": None,
            "kelurahan": _text(value),
            "kecamatan": _text(kecamatan),
            "kabupaten_kota": None,
        }
    )
