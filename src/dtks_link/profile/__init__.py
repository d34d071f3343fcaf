"""``dtks-link init``: look at the files in a folder and propose a linkage config for them.

:func:`propose_config` reads a sample of each file (the first 10,000 rows by default; CSV/TXT
with any delimiter, Parquet, Excel), profiles every column by its header and by the shape of
its values, and writes a ``config.toml`` text:

* each mapping carries a comment with its evidence and confidence: **high** when the header
  and the values agree, **medium** when one of them is clear and the other has nothing
  against it;
* an uncertain mapping (**low**: values alone that could mean something else, or a header
  whose values disagree) is written commented out, to be checked and uncommented;
* a column it cannot recognise is not mapped: it is listed in a comment;
* ``id_column`` is a column whose sampled values are all present and distinct (when there is
  none, it is left empty with the closest candidates named: the config will not load until a
  unique record id is chosen, rather than quarantine every row with a repeated id);
* ``[sources.formats]`` is proposed for a birth date only when the values settle the
  question (month-first because some second part is above 12 and no first part is);
* ``duplicate_free = true`` only when every row of the whole file has a distinct,
  well-formed NIK (the mark of a civil registry extract), never on a guess.

Headers are matched after folding case and separators (``TGL_LAHIR``, ``tglLahir`` and
``tgl lahir`` are one name). The names known cover DTKS, Dukcapil (SIAK), BPJS, PKH, SIKS-NG
and common English exports (``first_name``/``last_name``, ``date_of_birth``, ``ssn``,
``zipcode``); values are tested for 16-digit NIKs and KK numbers, dates, phone numbers,
RT/RW numbers, sex codes, postcodes, relationships to the head of the family (hubungan
keluarga) and Depok kelurahan and kecamatan names from the
gazetteer. Only the sample is read, except for the one column the ``duplicate_free`` check
counts over the whole file. Nothing read is printed: the comments give shares and counts,
never a value.

The modules, in the order of the work: ``sample`` (reading a sample, measuring value shapes),
``headers`` (what a header names), ``values`` (what the values say), ``propose`` (choosing the
mappings, the id and ``duplicate_free``; the entry points) and ``write`` (the config text);
``proposal`` holds the records they pass between them.
"""

from __future__ import annotations

from .proposal import DEFAULT_SAMPLE_ROWS, ColumnProposal, FileProposal
from .propose import profile_file, profile_folder, propose_config
from .write import render

__all__ = [
    "DEFAULT_SAMPLE_ROWS",
    "ColumnProposal",
    "FileProposal",
    "profile_file",
    "profile_folder",
    "propose_config",
    "render",
]
