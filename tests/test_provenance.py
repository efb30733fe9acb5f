"""Provenance as a value: kinds, combination, no silent 'real'."""

import pandas as pd
import pytest

from esstools.provenance import DEMO_LABEL, Provenance, as_provenance, combine


def test_combine_kinds_and_sources_in_order():
    real, demo = Provenance.real("SIRENE 2024"), Provenance.demo("synth")
    assert combine(real, real).kind == "real"
    assert combine(demo, demo).kind == "demo"
    mixed = combine(real, demo, real.with_source("URSSAF"))
    assert mixed.kind == "mixed"
    assert mixed.sources == ("SIRENE 2024", "synth", "URSSAF")
    assert mixed.is_demo and "en partie" in mixed.mark_fr and DEMO_LABEL in mixed.mark_fr


def test_combine_accepts_lists_and_kind_strings():
    assert combine(["demo", Provenance.demo("x")]).kind == "demo"
    with pytest.raises(ValueError, match="at least one"):
        combine()


def test_unknown_or_missing_kind_is_an_error_never_real():
    with pytest.raises(ValueError, match="Unknown data kind"):
        Provenance("reel")
    with pytest.raises(TypeError, match="say where the data come from"):
        as_provenance(None)
    with pytest.raises(ValueError, match="no valid 'data_kind'"):
        Provenance.from_dict({"source": "x"})


def test_round_trip_through_dict():
    prov = Provenance.demo("a", "b")
    assert Provenance.from_dict(prov.to_dict()) == prov
    assert Provenance.from_dict({"data_kind": "real", "source": "INSEE"}).sources == ("INSEE",)


def test_value_survives_dataframe_operations_because_it_is_not_stored_in_attrs():
    # provenance is carried beside the frame, so merge/filter/copy cannot lose it
    prov = Provenance.demo("panel")
    frame = pd.DataFrame({"kind": ["ACI", "AI"], "x": [1.0, 2.0]}).merge(pd.DataFrame({"kind": ["ACI"], "y": [3]}))
    assert frame.attrs == {} and prov.kind == "demo"
