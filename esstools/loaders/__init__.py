"""Readers for the official French open-data formats (one module per source).

Every loader checks its input and returns a tidy table with documented columns;
see each module's docstring for the schema and its source.
"""

LOADERS = ("sirene", "urssaf", "decp", "siae", "financials", "clause_hours", "ess_france")


def schema_versions() -> dict[str, str]:
    """``SCHEMA_VERSION`` of each loader module (the upstream layout it follows), for the fetch registry.

    Error messages about a missing or renamed column quote the same string, so a changed
    upstream schema is recognised as such.
    """
    from importlib import import_module

    return {name: import_module(f"{__name__}.{name}").SCHEMA_VERSION for name in LOADERS}
