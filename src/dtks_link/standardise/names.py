"""Personal names: a clean display name, comparison keys and an Indonesian phonetic key.

**Display name** (:func:`name`): upper case, ASCII, letters and single spaces only, with

* the patronym ``bin``/``binti``/``bt`` *X* split off (returned separately; a deceased marker
  inside it belongs to the father and does not flag the person);
* ``Alm.``/``Almh.``/``Almarhum(ah)`` removed, which flags the person as deceased (a name
  that is nothing but the marker becomes None; a single bare word is left alone);
* academic suffixes removed: everything after a comma when it is only degrees
  (``, S.Pd., M.Pd``), and trailing degrees (``S.Pd``, ``S.E.``, ``A.Md.Kep``, ``SE``, ``SH``…);
* leading titles removed, repeatedly: religious (``H.``, ``Hj.``, ``KH.``, ``Ust.``, ``Habib``),
  academic (``Dr.``, ``dr.``, ``drg.``, ``Ir.``, ``Drs.``, ``Dra.``, ``Prof.``), noble
  (``R.``, ``RA.``, ``Rr.``, ``RM.``, ``Raden``, ``Tb.``, ``Teuku``, ``Tgk.``, ``Cut``, ``Dt.``)
  and addressing words (``Bpk.``, ``Bapak``, ``Ibu``, ``Sdr.``, ``Sdri.``, ``Ny.``, ``Tn.``);
* apostrophes dropped (``Nur'aini`` -> ``NURAINI``), digits and other punctuation to spaces.

Stripping titles and degrees never removes the last word: ``Ibu`` alone stays ``IBU``. ``M.``/``Moch.`` and
``St.`` are kept in the display name (they are abbreviations, not titles).

**Comparison key** (:func:`name_key`): the display name folded so spelling variants meet —
old spelling ``oe``->``u``, ``dj``->``j``, ``tj``->``c``, ``nj``->``ny``, ``sj``->``sy``,
``ch``->``kh``; Arabic transliteration ``dh``->``d``, ``th``->``t``, ``ph``->``f``,
``q``->``k``; doubled letters collapsed; Muhammad/Muhamad/Mohammad/Mochamad/Moch./Moh./Muh./
Mhd./M. -> ``MUHAMAD``, Abdul/Abd -> ``ABDUL``, Achmad/Akhmad/Ahmat -> ``AHMAD``, a leading
``St`` -> ``SITI``; spaces removed (``nama_tokens_key`` keeps them). Both are idempotent.

**Phonetic key** (:func:`name_phonetic`): the token key further folded for sounds Indonesian
spellings swap freely: ``kh``/``h`` and a silent ``h`` before a consonant or at the end
(Rachmat/Rahmat, Fatimah/Fatima), ``sy``/``sh``/``s``, ``ts``/``s``, ``dz``/``z``,
``f``/``v``/``p`` (Sundanese Fitri/Pitri), ``j``/``y``/``i`` (Jusuf/Yusuf, Sugiyono/Sugiono),
``ai``/``ae``/``ei``/``e`` (Zainal/Zaenal), ``au``/``o`` (Taufik/Topik), final ``ie``/``i``,
``uw``/``u`` (Suwarno/Suarno), the pepet ``e`` after a first consonant before r/l
(Selamet/Slamet, Seri/Sri). Measured against jellyfish's soundex, metaphone and NYSIIS on
80 pairs of spelling variants and 80 pairs of similar but different names, "equal key"
as the match rule (``tests/test_standardise_phonetic.py``):

==========================  =========  ======
key                         precision  recall
==========================  =========  ======
dtks_link name_phonetic       0.97      0.97
dtks_link name_key            1.00      0.40
jellyfish soundex             0.63      0.60
jellyfish metaphone           0.49      0.31
jellyfish nysiis              0.50      0.28
==========================  =========  ======

Known misses: Sundanese z/j (Zaenal/Jaenal) and inserted vowels (Irawan/Iriawan); known
false matches: modern j against old-spelling j=y (Joko/Yoko), a final h (Yayah/Yaya).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..rules import Compiled, Expr, and_, case, coalesce, col, compile_py, if_, lit, or_
from ._text import ascii_fold

__all__ = [
    "PHONETIC_COMPARISON",
    "NameExprs",
    "name",
    "name_exprs",
    "name_key",
    "name_phonetic",
    "parse_name",
]

# "Equal key" as a match rule on 80 pairs of spelling variants of one name and 80 pairs of
# similar but different names (tests/test_standardise_phonetic.py recomputes these):
# label -> (precision, recall). jellyfish's keys are taken word by word on the clean name.
PHONETIC_COMPARISON: dict[str, tuple[float, float]] = {
    "dtks_link name_phonetic": (0.97, 0.97),
    "dtks_link name_key": (1.0, 0.4),
    "jellyfish soundex": (0.63, 0.6),
    "jellyfish metaphone": (0.49, 0.31),
    "jellyfish nysiis": (0.5, 0.28),
}

PREFIX_TITLES = (
    "K H",
    "KH",
    "H",
    "HJ",
    "HJH",
    "HAJI",
    "HAJAH",
    "HAJJAH",
    "KYAI",
    "KIAI",
    "UST",
    "USTAD",
    "USTADZ",
    "USTADZAH",
    "USTAZ",
    "USTAZAH",
    "HABIB",
    "DR",
    "DRG",
    "DRS",
    "DRA",
    "IR",
    "PROF",
    "R",
    "RA",
    "RR",
    "RM",
    "RADEN",
    "TB",
    "TUBAGUS",
    "TEUKU",
    "TGK",
    "TENGKU",
    "CUT",
    "DT",
    "DATUK",
    "BPK",
    "BAPAK",
    "PAK",
    "IBU",
    "BU",
    "SDR",
    "SDRI",
    "SAUDARA",
    "SAUDARI",
    "NY",
    "NYONYA",
    "NN",
    "NONA",
    "TN",
    "TUAN",
)

DOTLESS_DEGREES = (
    "SPD",
    "SPDI",
    "SE",
    "SEI",
    "SH",
    "SHI",
    "SKOM",
    "ST",
    "SSOS",
    "SAG",
    "SSI",
    "SS",
    "SKM",
    "SKEP",
    "SFARM",
    "SIP",
    "SIKOM",
    "SPSI",
    "SKED",
    "SGZ",
    "SPT",
    "STP",
    "SHUT",
    "AMD",
    "AMK",
    "AMKEP",
    "AMA",
    "MM",
    "MSI",
    "MPD",
    "MPDI",
    "MKES",
    "MH",
    "MKOM",
    "MT",
    "MAG",
    "MSC",
    "MBA",
    "PHD",
    "LC",
    "BSC",
)

_TITLES_ALT = "|".join(sorted(PREFIX_TITLES, key=lambda t: (-len(t), t)))
_DOTLESS_ALT = "|".join(sorted(DOTLESS_DEGREES, key=lambda t: (-len(t), t)))
_DOTTED = r"(?:S|M|A|D|PH|SP)\.[A-Z]{1,5}(?:\.[A-Z]{1,4})*"
_DECEASED = r"\bALM(?:ARHUM(?:AH)?|H)?\b\.?"
_PATRONYM = r"^(.*?[A-Z].*?)[^A-Z]+(?:BINTI|BINTE|BIN|BT)[^A-Z]+(.*[A-Z].*)$"
# A comma followed only by degrees (spaces after dots allowed there) up to the end.
_COMMA_DEGREES = (
    r",(?: *(?:(?:S|M|A|D|PH|SP|DR|IR)\. ?[A-Z]{1,5}(?:\. ?[A-Z]{1,4})*|(?:"
    + _DOTLESS_ALT
    + r"|DR|DRS|DRA|IR|PROF)\b)\.?[ ,]*)+$"
)


@dataclass(frozen=True, kw_only=True)
class NameExprs:
    """Rule trees for one name column (internal)."""

    clean: Expr
    tokens_key: Expr
    key: Expr
    phonetic: Expr
    patronym: Expr
    deceased: Expr


_DOUBLES = "|".join(ch + ch for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGRAPHS = "OE|DJ|TJ|SJ|NJ|CH|DH|TH|PH|Q"
# Pairs that joining two folded words can create at the boundary.
_BOUNDARY = "|".join(
    [f"{ch} {ch}" for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    + [f"{a} {b}" for a, b in ("OE", "DJ", "TJ", "SJ", "NJ", "CH", "DH", "TH", "PH")]
)


def _collapse(x: Expr) -> Expr:
    """Runs of one letter to a single letter (RE2 has no backreferences: three passes
    whose unmatched groups expand to nothing)."""
    out = x
    for letters in ("ABCDEFGHI", "JKLMNOPQR", "STUVWXYZ"):
        pattern = "|".join(f"({ch}){ch}+" for ch in letters)
        repl = "".join(f"\\{i}" for i in range(1, len(letters) + 1))
        out = out.re_sub(pattern, repl)
    return out


def _fold_full(x: Expr) -> Expr:
    out = _collapse(x)
    for old, new in (("DH", "D"), ("TH", "T"), ("PH", "F")):
        out = out.replace(old, new)
    out = out.replace("OE", "U")
    for old, new in (("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("NJ", "NY")):
        out = out.replace(old, new)
    out = out.replace("CH", "KH").replace("Q", "K")
    return _collapse(out)


def fold_spelling(v: Expr) -> Expr:
    """Old spelling and transliteration folds plus doubled letters, on upper-case letters and
    spaces (use on a bound value: it is referenced several times).

    The order makes the result a fixed point (folding twice changes nothing): doubles first,
    so ``DDJ`` cannot leave a ``DJ`` behind; consonant+h before the j-rules, which come
    before ``ch``; doubles again last (merging runs never creates a new pair). Texts without
    any of these patterns skip the work."""
    return case(
        (v.re_has(_DIGRAPHS), _fold_full(v)),
        (v.re_has(_DOUBLES), _collapse(v)),
        default=v,
        rare=True,
    )


_MUHAMMAD = "M[OU]K?H?[AE]M[AE][DT]"  # every spelling of Muhammad once folded
_ABDUL = "ABD(?:UL)?"
_AHMAD = "AK?HMA[DT]"
_FIRST_MUHAMMAD = "M|MD|MH|MHD|MOH|MOHD|MOKH|MUH|MUHD|MUKH"


# Text none of the _map_tokens patterns matches is left as it is (one test instead of five).
_ANY_TOKEN = rf"\b(?:{_MUHAMMAD}|{_ABDUL}|{_AHMAD})\b|^(?:{_FIRST_MUHAMMAD}|ST) "


def _map_tokens(x: Expr) -> Expr:
    """Word variants to one spelling (Muhammad, Abdul, Ahmad; a leading M./Moh./St.).

    (Use on a bound value: it is referenced twice.)"""
    mapped = (
        x.re_sub(rf"\b{_MUHAMMAD}\b", "MUHAMAD")
        .re_sub(rf"\b{_ABDUL}\b", "ABDUL")
        .re_sub(rf"\b{_AHMAD}\b", "AHMAD")
        .re_sub(rf"^(?:{_FIRST_MUHAMMAD}) ", "MUHAMAD ", every=False)
        .re_sub("^ST ", "SITI ", every=False)
    )
    return case((x.re_has(_ANY_TOKEN), mapped), default=x, rare=True)


def _joined_key(tokens: Expr) -> Expr:
    """The token key without spaces, folded again where joining made new pairs (use on a
    bound value: it is referenced several times)."""
    joined = tokens.replace(" ", "")
    folded = case((tokens.re_has(_BOUNDARY), _fold_full(joined)), default=joined, rare=True)

    def whole(v: Expr) -> Expr:
        mapped = (
            v.re_sub(f"^{_MUHAMMAD}$", "MUHAMAD", every=False)
            .re_sub(f"^{_ABDUL}$", "ABDUL", every=False)
            .re_sub(f"^{_AHMAD}$", "AHMAD", every=False)
        )
        return case((v.re_has(f"^(?:{_MUHAMMAD}|{_ABDUL}|{_AHMAD})$"), mapped), default=v, rare=True)

    return whole(folded)


def clean_display(x: Expr) -> tuple[Expr, Expr]:
    """(display name, deceased flag) for an upper-case text of letters, spaces, ``.``, ``,``
    and ``-``: one pass of each regular expression, every one a no-op on names that do not
    need it."""
    # Deceased markers out (a name that is only a marker becomes NULL). A text of letters
    # only is one word and is left alone, so a comparison key like "ALMH" stays a key.
    step1 = case((and_(x.contains("ALM"), x.re_has("[^A-Z]")), x.re_sub(_DECEASED, " ")), default=x)
    deceased = coalesce(step1.ne(x), lit(False))
    # A comma followed by nothing but degrees: dropped with them.
    step2 = case((step1.contains(","), step1.re_sub(_COMMA_DEGREES, "", every=False)), default=step1)
    # Trailing degrees (dotted or on the short list), never the first word.
    step3 = step2.re_sub(r"(?: +(?:" + _DOTTED + "|" + _DOTLESS_ALT + r")\.?)+[ .,]*$", "")
    # Letters and single spaces only.
    step4 = step3.re_sub("[^A-Z]*[^A-Z ][^A-Z]*| {2,}", " ").trim()
    # Trailing short-list degrees once more (punctuation may have hidden them), then
    # leading titles; each keeps at least one word.
    step5 = step4.re_sub(r"(?: (?:" + _DOTLESS_ALT + r"))+$", "")
    step6 = step5.re_sub(r"^(?:(?:" + _TITLES_ALT + r") )+", "")
    return step6.nullif(""), deceased


def name_exprs(raw: Expr) -> NameExprs:
    """Build the name rules for one raw text column."""
    text = ascii_fold(raw).upper().replace("'", "").re_sub("[^A-Z.,\\- ]+", " ")
    has_bin = and_(
        or_(text.contains("BIN"), text.contains("BT")),
        text.re_has("[^A-Z](?:BINTI|BINTE|BIN|BT)[^A-Z]"),
    )
    head = case((has_bin, text.re_sub(_PATRONYM, r"\1", every=False)), default=text)
    tail = if_(has_bin, text.re_extract(_PATRONYM, 2).nullif(""))
    clean, deceased = clean_display(head)
    patronym = if_(tail.not_null(), clean_display(tail)[0])
    tokens_key = clean.pipe(fold_spelling).pipe(_map_tokens)
    key = tokens_key.pipe(_joined_key)
    return NameExprs(
        clean=clean,
        tokens_key=tokens_key,
        key=key,
        phonetic=phonetic_expr(tokens_key),
        patronym=patronym,
        deceased=deceased,
    )


def _sub_when(x: Expr, needles: tuple[str, ...], pattern: str, repl: str) -> Expr:
    """``x.re_sub(pattern, repl)``, skipped when ``x`` has none of ``needles`` (every match of
    the pattern contains one of them): a substring test costs far less than a regex pass."""

    def sub(v: Expr) -> Expr:
        return case((or_(*(v.contains(n) for n in needles)), v.re_sub(pattern, repl)), default=v)

    return x.pipe(sub)


def _replace_when(x: Expr, pairs: tuple[tuple[str, str], ...]) -> Expr:
    """The replacements in order, skipped when ``x`` has none of the texts to replace (then
    they all leave it as it is)."""

    def sub(v: Expr) -> Expr:
        out = v
        for old, new in pairs:
            out = out.replace(old, new)
        return case((or_(*(v.contains(old) for old, _ in pairs)), out), default=v)

    return x.pipe(sub)


def phonetic_expr(tokens_key: Expr) -> Expr:
    """The Indonesian phonetic key from the token key (see the module docstring)."""
    x = _replace_when(tokens_key, (("KH", "H"), ("SY", "S"), ("SH", "S"), ("TS", "S"), ("DZ", "Z")))
    x = x.translate("FVJY", "PPII")
    x = _sub_when(x, ("ER", "EL"), r"\b([BCDGKPST])E([RL])", r"\1\2")
    x = _sub_when(x, ("AI", "AE", "EI"), "A[IE]|EI", "E")
    x = _replace_when(x, (("AU", "O"), ("UW", "U")))
    x = _sub_when(x, ("IE",), r"IE\b", "I")
    x = _sub_when(x, ("H",), r"H([^AEIOU]|$)", r"\1")
    x = x.pipe(lambda v: case((v.re_has(_DOUBLES), _collapse(v)), default=v, rare=True))
    return x.replace(" ", "").nullif("")


# ---- single values -----------------------------------------------------------------------


@cache
def _fns() -> dict[str, Compiled]:
    exprs = name_exprs(col("v"))
    return {f: compile_py(getattr(exprs, f)) for f in NameExprs.__dataclass_fields__}


def _run(field: str, value: object) -> object:
    return _fns()[field]({"v": None if value is None else str(value)})


def name(value: object) -> str | None:
    """The clean display name, or None.

    >>> name("HJ. SITI AMINAH, S.PD"), name("Almh. Siti Nur'aini binti H. Ahmad")
    ('SITI AMINAH', 'SITI NURAINI')
    """
    out = _run("clean", value)
    return out if isinstance(out, str) else None


def name_key(value: object) -> str | None:
    """The comparison key (no spaces), or None.

    >>> name_key("Soekardjo") == name_key("Sukarjo"), name_key("MOCH. RIZKI")
    (True, 'MUHAMADRIZKI')
    """
    out = _run("key", value)
    return out if isinstance(out, str) else None


def name_phonetic(value: object) -> str | None:
    """The Indonesian phonetic key, or None.

    >>> name_phonetic("Rachmat Hidayat") == name_phonetic("Rahmat Hidajat")
    True
    """
    out = _run("phonetic", value)
    return out if isinstance(out, str) else None


@dataclass(frozen=True, kw_only=True)
class NameResult:
    """Everything the name rules derive from one value."""

    clean: str | None
    key: str | None
    tokens_key: str | None
    phonetic: str | None
    patronym: str | None
    deceased: bool


def parse_name(value: object) -> NameResult:
    """All name outputs for one value.

    >>> r = parse_name("Alm. Drs. H. Achmad Djunaedi bin Soelaiman")
    >>> r.clean, r.tokens_key, r.patronym, r.deceased
    ('ACHMAD DJUNAEDI', 'AHMAD JUNAEDI', 'SOELAIMAN', True)
    """
    out = {f: _run(f, value) for f in NameExprs.__dataclass_fields__}
    return NameResult(
        clean=_opt_str(out["clean"]),
        key=_opt_str(out["key"]),
        tokens_key=_opt_str(out["tokens_key"]),
        phonetic=_opt_str(out["phonetic"]),
        patronym=_opt_str(out["patronym"]),
        deceased=out["deceased"] is True,
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
