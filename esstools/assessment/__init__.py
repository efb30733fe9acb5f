"""The roadmap assessment: the ESS roadmap 2024-2028 as data, its scorecard and its report.

Modules, one job each:

- :mod:`.roadmap` — the roadmap tree (enjeux → objectifs → actions) from ``data/roadmap/roadmap.yml``;
- :mod:`.indicators` — the quantified statements (``indicators.csv`` + evaluator files) and their notes;
- :mod:`.rules` — the written status rules (constants, pure functions, the French rule table);
- :mod:`.model` — the scorecard (series, actions, objectives, challenges, coverage);
- :mod:`.headlines` — the headline results of the analyses 01-03 read from their results JSON;
- :mod:`.report` — the report back-end of notebook ``00_roadmap_assessment``.
"""

from .headlines import headline_results_table, load_results_safely
from .indicators import load_indicator_notes, load_indicators
from .model import Coverage, Scorecard, build_scorecard
from .report import AssessmentReport, build_report
from .roadmap import Roadmap, load_roadmap
from .rules import RULES, STATUSES, aggregate_status, classify, rules_table_fr

__all__ = [
    "RULES", "STATUSES", "AssessmentReport", "Coverage", "Roadmap", "Scorecard", "aggregate_status",
    "build_report", "build_scorecard", "classify", "headline_results_table", "load_indicator_notes",
    "load_indicators", "load_results_safely", "load_roadmap", "rules_table_fr",
]
