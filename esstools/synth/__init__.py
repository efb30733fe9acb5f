"""Deterministic synthetic demonstration data, always labelled as such.

- ``esstools.synth.sirene``: establishments and legal units in the SIRENE schema.
- ``esstools.synth.employment``: ESS employment series in the URSSAF/ACOSS format.
- ``esstools.synth.siae_panel``: SIAE records of any département with known true effects;
  ``esstools.synth.siae_files`` writes them in the real formats.

Everything built on these carries ``esstools.provenance.DEMO_LABEL``.
"""
