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

from ..rules import (
    Compiled,
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
    lit_list,
    not_,
    null,
    or_,
    struct,
)
from ._text import letters_only, norm_upper
from .gazetteer import MARKER_PREFIX, maps

__all__ = ["AddressExprs", "AddressResult", "address", "address_exprs", "kelurahan"]

_HOUSE = r"(?:(?:^|[^A-Z])(?:NO|NOMOR|NOMER|NMR)\b\.?|#) *:? *([0-9]+[A-Z]?(?:[/-][0-9]+[A-Z]?)?)"
# "RT 005 / RW 03", "RT.03/RW.05", "RT/RW 003/005", "RW 05": the span with the numbers.
_RTRW_SPAN = r"(?:^|[^A-Z])(R[TW](?: *[/.] *RW)?[ .:]*[0-9]{1,3}(?: *[/.,-]? *(?:RW)?[ .:]*[0-9]{1,3})?)"
_BARE = r"(?:^|[ ,])0*([0-9]{1,3}) */ *0*([0-9]{1,3})(?:[ ,]|$)"
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

# Any word of STREET_WORDS (as a whole word of letters).
_STREET_WORD = r"\b(?:" + "|".join(sorted(STREET_WORDS, key=lambda w: (-len(w), w))) + r")\b"


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
    """Digits to an RT/RW number 1-999 ('' , 0 and anything larger give NULL)."""
    value = text.to_int(checked=True)
    return if_(value.between(1, 999), value)


def _distances(key: Expr, candidates: Expr, code_len: int) -> Expr:
    """Edit distance from the key to each ``code:KEY`` candidate (a list of integers)."""
    return candidates.list_map(lambda c: levenshtein(key, c.substr_from(lit(code_len + 2))))


def _allowed(key: Expr) -> Expr:
    """Edit distance allowed for a key: 1 for 5-7 letters, 2 for 8 or more, 0 below."""
    return case((key.length().ge(8), lit(2)), (key.length().ge(5), lit(1)), default=lit(0))


def _nearest(dists: Expr, candidates: Expr, key: Expr, code_len: int) -> Expr:
    """The code of the single nearest candidate within the allowed distance; NULL when a
    different code is just as near (candidates hold each place once), or nothing is near."""
    best = dists.list_min()
    first = dists.list_position(best)
    again = dists.list_slice_from(first.add(1)).list_position(best)
    code = candidates.at(first).substr(1, code_len)
    rival = candidates.at(first.add(again)).substr(1, code_len)
    unique = or_(again.is_null(), rival.eq(code))
    ok = and_(best.le(_allowed(key)), _allowed(key).gt(0), unique)
    return if_(ok, code)


def _key_of_upper(x: Expr) -> Expr:
    """:func:`~.gazetteer.place_key_expr` for text that is already upper-case ASCII."""
    return letters_only(x.re_sub(MARKER_PREFIX, "", every=False))


def _marked(a: Expr, pattern: str, words: tuple[str, ...]) -> Expr:
    """The place name after a Kel./Kec. marker in an address, as a key (NULL if none).

    ``words`` are texts one of which every match of ``pattern`` contains: without them (most
    addresses) the regular expressions are skipped."""
    has_marker = or_(*(a.contains(w) for w in words)) if len(words) > 1 else a.contains(words[0])

    def key(found: Expr) -> Expr:
        return if_(found.ne(""), _key_of_upper(found.re_sub(_NAME_END, "", every=False).trim()))

    return if_(has_marker, a.re_extract(pattern, 1).pipe(key))


def address_exprs(
    *,
    alamat: Expr,
    rt: Expr,
    rw: Expr,
    kelurahan: Expr,
    kecamatan: Expr,
    kabupaten_kota: Expr,
) -> AddressExprs:
    """Build the address rules from the raw columns.

    The regular expressions run at the top level, unconditionally, where DuckDB computes each
    once per row; the decisions between their results run in small ``let`` steps."""
    g = maps()
    a = norm_upper(alamat)
    rt_col, rw_col = norm_upper(rt), norm_upper(rw)
    kel_col, kec_col = norm_upper(kelurahan), norm_upper(kecamatan)
    kab = norm_upper(kabupaten_kota)

    # -- RT/RW ------------------------------------------------------------------------------
    span = a.re_extract(_RTRW_SPAN, 1)

    def rtrw(a: Expr, span: Expr, numbers: Expr, rt_col: Expr, rw_col: Expr) -> Expr:
        only_rw = span.substr(1, 2).eq("RW")
        bare = and_(span.eq(""), a.contains("/"))
        rt_parts = rt_col.re_findall("[0-9]+")
        return struct(
            rt=case(
                (or_(rt_col.not_null(), rw_col.not_null()), _small_int(rt_parts.at(1))),
                (only_rw, null("INTEGER")),
                (bare, _small_int(a.re_extract(_BARE, 1))),
                default=_small_int(numbers.at(1)),
                rare=True,
            ),
            rw=case(
                (rw_col.not_null(), _small_int(rw_col.re_findall("[0-9]+").at(1))),
                (rt_col.not_null(), _small_int(rt_parts.at(2))),
                (only_rw, _small_int(numbers.at(1))),
                (bare, _small_int(a.re_extract(_BARE, 2))),
                default=_small_int(numbers.at(2)),
                rare=True,
            ),
        )

    rtrw_s = let_many([a, span, span.re_findall("[0-9]+"), rt_col, rw_col], rtrw)

    # -- kelurahan / kecamatan keys -----------------------------------------------------------
    kel_marked = _marked(a, _KEL_AFTER, ("KEL", "DESA", "DS"))
    kec_marked = _marked(a, _KEC_AFTER, ("KEC",))

    def keys(
        a: Expr,
        kel_col: Expr,
        kec_col: Expr,
        kel_marked: Expr,
        kec_marked: Expr,
        kel_col_key: Expr,
        kec_col_key: Expr,
        outside: Expr,
    ) -> Expr:
        need_parts = and_(
            a.contains(","),
            or_(
                and_(kel_col.is_null(), kel_marked.is_null()),
                and_(kec_col.is_null(), kec_marked.is_null()),
            ),
        )
        parts = [if_(need_parts, _key_of_upper(a.split(",").at(i).trim()), rare=True) for i in (2, 3, 4)]
        return struct(
            kel_col=kel_col_key,
            kec_col=kec_col_key,
            kel_marked=kel_marked,
            kec_marked=kec_marked,
            p2=parts[0],
            p3=parts[1],
            p4=parts[2],
            outside=outside,
        )

    def is_kel(k: Expr) -> Expr:
        found = coalesce(k.lookup(g.kel_by_key, "VARCHAR"), k.lookup(g.ambiguous_kel_names, "VARCHAR"))
        return and_(k.ne("DEPOK"), found.not_null())

    def pick(s: Expr) -> Expr:
        parts = [s.field(f) for f in ("p2", "p3", "p4")]
        kel_seg = case(*((is_kel(k), k) for k in parts))
        kec_seg = case(*((k.lookup(g.kec_by_key, "VARCHAR").not_null(), k) for k in parts))
        kec_key = coalesce(s.field("kec_col"), s.field("kec_marked"), kec_seg)
        outside = s.field("outside")
        exact = kec_key.lookup(g.kec_by_key, "VARCHAR")
        need = and_(not_(outside), exact.is_null(), kec_key.not_null())
        return struct(
            kel_key=coalesce(s.field("kel_col"), s.field("kel_marked"), kel_seg),
            kec_key=kec_key,
            outside=outside,
            kec_exact=exact,
            kec_dists=if_(need, _distances(kec_key, lit_list(g.fuzzy_kec), 8), rare=True),
        )

    def kelurahan_step(s: Expr) -> Expr:
        kel_key, kec_key, outside = (s.field(k) for k in ("kel_key", "kec_key", "outside"))
        kec_dists = s.field("kec_dists")
        kec_fuzzy = if_(
            kec_dists.not_null(),
            _nearest(kec_dists, lit_list(g.fuzzy_kec), kec_key, 8),
            rare=True,
        )
        kec_depok = if_(not_(outside), coalesce(s.field("kec_exact"), kec_fuzzy))
        exact = if_(
            and_(not_(outside), kel_key.not_null()),
            coalesce(
                kel_key.lookup(g.kel_by_key, "VARCHAR"),
                kel_key.concat("|", kec_depok).lookup(g.kel_by_key_kec, "VARCHAR"),
            ),
        )
        need = and_(not_(outside), kel_key.not_null(), exact.is_null())
        candidates = if_(
            need,
            coalesce(kec_depok.lookup(g.fuzzy_kel_by_kec, "VARCHAR[]"), lit_list(g.fuzzy_kel)),
            rare=True,
        )
        dists = if_(need, _distances(kel_key, candidates, 13), rare=True)
        code = coalesce(
            exact,
            if_(dists.not_null(), _nearest(dists, candidates, kel_key, 13), rare=True),
        )
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
            [
                a,
                kel_col,
                kec_col,
                kel_marked,
                kec_marked,
                _key_of_upper(kel_col),
                _key_of_upper(kec_col),
                coalesce(and_(kab.re_has("[A-Z]"), not_(kab.contains("DEPOK"))), lit(False)),
            ],
            keys,
        )
        .pipe(pick)
        .pipe(kelurahan_step)
    )

    # -- street and house number (single chains, no sharing) --------------------------------
    house = a.re_extract(_HOUSE, 1).nullif("")
    after_comma = case((a.contains(","), a.re_sub(_STREET_WORDS_AFTER_COMMA, r" \1")), default=a)
    street_text = (
        after_comma.re_sub(_STREET_END, "", every=False)
        .re_sub("[^A-Z0-9/ ]+", " ")
        .trim()
    )
    # Word by word only when a word to shorten is there; otherwise that only squeezes spaces.
    street = street_text.pipe(
        lambda t: case(
            (
                t.re_has(_STREET_WORD),
                t.split(" ")
                .list_map(lambda w: coalesce(w.lookup(STREET_WORDS, "VARCHAR"), w))
                .list_filter(lambda w: w.ne(""))
                .list_join(" "),
            ),
            default=t.re_sub(" {2,}", " "),
            rare=True,
        )
    ).nullif("")
    return AddressExprs(
        street=street,
        house_number=house,
        rt=rtrw_s.field("rt"),
        rw=rtrw_s.field("rw"),
        **{
            name: region.field(name)
            for name in ("kelurahan", "kecamatan", "kelurahan_code", "kecamatan_code", "kelurahan_known")
        },
    )


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
def _fns() -> dict[str, Compiled]:
    exprs = address_exprs(**{name: col(name) for name in _INPUTS})
    return {f: compile_py(getattr(exprs, f)) for f in AddressExprs.__dataclass_fields__}


def _result(record: dict[str, object]) -> AddressResult:
    out: dict[str, object] = {}
    for field, fn in _fns().items():
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
