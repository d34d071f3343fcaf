"""Family fields: the relationship to the head of the family (hubungan keluarga) and a source's
own family id.

**Hubungan keluarga** (SHDK, *status hubungan dalam keluarga*) becomes one of the eleven
labels of the Kartu Keluarga, :data:`RELATIONSHIPS`: ``KEPALA KELUARGA``, ``SUAMI``, ``ISTRI``,
``ANAK``, ``MENANTU``, ``CUCU``, ``ORANG TUA``, ``MERTUA``, ``FAMILI LAIN``, ``PEMBANTU``,
``LAINNYA``. It reads

* the SHDK codes ``1`` to ``11`` (``01``, ``1.0``), in that order;
* the labels and their everyday spellings and abbreviations, in any case and punctuation
  (``Kepala Keluarga``, ``KEP. KELUARGA``, ``KK``, ``KRT``, ``ISTERI``, ``ANAK KANDUNG``,
  ``anak tiri``, ``anak angkat``, ``ANAK KE-2``, ``ORANGTUA``, ``SAUDARA``, ``PRT``,
  ``LAIN-LAIN``);
* English ones, as census and survey exports write them (``head``, ``reference person``,
  ``husband``, ``wife``, ``spouse``, ``child``, ``biological child``, ``stepchild``,
  ``grandchild``, ``child-in-law``, ``parent-in-law``, ``sibling``, ``other relative``,
  ``roommate``, ``other nonrelative``...);
* a spouse whose word does not say which (``ISTRI/SUAMI``, ``PASANGAN``, ``spouse``,
  ``partner``) is ``SUAMI`` or ``ISTRI`` by the record's sex (its ``jenis_kelamin``, else the
  sex its NIK encodes), and NULL when the record gives neither.

Anything else (``ANGGOTA``, ``0``, ``-``) is NULL: not guessed.

**id_keluarga** (a source's own family id, such as DTKS's ``id_keluarga`` or the ``ID DTKS``
a PKH list carries) is kept as upper-case letters and digits, 1 to 40 of them, a float
export's trailing ``.0`` dropped; a value of one repeated digit or ``X`` (``0``, ``000000``)
is a placeholder and NULL.
"""

from __future__ import annotations

from functools import cache

from ..rules import Compiled, Expr, case, coalesce, col, compile_py, let_many, lit
from ._text import plain_upper
from .generic import identifier_expr
from .sex import sex_expr

__all__ = [
    "RELATIONSHIPS",
    "RELATIONSHIP_WORDS",
    "family_id",
    "family_id_expr",
    "relationship",
    "relationship_expr",
]

#: The SHDK labels, in the order of their codes 1 to 11.
RELATIONSHIPS: tuple[str, ...] = (
    "KEPALA KELUARGA",
    "SUAMI",
    "ISTRI",
    "ANAK",
    "MENANTU",
    "CUCU",
    "ORANG TUA",
    "MERTUA",
    "FAMILI LAIN",
    "PEMBANTU",
    "LAINNYA",
)

_SPOUSE = "?SPOUSE"  # a spouse whose word does not give the sex: resolved by the record's sex

_WORDS: dict[str, tuple[str, ...]] = {
    "KEPALA KELUARGA": (
        "KEPALA KELUARGA", "KEPALA", "KEP KELUARGA", "KEPKELUARGA", "KPL KELUARGA", "KK", "KRT",
        "KEPALA RUMAH TANGGA", "KEPALA KK", "HEAD", "HEAD OF HOUSEHOLD", "HEAD OF FAMILY",
        "HOUSEHOLD HEAD", "HOUSEHOLDER", "REFERENCE PERSON",
    ),
    "SUAMI": ("SUAMI", "HUSBAND"),
    "ISTRI": ("ISTRI", "ISTERI", "ISTRI SAH", "WIFE"),
    _SPOUSE: (
        "ISTRI SUAMI", "SUAMI ISTRI", "ISTRI ATAU SUAMI", "SUAMI ATAU ISTRI", "PASANGAN", "SPOUSE",
        "PARTNER", "OPP SEX SPOUSE", "SAME SEX SPOUSE", "OPP SEX PARTNER", "SAME SEX PARTNER",
        "UNMARRIED PARTNER", "HUSBAND WIFE", "WIFE HUSBAND",
    ),
    "ANAK": (
        "ANAK", "ANAK KANDUNG", "ANAK TIRI", "ANAK ANGKAT", "ANAK ASUH", "CHILD", "SON", "DAUGHTER",
        "BIOLOGICAL CHILD", "ADOPTED CHILD", "STEPCHILD", "STEP CHILD", "FOSTER CHILD",
    ),
    "MENANTU": ("MENANTU", "CHILD IN LAW", "SON IN LAW", "DAUGHTER IN LAW"),
    "CUCU": ("CUCU", "GRANDCHILD", "GRAND CHILD", "GRANDSON", "GRANDDAUGHTER"),
    "ORANG TUA": (
        "ORANG TUA", "ORTU", "AYAH", "IBU", "AYAH KANDUNG", "IBU KANDUNG", "PARENT", "FATHER", "MOTHER",
    ),
    "MERTUA": ("MERTUA", "PARENT IN LAW", "FATHER IN LAW", "MOTHER IN LAW"),
    "FAMILI LAIN": (
        "FAMILI LAIN", "FAMILY LAIN", "FAMILI", "KELUARGA LAIN", "SAUDARA", "SAUDARA KANDUNG", "ADIK",
        "KAKAK", "KEPONAKAN", "PAMAN", "BIBI", "KAKEK", "NENEK", "IPAR", "SEPUPU", "SIBLING",
        "BROTHER", "SISTER", "OTHER RELATIVE", "RELATIVE",
    ),
    "PEMBANTU": (
        "PEMBANTU", "PRT", "PEMBANTU RUMAH TANGGA", "ASISTEN RUMAH TANGGA", "SERVANT", "DOMESTIC WORKER",
        "HOUSEKEEPER",
    ),
    "LAINNYA": (
        "LAINNYA", "LAIN LAIN", "LAIN", "LAINNYA LAINNYA", "OTHER", "OTHERS", "ROOMMATE", "HOUSEMATE",
        "OTHER NONRELATIVE", "OTHER NON RELATIVE", "NONRELATIVE", "BOARDER", "LODGER",
    ),
}  # fmt: skip

#: Folded spelling (upper-case letters and digits, no spaces) -> label. Codes are the SHDK
#: numbers; a spouse word that does not give the sex maps to ``"?SPOUSE"``.
RELATIONSHIP_WORDS: dict[str, str] = {
    word.replace(" ", ""): label for label, words in _WORDS.items() for word in words
}
for _code, _label in enumerate(RELATIONSHIPS, start=1):
    RELATIONSHIP_WORDS[str(_code)] = _label


def relationship_expr(raw: Expr, sex: Expr) -> Expr:
    """The SHDK label, or NULL. ``sex`` (``'L'``/``'P'``/NULL) decides a spouse word that does
    not say which."""
    text = plain_upper(raw).re_sub(r"\.0+$", "", every=False).re_sub("[^A-Z0-9]+", " ").trim()
    # numbering after a word ("ANAK KE-2", "ANAK 3"); a code alone is kept; leading zeros go
    text = text.re_sub("^([A-Z][A-Z ]*?) (?:KE ?)?[0-9]+$", r"\1", every=False).re_sub(
        "^0+([1-9])", r"\1", every=False
    )
    word = text.re_sub(" ", "").lookup(RELATIONSHIP_WORDS, "VARCHAR")
    return let_many(
        (word, sex),
        lambda w, s: case(
            (w.eq(_SPOUSE), case((s.eq("L"), lit("SUAMI")), (s.eq("P"), lit("ISTRI")))),
            default=w,
        ),
    )


def family_id_expr(raw: Expr) -> Expr:
    """A source's family id as upper-case letters and digits, or NULL."""
    return identifier_expr(raw, min_length=1)


@cache
def _relationship_fn() -> Compiled:
    sex = coalesce(sex_expr(col("jenis_kelamin")), col("nik_sex"))
    return compile_py(relationship_expr(col("v"), sex))


@cache
def _family_id_fn() -> Compiled:
    return compile_py(family_id_expr(col("v")))


def relationship(value: object, *, sex: str | None = None) -> str | None:
    """The SHDK label of a hubungan keluarga value, or None.

    ``sex`` (any spelling :func:`~dtks_link.standardise.sex` reads) decides a spouse word that
    does not give it.

    >>> relationship("Kepala Keluarga"), relationship("KRT"), relationship(3), relationship("anak kandung")
    ('KEPALA KELUARGA', 'KEPALA KELUARGA', 'ISTRI', 'ANAK')
    >>> relationship("ISTRI/SUAMI", sex="L"), relationship("spouse"), relationship("Biological child")
    ('SUAMI', None, 'ANAK')
    """
    text = None if value is None else str(value)
    out = _relationship_fn()({"v": text, "jenis_kelamin": None if sex is None else str(sex), "nik_sex": None})
    assert out is None or isinstance(out, str)
    return out


def family_id(value: object) -> str | None:
    """A source's own family id (upper-case letters and digits), or None for empty values and
    placeholders.

    >>> family_id(" 3276-0100-0012 "), family_id(32760100001.0), family_id("000000")
    ('327601000012', '32760100001', None)
    """
    if isinstance(value, float) and value.is_integer():
        value = f"{int(value)}.0"  # as a float column exports it
    out = _family_id_fn()({"v": None if value is None else str(value)})
    assert out is None or isinstance(out, str)
    return out
