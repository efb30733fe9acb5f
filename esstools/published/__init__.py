"""Published figures on the ESS and IAE, each row with its source and its definition.

The table ``data/reference/published_figures.csv`` holds every figure stated by the five
source documents of the project (origins ``seed:000`` … ``seed:004``) plus the 277 researched
figures of ``shared/data/published_figures_extra.csv`` (origin ``shared:published_figures_extra``).
Each row says what it counts (``counts``; for a share, of what: ``share_of``), its field
(``scope``), its data year (``year``, blank when the source does not state it) and how that year
is known (``year_basis``), its publication year, its qualifier ("plus de", "environ"…) and its
producer (Flores-Insee, Acoss-Urssaf…). The indicator fixes ``counts``/``share_of``/``scope``:
figures that count different things have different indicators (``published_indicators.csv``).
Columns and vocabularies: ``data/reference/published_figures.md``.

Typical use::

    from esstools import published
    row = published.figure("93_ess_establishments_employer_2021")
    published.render(row)        # '3\u202f297 établissements employeurs (2021 ; Flores-Insee)'
    published.cite(row)          # 'Source : LA CRESS - FLORES - INSEE 2021, cité par …'
    published.comparable(row, published.figure("r11_ess_establishments_employer_nd"))
    # Comparability(ok=False, reason_fr='non comparables : producteurs différents (…)')
"""

from __future__ import annotations

from .compare import SAME_FIGURE_KEY, Comparability, comparable, distinct_figures, vintage
from .extra import (EPT_CODES, EXTRA_INDICATOR_RENAMES, figure_id_base, map_shared_extra, normalise_text,
                    with_definitions)
from .render import (QUALIFIER_WORDS, UNKNOWN_PRODUCER, label_fr, number_fr, producer_fr, qualifier_fr, render,
                     value_fr, when_fr)
from .schema import (COLUMNS, DEFINITION_COLUMNS, EXTRA_ORIGIN, LEVELS, QUALIFIERS, TABLE_SCHEMA, YEAR_BASES,
                     doc_path, indicators, indicators_path, read_checked, renamed, renamed_path, table_path,
                     validate_frame, validate_table, vocabulary, vocabulary_path)
from .table import cite, figure, figures, load_table, sources, value

__all__ = [
    # table
    "COLUMNS", "DEFINITION_COLUMNS", "LEVELS", "QUALIFIERS", "YEAR_BASES", "EXTRA_ORIGIN", "TABLE_SCHEMA",
    "table_path", "doc_path", "indicators_path", "vocabulary_path", "renamed_path",
    "load_table", "figures", "figure", "value", "sources", "cite", "indicators", "vocabulary", "renamed",
    "read_checked", "validate_table", "validate_frame",
    # display
    "QUALIFIER_WORDS", "UNKNOWN_PRODUCER", "render", "value_fr", "when_fr", "producer_fr", "label_fr",
    "number_fr", "qualifier_fr",
    # comparisons
    "Comparability", "comparable", "distinct_figures", "vintage", "SAME_FIGURE_KEY",
    # build helpers
    "map_shared_extra", "with_definitions", "figure_id_base", "normalise_text", "EPT_CODES",
    "EXTRA_INDICATOR_RENAMES",
]
