"""Territorial comparison: parameter checks, published figures, notebook runs for 92 and 93."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esstools import comparison as cmp
from esstools.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_territorial_comparison.ipynb"


def test_check_parameters_errors():
    with pytest.raises(ParameterError, match="Unknown département '99'"):
        cmp.check_parameters("99")
    with pytest.raises(ParameterError, match="Invalid value 'region' for 'level'; allowed values are: 'auto', 'ept', "
                                             "'epci', 'arrondissement', 'commune', 'departement'"):
        cmp.check_parameters("93", level="region")
    with pytest.raises(ParameterError, match="'reference'.*'region' .*here 11.*'france'.*'peers'"):
        cmp.check_parameters("93", reference="75")
    with pytest.raises(ParameterError, match="no établissement public territorial"):
        cmp.check_parameters("78", level="ept")
    with pytest.raises(ParameterError, match="only available for Paris"):
        cmp.check_parameters("59", level="arrondissement")
    with pytest.raises(ParameterError, match="expected 'demo', a directory"):
        cmp.check_parameters("93", source="/nonexistent/sirene")
    p = cmp.check_parameters("92", level="commune", reference="FR")
    assert (p.departement_name, p.region, p.data_kind, p.reference) == ("Hauts-de-Seine", "11", "demo", "france")
    assert cmp.check_parameters("93", reference="11").reference == "region"  # legacy spelling of reports.yml


@pytest.mark.parametrize("dep, level, region_name", [
    ("93", "ept", "Île-de-France"), ("92", "ept", "Île-de-France"), ("75", "arrondissement", "Île-de-France"),
    ("13", "epci", "Provence-Alpes-Côte d'Azur"), ("69", "epci", "Auvergne-Rhône-Alpes"), ("2A", "epci", "Corse"),
    ("974", "epci", "La Réunion"), ("976", "epci", "Mayotte")])
def test_auto_level_and_own_region(dep, level, region_name):
    p = cmp.check_parameters(dep)
    assert (p.level, p.requested_level, p.region_name, p.reference_label) == (level, "auto", region_name, region_name)


def test_peer_rule_is_stated_and_deterministic():
    from esstools.territorial import parameters as tp

    peers = tp.peer_departements("93", 2026)
    assert len(peers) == tp.N_PEERS and "93" not in peers and peers == tp.peer_departements("93", 2026)
    assert peers[:2] == ("92", "94")  # the two other petite-couronne départements are the nearest
    p = cmp.check_parameters("48", reference="peers")
    assert p.peers == tp.peer_departements("48", 2026) and p.reference_label == "départements pairs"
    assert "logarithme de la population" in tp.PEER_RULE_FR and "10 000 habitants" in tp.PEER_RULE_FR


def test_units_every_level():
    from esstools import territory
    from esstools.territorial import geography

    pop75 = float(territory.departements().set_index("code").loc["75", "population"])
    arr = geography.unit_populations(cmp.check_parameters("75"))
    assert len(arr) == 20 and arr.index.str.startswith("751").all() and arr.sum() == pop75
    u13 = geography.commune_units(cmp.check_parameters("13"))
    assert "Métropole d'Aix-Marseille-Provence" in set(u13["unit_name"])
    assert u13.set_index("commune_code").loc["13201", "unit_name"] == "Métropole d'Aix-Marseille-Provence"
    u69 = geography.commune_units(cmp.check_parameters("69"))
    assert "Métropole de Lyon" in set(u69["unit_name"])
    assert u69.set_index("commune_code").loc["69381", "unit_name"] == "Métropole de Lyon"
    u29 = geography.commune_units(cmp.check_parameters("29"))
    assert u29.set_index("commune_code").loc["29155", "unit_name"] == "Communes hors EPCI"  # Ouessant
    p13 = cmp.check_parameters("13", level="commune")
    assert geography.unit_populations(p13).sum() == geography.unit_populations(cmp.check_parameters("13")).sum()


def test_published_part_reproduces_figures():
    p = cmp.check_parameters("93")
    t = cmp.published_table(p)
    assert t["source"].str.startswith("Source : ").all()
    assert cmp.latest(t, "93", "ess_share_establishments_pct")["valeur"] == 6.6
    assert cmp.latest(t, "93", "ess_share_employment_pct")["valeur"] == 6.2
    assert cmp.latest(t, "93", "ess_establishments_employer")["valeur"] == 3297
    assert cmp.latest(t, "93", "ess_jobs")["valeur"] == 42000
    assert cmp.latest(t, "93", "ess_rank_idf_establishments")["valeur"] == 3
    assert {"75", "92", "94", "11", "FR"} <= set(t["code"])
    text = cmp.published_reading(p, t)
    assert "3\u202f297 établissements employeurs de l'ESS (2021 ; Flores-Insee)" in text
    assert "6,6\u00a0% des établissements du territoire" in text and "42\u202f000 emplois" in text
    assert "3e département" in text
    p92 = cmp.check_parameters("92")
    t92 = cmp.published_table(p92)
    assert cmp.latest(t92, "92", "ess_establishments_employer")["valeur"] == 3355
    assert cmp.latest(t92, "92", "ess_employees")["valeur"] == 50206
    text92 = cmp.published_reading(p92, t92)
    assert "50\u202f206 salariés (publ. 2013 ; producteur non précisé)" in text92
    assert "Aucun rang régional" in text92


def test_part2_on_demo_data():
    from esstools.display import fmt_number
    from esstools.territorial import report

    rep = report.build("93")
    assert rep.provenance.is_demo and "93_ess_establishments_employer_2021" in rep.source
    summ = rep.summary
    assert list(summ["name"][:2]) == ["Est Ensemble", "Plaine Commune"]
    assert rep.concentration["top_k_share_pct"] > 60
    comp = rep.families.set_index("EPT")
    assert comp.loc["Seine-Saint-Denis", "Associations"] == pytest.approx(92.0, abs=0.5)
    text = rep.reading_fr()
    assert text.startswith("⚠ Données de démonstration — synthétiques")
    assert f"{fmt_number(rep.concentration['top_k_share_pct'], 1)} %" in text
    assert rep.reference["value"] == 7.2 and rep.reference["label"] == "Île-de-France (publ. 2020)"
    natures = {i["nature"] for i in rep.synthesis()}
    assert natures == {"publié", "démonstration"}
    payload = rep.payload()
    assert payload["data_kind"] == "mixed" and payload["synthesis"] == rep.synthesis()
    lines = rep.headline_lines(payload)
    assert all(prov.is_demo == ("(démonstration" in line) for line, prov in lines)


def test_published_rows_of_other_levels_are_not_mixed_up():
    """Region 93 (PACA) is not département 93: the 13 report never shows Seine-Saint-Denis' figures."""
    from esstools.territorial import report

    rep = report.build("13")
    assert "93" not in set(rep.published.loc[rep.published["territory_level"] == "departement", "code"])
    assert rep.map_figures.empty
    assert rep.reference["label"].startswith("France") and "Provence-Alpes-Côte d'Azur" in rep.reference["note"]
    assert "Métropole d'Aix-Marseille-Provence" in set(rep.summary["name"])


def test_fmt_num_french():
    assert cmp.fmt_num(14206) == "14\u202f206"
    assert cmp.fmt_num(9.04, 1) == "9,0"
    assert cmp.fmt_num(2600000) == "2\u202f600\u202f000"
    assert cmp.fmt_num(-0.01, 1) == "0,0"
    assert cmp.fmt_num(float("nan")) == "n.d."
    assert cmp.fmt_value(6.6) == "6,6" and cmp.fmt_value(42000.0) == "42\u202f000"


def test_map_selection_rule_prefers_dated_then_recent():
    t = cmp.published_table(cmp.check_parameters("93"))
    figs = cmp.map_figures(t, cmp.check_parameters("93")).set_index("code")  # moved to territorial.report
    # 93: 42 000 jobs (latest publication, 2025) beats the undated 33 200 salariés of Est Ensemble
    assert figs.loc["93", "valeur"] == 42000 and figs.loc["93", "annee_affichee"] == "publ. 2025"
    # 92: only a publication year is known, shown as in the table
    assert figs.loc["92", "valeur"] == 50206 and figs.loc["92", "annee_affichee"] == "publ. 2013"
    # 91: two undated figures, the most recent publication (2015) wins over 2012
    assert figs.loc["91", "valeur"] == 24000 and figs.loc["91", "annee_affichee"] == "publ. 2015"
    assert figs.loc["75", "annee_affichee"] == "2014" and figs.loc["77", "qualificatif"] == "presque"
    # within one indicator, latest() applies the same rule (publ. 2024 beats an undated row)
    assert cmp.latest(t, "93", "ess_jobs")["valeur"] == 42000
    assert cmp.most_recent(t, "93", ["ess_jobs"])["annee_affichee"] == "publ. 2025"
    assert cmp.most_recent(t, "93", ["nope"]) is None
    assert "l'année des données la plus récente" in cmp.SELECTION_RULE_FR


def test_display_tables_are_french():
    from esstools import display
    from esstools.display import fmt_number
    from esstools.territorial import composition, report

    rep = report.build("93")
    view, digits = rep.summary_view()
    assert view.columns[0] == "EPT" and digits["Quotient de localisation (étab.)"] == 2
    html = display.styled_table(view, rep.provenance, digits=digits).to_html()
    assert fmt_number(rep.summary.iloc[0]["ess_share_establishments_pct"], 1) in html
    assert fmt_number(rep.summary.iloc[0]["ess_employees"], 0) in html  # thousands with narrow no-break space
    assert "données de démonstration — synthétiques" in html and "<th class=\"blank" not in html  # no index column
    assert html == display.styled_table(view, rep.provenance, digits=digits).to_html()  # deterministic
    sec = rep.sections
    first = sec.columns[0]
    assert sec[first].iloc[0] == "Q — Santé humaine et action sociale" and sec[first].iloc[-1] == "Autres sections"
    assert sec.iloc[:, 1].sum() == pytest.approx(100, abs=0.2)
    assert composition.a21_labels()["R"] == "Arts, spectacles et activités récréatives"
    rep_c = report.build("93", level="commune")
    communes = rep_c.families["Commune"].tolist()
    assert communes.index("Épinay-sur-Seine") < communes.index("Gagny")  # accents ignored in sorting
    payload = rep.payload()
    from esstools import comparison as cmp

    text = cmp.headline_text(payload)
    assert ("Part de l'ESS dans les établissements (publié) : 6,6\u00a0% des établissements du territoire "
            "(2021 ; Flores-Insee) (réel)") in text
    assert ("Rang en Île-de-France (nombre d'établissements ESS) (publié) : 3e (publ. 2024 ; "
            "Acoss-Urssaf + Flores-Insee) (réel)") in text
    assert "(démonstration)" in text and not re.search(r"\d\.\d", text)  # decimal commas only


def test_part2_charts_titled_sourced_and_marked():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from esstools.territorial import report

    rep = report.build("93")
    for fig in (rep.ranked_bars(), rep.family_chart(), rep.scatter()):
        ax = fig.axes[0]
        assert ax.get_title().startswith("Seine-Saint-Denis — ")
        assert any(t.get_text().startswith("Source : fichiers au format SIRENE") for t in fig.texts)
        marks = [t for t in ax.texts if "DÉMONSTRATION" in t.get_text()]
        assert len(marks) == 1
        fig.canvas.draw()
        mark_box = marks[0].get_window_extent()
        data_top = max(a.get_window_extent().y1 for a in ax.patches) if ax.patches else \
            ax.transData.transform(ax.collections[0].get_offsets()).max(axis=0)[1]
        assert mark_box.y0 > data_top - 1  # the mark sits above every bar / point
        plt.close(fig)


def test_peer_reference_is_computed_on_the_same_source():
    from esstools import published
    from esstools.territorial import report

    rep = report.build("48", reference="peers")
    ref = rep.reference
    assert ref["label"].startswith("départements pairs (Creuse (23), Cantal (15)")
    assert ref["nature"] == "démonstration" and ref["provenance"].is_demo
    national = published.figure("fr_ess_share_establishments_pct_2011")["value"]
    assert ref["value"] == pytest.approx(national, abs=0.05)  # demo peers are calibrated on France's share
    assert "Règle des départements pairs" in rep.reading_fr()


def test_published_table_keeps_levels_apart_where_codes_collide():
    # région 93 (Provence-Alpes-Côte d'Azur) is not Seine-Saint-Denis; région 11 is not the Aude
    t13 = cmp.published_table(cmp.check_parameters("13"))
    assert not ((t13["code"] == "93") & (t13["territory_level"] == "departement")).any()
    assert set(t13.loc[t13["territory_level"] == "region", "code"]) <= {"93"}
    t11 = cmp.published_table(cmp.check_parameters("11"))
    assert not ((t11["code"] == "11") & (t11["territory_level"] == "region")).any()


def test_reference_share_says_when_definitions_differ():
    from esstools.territorial import report

    ref = report.build("93").reference
    # Île-de-France publishes a share of "établissements" (not of private employer establishments)
    assert ref["value"] is not None and "Définitions différentes" in ref["note"] and "indicatif" in ref["note"]
