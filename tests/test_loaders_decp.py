"""DECP loader: JSON 2019 and 2022 formats, flat CSV variants, split rules, aggregation per SIRET and year."""

from pathlib import Path

import pytest

from esstools.errors import ParameterError
from esstools.loaders.decp import aggregate_by_siret_year, load_decp

F = Path(__file__).parent / "fixtures" / "decp"
AWARD_COLS = ["contract_id", "buyer_siret", "holder_siret", "amount_eur", "holder_share", "notification_date", "year",
              "social_clause", "reserved_market"]
AGG_COLS = ["siret", "year", "reserved_market_eur", "social_clause_contracts", "contracts", "amount_eur"]


def test_json_2019_equal_split_skips_concessions():
    a = load_decp(F / "decp_2019.json")
    assert a.columns.tolist()[:9] == AWARD_COLS
    assert len(a) == 5 and "C-2021-1" not in set(a["contract_id"])  # concession skipped
    three = a[a.contract_id == "2021-0002"]
    assert three["holder_share"].tolist() == pytest.approx([1 / 3] * 3)
    assert three["amount_eur"].sum() == pytest.approx(90000)
    assert three["holder_siret"].isna().sum() == 1  # TVA-identified holder keeps its share, no SIRET
    assert a["social_clause"].isna().all()  # 2019 format has no social considerations
    assert a["year"].tolist() == [2021, 2021, 2021, 2021, 2022]


def test_json_2022_social_considerations_and_aggregate():
    a = load_decp(F / "decp_2022.json")
    first = a[a.contract_id == "2024AO01"]
    assert first["social_clause"].all() and not first["reserved_market"].any() and first["social_criterion"].all()
    agg = aggregate_by_siret_year(a)
    assert agg.columns.tolist() == AGG_COLS
    s4 = agg[(agg.siret == "90000005000014") & (agg.year == 2024)].iloc[0]
    assert s4.reserved_market_eur == 80000 and s4.social_clause_contracts == 1 and s4.contracts == 3
    assert s4.amount_eur == pytest.approx(125000 + 80000 + 30000)
    s0 = agg[(agg.siret == "90000001900019") & (agg.year == 2025)].iloc[0]
    assert s0.reserved_market_eur == 60000 and s0.social_clause_contracts == 1


def test_flat_csv_same_as_json_for_common_awards():
    csv = load_decp(F / "decp_flat.csv")
    js = load_decp(F / "decp_2022.json")
    for cid in ("2024AO01", "2024MR02"):
        c = csv[csv.contract_id == cid].reset_index(drop=True)
        j = js[js.contract_id == cid].reset_index(drop=True)
        assert c[AWARD_COLS].astype(str).equals(j[AWARD_COLS].astype(str))
    assert csv[csv.contract_id == "2024MR02"]["amount_eur"].iloc[0] == 80000  # "80 000,00"


@pytest.mark.parametrize("split, shares, total", [("equal", [1 / 3] * 3, 99000), ("first", [1, 0, 0], 99000),
                                                   ("full", [1, 1, 1], 3 * 99000)])
def test_split_rules(split, shares, total):
    a = load_decp(F / "decp_flat.csv", split=split)
    g = a[a.contract_id == "2024AO05"]
    assert g["holder_share"].tolist() == pytest.approx(shares) and g["amount_eur"].sum() == pytest.approx(total)
    with pytest.raises(ParameterError, match="'equal', 'first', 'full'"):
        load_decp(F / "decp_flat.csv", split="pro_rata")


def test_titulaires_list_and_one_row_per_holder():
    a = load_decp(F / "decp_titulaires_list.csv")
    assert a["holder_siret"].tolist() == ["90000010000017", "90000011800019", "90000010000017"]
    assert a["amount_eur"].tolist() == pytest.approx([6250.25, 6250.25, 7000])
    b = load_decp(F / "decp_one_row_per_holder.csv")
    assert len(b) == 3 and b["n_holders"].tolist() == [2, 2, 1]
    agg = aggregate_by_siret_year(b)
    assert agg.set_index("siret").loc["90000012600012", "contracts"] == 2
    assert agg.set_index("siret").loc["90000012600012", "reserved_market_eur"] == 15000
