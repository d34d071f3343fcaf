"""Reading sources (CSV/TXT, Parquet, Excel, in-memory tables) into the engine, mapping their
columns onto the canonical resident record, and quarantining rows that cannot be linked.

Nothing is dropped silently: every input row ends up either in the ``mapped`` table or in the
``quarantine`` table with a reason. Row numbers are 1-based data rows (the header is not
counted), so row 1 is the first line after the header.

The modules: ``reading`` (a source's rows into a raw table as they are, malformed lines set
aside), ``mapping`` (the raw table onto the canonical fields, each row judged) and ``load``
(:func:`load_sources` and :func:`read_sources`, which run both and count every row).
"""

from __future__ import annotations

from .load import LoadedSources, load_sources, read_sources
from .mapping import MAX_VALUE_LENGTH
from .reading import MAX_LINE_BYTES as MAX_LINE_BYTES
from .reading import engine_message as engine_message
from .reading import excel_to_text as excel_to_text
from .reading import sniff_delimiter as sniff_delimiter

__all__ = ["MAX_VALUE_LENGTH", "LoadedSources", "load_sources", "read_sources"]
