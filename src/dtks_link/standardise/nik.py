"""NIK and No. KK: clean, decode, validate, and catch one typed into the other's field.

A NIK is 16 digits ``PP KK CC DDMMYY SSSS``: province, kab/kota, kecamatan (where it was
first registered, frozen for life), birth date with **40 added to the day for women**, and a
serial. A No. KK has the same region prefix, then the issue date (no +40) and a serial.

Cleaning removes spaces, dots, dashes, apostrophes, quotes and a trailing ``.0``.

Problem codes, always reported in this order (``nik_problems`` joins them with commas):

=================  ===========================================================================
``missing``        empty, ``-``, ``0``, ``NULL``, ``TIDAK ADA`` and the like (nothing else is
                   reported then)
``excel_damaged``  scientific notation (``3.27601E+15``), or a 16-digit value ending in 0 from a
                   numeric source column (Excel keeps 15 significant digits, so the last digit
                   is lost; about one genuine NIK in ten also ends in 0 and is flagged too —
                   there is no way to tell them apart)
``masked``         digits hidden with ``x``, ``*``, ``#`` or ``?``
``bad_length``     digits only, but not 16 of them
``not_digits``     letters or other characters left after cleaning
``unknown_region`` province not one of the 38; kab/kota not 01-39 or 71-79; kecamatan 00, or
                   above the highest number known for Depok and its neighbours (old,
                   pre-split numbers stay valid)
``bad_date``       day/month do not form a real date (day 32-40 and above 71 included)
``zero_serial``    serial ``0000``
``placeholder``    one digit repeated 16 times, or starting ``012345``/``123456``/``987654``
``looks_like_kk``  the same 16 digits as the record's No. KK, without the signs of a NIK (a
                   day above 40, or the record's birth date) (NIK only)
``looks_like_nik`` a No. KK whose day is above 40 (a KK date has no +40), or that equals the
                   record's NIK when that one does show the signs of a NIK (KK only)
=================  ===========================================================================

The cleaned number (``nik``/``no_kk``) is kept when it is 16 digits and not Excel-damaged, even
with other problems; ``valid`` is true only when there is no problem at all. The derived birth
date, sex and region are given only when they can be trusted (no placeholder, no bad date, not
a KK number; region not unknown).

Two-digit birth years resolve to 20yy unless that lies after the reference date, then 19yy.
"""

from __future__ import annotations

import datetime
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
    concat_ws,
    if_,
    let_many,
    lit,
    not_,
    or_,
    struct,
)
from ._text import plain_upper
from .gazetteer import region_rules

__all__ = ["IdExprs", "KkResult", "NikResult", "id_exprs", "parse_kk", "parse_nik"]

NIK_PROBLEMS = (
    "missing",
    "excel_damaged",
    "masked",
    "bad_length",
    "not_digits",
    "unknown_region",
    "bad_date",
    "zero_serial",
    "placeholder",
    "looks_like_kk",
)
KK_PROBLEMS = (*NIK_PROBLEMS[:-1], "looks_like_nik")

_MISSING_WORDS = (
    "0",
    "NULL",
    "NONE",
    "NAN",
    "NA",
    "NAT",
    "NIL",
    "TIDAKADA",
    "TDKADA",
    "TAKADA",
    "BELUMADA",
    "BLMADA",
    "KOSONG",
    "TIDAKPUNYA",
    "BELUMPUNYA",
    "BELUMMEMILIKI",
    "TIDAKMEMILIKI",
)


_SCIENTIFIC = r"^[0-9]+(?:[.,][0-9]+)?E\+?[0-9]+$"
_MASK = r"^[0-9]*[X*#?][0-9X*#?]*$"
_PLACEHOLDER = "^(?:0+|1+|2+|3+|4+|5+|6+|7+|8+|9+)$|^(?:012345|123456|987654)"


def _clean(raw: Expr, numeric: Expr) -> Expr:
    """struct(number, kind, prefix): the 16 clean digits or NULL, the one 'early' problem code
    ('' when the value is 16 digits): missing, excel_damaged, masked, not_digits or bad_length,
    and for an Excel-damaged NIK its region and birth part (12 digits) when they survived.

    The regular expressions run at the top level; the decision in one small ``let``."""
    text = plain_upper(raw)
    no_fraction = case((text.contains("."), text.re_sub(r"([0-9])\.0+$", r"\1", every=False)), default=text)
    c = no_fraction.re_sub(r"[^0-9A-Z*#?]+", "")
    # Tests that cannot be true without a letter or sign are skipped (same value: FALSE, or
    # NULL for NULL text).
    has_e = text.contains("E")
    has_mask = or_(*(c.contains(ch) for ch in "X*#?"))

    def classify(c: Expr, no_text: Expr, sci: Expr, tail0: Expr, mask: Expr, dg: Expr) -> Expr:
        kind = case(
            (or_(no_text, c.eq(""), c.isin(_MISSING_WORDS)), lit("missing")),
            (or_(sci, tail0), lit("excel_damaged")),
            (mask, lit("masked")),
            (not_(dg), lit("not_digits")),
            (c.length().ne(16), lit("bad_length")),
            default=lit(""),
        )
        # What survives Excel, kept only when the region and birth part (12 digits) survived
        # whole: that part is what comparisons use, and a keyed pseudonym can carry it (its
        # first characters hash exactly these 12 digits). ``c`` of 3.276011708850E+15 is
        # 3276011708850E15: 12 digits and one more (the last one shown is rounded); a numeric
        # column keeps 15 digits (the 15th may be rounded).
        prefix = case(
            (sci, c.re_extract("^([0-9]{12})[0-9]+E", 1).nullif("")),
            (tail0, c.substr(1, 12)),
            rare=True,
        )
        return struct(number=if_(kind.eq(""), c), kind=kind, prefix=prefix)

    return let_many(
        [
            c,
            text.is_null(),
            case((has_e, text.re_has(_SCIENTIFIC)), default=has_e),
            case((numeric, c.re_has("^[0-9]{15}0$")), default=lit(False)),
            case((has_mask, c.re_has(_MASK)), default=has_mask),
            c.re_has("^[0-9]+$"),
        ],
        classify,
    )


def _region_pattern() -> str:
    """Province one of the 38, kab/kota 01-39 or 71-79 (DKI: 01 and 71-75 only)."""
    rules = region_rules()
    others = "|".join(sorted(p for p in rules.provinces if p != "31"))
    return f"^(?:(?:{others})(?:0[1-9]|[1-3][0-9]|7[1-9])|31(?:01|7[1-5]))"


def _decode(cleaned: Expr, ref: datetime.date, *, plus40: bool) -> Expr:
    """struct(number, kind, late, date, region, female, ddmmyy, day41): what the 16 digits
    say on their own (``cleaned`` is the struct from :func:`_clean`).

    ``late`` holds the codes unknown_region, bad_date, zero_serial, placeholder (in that
    order); ``ddmmyy`` is the date part with the real day; ``day41`` is a day of 41-71.
    Everything is cheap text work: the date is built as ``YYYY-MM-DD`` and cast."""
    rules = region_rules()
    region_pattern = _region_pattern()
    ref_text = ref.strftime("%Y%m%d")

    def body(cl: Expr) -> Expr:
        n = cl.field("number")
        region_match = n.re_has(region_pattern)
        placeholder = n.re_has(_PLACEHOLDER)
        first = n.substr(7, 1)
        day41 = and_(first.isin(("4", "5", "6", "7")), n.substr(7, 2).ne("40"))
        # women: 40 added to the day; 41-71 -> 01-31
        real_day = first.translate("4567", "0123").concat(n.substr(8, 1)) if plus40 else (n.substr(7, 2))
        yymmdd = n.substr(11, 2).concat(n.substr(9, 2), real_day)
        century = if_(lit("20").concat(yymmdd).gt(ref_text), lit("19"), lit("20"))
        iso = century.concat(n.substr(11, 2), "-", n.substr(9, 2), "-", real_day)
        date = iso.try_date(checked=True)
        if not plus40:
            date = if_(first.isin(("0", "1", "2", "3")), date)
        kecamatan = n.substr(5, 2).to_int(checked=True)
        max_kec = coalesce(n.substr(1, 4).lookup(rules.max_kecamatan, "INTEGER"), lit(99))
        region_ok = and_(region_match, kecamatan.between(1, max_kec))
        bad_date = date.is_null() if plus40 else and_(date.is_null(), not_(day41))
        return struct(
            number=n,
            kind=cl.field("kind"),
            late=if_(
                n.not_null(),
                concat_ws(
                    ",",
                    if_(not_(region_ok), lit("unknown_region")),
                    if_(bad_date, lit("bad_date")),
                    if_(n.substr(13, 4).eq("0000"), lit("zero_serial")),
                    if_(placeholder, lit("placeholder")),
                ),
            ),
            date=if_(not_(placeholder), date),
            region=if_(and_(region_ok, not_(placeholder)), n.substr(1, 6)),
            female=day41,
            ddmmyy=real_day.concat(n.substr(9, 4)),
            day41=day41,
        )

    return cleaned.pipe(body)


@dataclass(frozen=True, kw_only=True)
class IdExprs:
    """Rule trees for the NIK and No. KK columns of one record (internal)."""

    nik: Expr
    nik_valid: Expr
    nik_problems: Expr
    nik_birth_date: Expr
    nik_sex: Expr
    nik_region: Expr
    nik_prefix: Expr
    nik_dob_mismatch: Expr
    nik_sex_mismatch: Expr
    no_kk: Expr
    kk_valid: Expr
    kk_problems: Expr


def id_exprs(
    *,
    nik: Expr,
    no_kk: Expr,
    numeric_source: Expr | None,
    dob_ddmmyy: Expr,
    sex: Expr,
    reference_date: datetime.date,
) -> IdExprs:
    """Build the NIK and KK rules. ``dob_ddmmyy`` (the record's birth date as DDMMYY) and
    ``sex`` are used for the NIK/KK swap checks and the mismatch flags."""
    numeric = lit(False) if numeric_source is None else coalesce(numeric_source, lit(False))
    nik_clean = _clean(nik, numeric)
    kk_clean = _clean(no_kk, lit(False))
    n_dec = _decode(nik_clean, reference_date, plus40=True)
    k_dec = _decode(kk_clean, reference_date, plus40=False)

    def combined(n: Expr, k: Expr, dob_key: Expr, sex: Expr) -> Expr:
        n_kind, k_kind = n.field("kind"), k.field("kind")
        has_n, has_k = n.field("number").not_null(), k.field("number").not_null()
        matches_dob = coalesce(n.field("ddmmyy").eq(dob_key), lit(False))
        nik_is_nik = or_(n.field("female"), matches_dob)
        same = coalesce(n.field("number").eq(k.field("number")), lit(False))
        looks_like_kk = and_(same, not_(nik_is_nik))
        looks_like_nik = or_(coalesce(k.field("day41"), lit(False)), and_(same, nik_is_nik))
        nik_problems = concat_ws(
            ",",
            n_kind.nullif(""),
            n.field("late").nullif(""),
            if_(looks_like_kk, lit("looks_like_kk")),
        )
        kk_problems = concat_ws(
            ",",
            k_kind.nullif(""),
            k.field("late").nullif(""),
            if_(looks_like_nik, lit("looks_like_nik")),
        )
        birth = if_(not_(looks_like_kk), n.field("date"))
        nik_sex = if_(birth.not_null(), if_(n.field("female"), lit("P"), lit("L")))
        return struct(
            nik_valid=and_(has_n, nik_problems.eq("")),
            nik_problems=nik_problems,
            nik_birth_date=birth,
            nik_sex=nik_sex,
            nik_dob_mismatch=coalesce(
                and_(birth.not_null(), dob_key.not_null(), not_(matches_dob)), lit(False)
            ),
            nik_sex_mismatch=coalesce(and_(nik_sex.not_null(), sex.not_null(), nik_sex.ne(sex)), lit(False)),
            kk_valid=and_(has_k, kk_problems.eq("")),
            kk_problems=kk_problems,
        )

    ids = let_many([n_dec, k_dec, dob_ddmmyy, sex], combined)
    nik_checks = ("nik_valid", "nik_problems", "nik_birth_date", "nik_sex")
    checked = (*nik_checks, "nik_dob_mismatch", "nik_sex_mismatch", "kk_valid", "kk_problems")
    return IdExprs(
        nik=nik_clean.field("number"),
        nik_region=n_dec.field("region"),
        nik_prefix=nik_clean.field("prefix"),
        no_kk=kk_clean.field("number"),
        **{name: ids.field(name) for name in checked},
    )


# ---- single values -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NikResult:
    """A parsed NIK. Fields other than ``problems``/``valid`` are None when not derivable."""

    nik: str | None
    valid: bool
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    birth_date: datetime.date | None
    sex: str | None
    serial: str | None
    region: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class KkResult:
    """A parsed No. KK."""

    no_kk: str | None
    valid: bool
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    serial: str | None
    problems: tuple[str, ...]


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 1e17:
            return f"{int(value)}.0"
        return repr(value).upper()
    return str(value)


@cache
def _nik_fns(reference_date: datetime.date) -> dict[str, Compiled]:
    from .dates import date_exprs
    from .sex import sex_expr

    dob = date_exprs(col("tanggal_lahir"), reference_date).ddmmyy
    ids = id_exprs(
        nik=col("nik"),
        no_kk=col("no_kk"),
        numeric_source=col("nik_numeric_source"),
        dob_ddmmyy=dob,
        sex=sex_expr(col("jenis_kelamin")),
        reference_date=reference_date,
    )
    return {name: compile_py(getattr(ids, name)) for name in IdExprs.__dataclass_fields__}


def _call(fns: dict[str, Compiled], name: str, record: dict[str, object]) -> object:
    return fns[name](record)


def parse_nik(
    value: object,
    *,
    numeric_source: bool | None = None,
    no_kk: object = None,
    tanggal_lahir: object = None,
    reference_date: datetime.date | None = None,
) -> NikResult:
    """Clean, decode and validate one NIK.

    ``numeric_source`` says the value came from a numeric column (a float ``value`` implies
    it). ``no_kk`` and ``tanggal_lahir`` (the record's other fields) enable the KK-swap check.

    >>> r = parse_nik("3276.0141.0885.0003")
    >>> r.nik, r.valid, r.district_code, r.birth_date, r.sex
    ('3276014108850003', True, '01', datetime.date(1985, 8, 1), 'P')
    >>> parse_nik("3.27601E+15").problems
    ('excel_damaged',)
    """
    if numeric_source is None:
        numeric_source = isinstance(value, float | int) and not isinstance(value, bool)
    fns = _nik_fns(reference_date or datetime.date.today())
    record: dict[str, object] = {
        "nik": _as_text(value),
        "no_kk": _as_text(no_kk),
        "nik_numeric_source": numeric_source,
        "tanggal_lahir": None if tanggal_lahir is None else _date_text(tanggal_lahir),
        "jenis_kelamin": None,
    }
    number = _call(fns, "nik", record)
    n = number if isinstance(number, str) else None
    birth = _call(fns, "nik_birth_date", record)
    sex = _call(fns, "nik_sex", record)
    region = _call(fns, "nik_region", record)
    return NikResult(
        nik=n,
        valid=bool(_call(fns, "nik_valid", record)),
        birth_date=birth if isinstance(birth, datetime.date) else None,
        sex=sex if isinstance(sex, str) else None,
        region=region if isinstance(region, str) else None,
        problems=_problems(_call(fns, "nik_problems", record)),
        **_number_parts(n),
    )


def parse_kk(
    value: object,
    *,
    nik: object = None,
    reference_date: datetime.date | None = None,
) -> KkResult:
    """Clean and validate one No. KK (``nik``, the record's NIK, enables the swap check).

    >>> r = parse_kk("3276 0112 0510 0021")
    >>> r.no_kk, r.valid
    ('3276011205100021', True)
    >>> parse_kk("3276015508850001").problems
    ('looks_like_nik',)
    """
    fns = _nik_fns(reference_date or datetime.date.today())
    record: dict[str, object] = {
        "nik": _as_text(nik),
        "no_kk": _as_text(value),
        "nik_numeric_source": False,
        "tanggal_lahir": None,
        "jenis_kelamin": None,
    }
    number = _call(fns, "no_kk", record)
    n = number if isinstance(number, str) else None
    return KkResult(
        no_kk=n,
        valid=bool(_call(fns, "kk_valid", record)),
        problems=_problems(_call(fns, "kk_problems", record)),
        **_number_parts(n),
    )


def _number_parts(number: str | None) -> dict[str, str | None]:
    """The region codes and serial of a clean NIK or KK number (all None without a number)."""
    parts = {"province_code": (0, 2), "regency_code": (2, 4), "district_code": (4, 6), "serial": (12, 16)}
    return {name: number[start:end] if number else None for name, (start, end) in parts.items()}


def _problems(text: object) -> tuple[str, ...]:
    return tuple(p for p in str(text).split(",") if p)


def _date_text(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def nik_from_parts(
    *,
    province: str,
    regency: str,
    district: str,
    birth_date: datetime.date,
    female: bool,
    serial: str,
) -> str:
    """Build a NIK from its parts (the inverse of :func:`parse_nik`, for tests and fixtures)."""
    day = birth_date.day + (40 if female else 0)
    return f"{province}{regency}{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial}"
