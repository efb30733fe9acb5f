"""Deterministic synthetic demonstration data, always labelled as such.

- ``esstools.synth.sirene``: establishments and legal units in the SIRENE schema.
- ``esstools.synth.employment``: ESS employment series in the URSSAF/ACOSS format.
- ``esstools.synth.siae_panel``: SIAE x year panel with known true effects.

Everything built on these carries ``esstools.provenance.DEMO_LABEL``.
"""
