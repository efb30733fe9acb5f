"""Territorial comparison: parameter checks, published figures, notebook runs for 92 and 93."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from esstools import comparison as cmp
from esstools.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_territorial_comparison.ipynb"


def test_check_parameters_errors():
    with pytest.raises(ParameterError, match="Unknown département '99'"):
        cmp.check_parameters("99")
    with pytest.raises(ParameterError, match="Invalid value 'region' for 'level'; allowed values are: 'ept', 'commune', 'departement'"):
        cmp.check_parameters("93", level="region")
    with pytest.raises(ParameterError, match="'reference'"):
        cmp.check_parameters("93", reference="75")
    with pytest.raises(ParameterError, match="no établissement public territorial"):
        cmp.check_parameters("78", level="ept")
    with pytest.raises(ParameterError, match="expected 'demo', a directory"):
        cmp.check_parameters("93", source="/nonexistent/sirene")
    p = cmp.check_parameters("92", level="commune", reference="FR")
    assert (p.departement_name, p.region, p.data_kind) == ("Hauts-de-Seine", "11", "demo")


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


def test_part2_on_demo_data(tmp_path):
    p = cmp.check_parameters("93")
    etab, label = cmp.load_establishments(p, out_dir=tmp_path)
    assert "synthétiques" in label
    summ = cmp.unit_summary(etab, p, reference={"ess_share_establishments_pct": 7.2})
    assert list(summ["name"][:2]) == ["Est Ensemble", "Plaine Commune"]
    conc = cmp.concentration(summ)
    assert conc["top_k_share_pct"] > 60
    comp = cmp.family_composition(etab, p)
    assert comp.loc["Seine-Saint-Denis", "Associations"] == pytest.approx(92.0, abs=0.5)
    text = cmp.part2_reading(p, summ, comp, conc, {"ess_share_establishments_pct": 7.2})
    assert text.startswith("⚠ Données de démonstration — synthétiques")
    assert f"{cmp.fmt_num(conc['top_k_share_pct'], 1)} %" in text


def _run(dep: str, tmp_path: Path) -> dict:
    out = tmp_path / f"nb{dep}.ipynb"
    env = {**os.environ, "ESSTOOLS_RESULTS_DIR": str(tmp_path / "results"), "ESSTOOLS_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-k", "esstools",
                    "-p", "departement", dep, "--cwd", str(NOTEBOOK.parent), "--log-level", "WARNING"],
                   check=True, env=env, capture_output=True)
    return json.loads((tmp_path / "results" / f"01_territorial_comparison--{dep}.json").read_text(encoding="utf-8"))


def test_notebook_runs_for_92_and_differs_from_93(tmp_path):
    r92 = _run("92", tmp_path)
    committed = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    text93 = "".join("".join(o.get("text", "")) for c in committed["cells"] if c["cell_type"] == "code"
                     for o in c.get("outputs", []))
    units92 = {u["name"] for u in r92["units"]}
    assert units92 == {"Paris Ouest La Défense", "Vallée Sud-Grand Paris", "Grand Paris Seine Ouest",
                       "Boucle Nord de Seine"}
    assert "Est Ensemble" in text93 and "Paris Ouest La Défense" not in text93
    assert r92["data_kind"] == "mixed"  # published part 1 (real) + demo establishment data
    h = r92["headline"]
    assert h["published_ess_establishments"]["value"] == 3355
    assert h["published_ess_establishments"]["data_kind"] == "real"
    assert h["ess_employer_establishments"]["value"] == 3355
    assert h["ess_employer_establishments"]["data_kind"] == "demo"
    assert h["top2_share_ess_establishments_pct"]["value"] > 50  # POLD alone holds a third


def test_fmt_num_french():
    assert cmp.fmt_num(14206) == "14\u202f206"
    assert cmp.fmt_num(9.04, 1) == "9,0"
    assert cmp.fmt_num(2600000) == "2\u202f600\u202f000"
    assert cmp.fmt_num(-0.01, 1) == "0,0"
    assert cmp.fmt_num(float("nan")) == "n.d."
    assert cmp.fmt_value(6.6) == "6,6" and cmp.fmt_value(42000.0) == "42\u202f000"


def test_map_selection_rule_prefers_dated_then_recent():
    t = cmp.published_table(cmp.check_parameters("93"))
    figs = cmp.map_figures(t, cmp.check_parameters("93")).set_index("code")
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


def test_display_tables_are_french(tmp_path):
    p = cmp.check_parameters("93")
    etab, label = cmp.load_establishments(p, out_dir=tmp_path)
    summ = cmp.unit_summary(etab, p, reference={"ess_share_establishments_pct": 7.2})
    view = cmp.display_summary(summ, "ept")
    assert view.columns[0] == "EPT"
    assert cmp.display_summary(cmp.unit_summary(etab, p, level="commune"), "commune").columns[0] == "Commune"
    html = cmp.summary_table(summ, p, source=cmp.short_source(label), uid="x").to_html()
    share = summ.iloc[0]["ess_share_establishments_pct"]
    assert cmp.fmt_num(share, 1) in html and "T_x" in html and "données de démonstration — synthétiques" in html
    assert cmp.fmt_num(summ.iloc[0]["ess_employees"]) in html  # thousands with narrow no-break space
    assert html == cmp.summary_table(summ, p, source=cmp.short_source(label), uid="x").to_html()  # deterministic
    comp = cmp.family_composition(etab, p)
    assert comp.columns.name is None and comp.index.name == "EPT"
    sec = cmp.section_composition(etab)
    assert sec.index[0] == "Q — Santé humaine et action sociale" and sec.index[-1] == "Autres sections"
    assert sec.sum() == pytest.approx(100, abs=0.2)
    assert cmp.section_composition(etab, labels=False).index[0] == "Q"
    assert cmp.a21_labels()["R"] == "Arts, spectacles et activités récréatives" and len(cmp.a21_labels()) == 21
    communes = cmp.family_composition(etab, p, level="commune").index.tolist()
    assert communes.index("Épinay-sur-Seine") < communes.index("Gagny")  # accents ignored in sorting
    payload = cmp.results_payload(p, cmp.published_table(p), summ, cmp.concentration(summ), label)
    text = cmp.headline_text(payload)
    assert ("Part de l'ESS dans les établissements (publié) : 6,6\u00a0% des établissements du territoire "
            "(2021 ; Flores-Insee) (réel)") in text
    assert ("Rang en Île-de-France (nombre d'établissements ESS) (publié) : 3e (publ. 2024 ; "
            "Acoss-Urssaf + Flores-Insee) (réel)") in text
    assert "(démonstration)" in text and not re.search(r"\d\.\d", text)  # decimal commas only
    assert f"{cmp.fmt_num(cmp.concentration(summ)['herfindahl'], 2)} (indice de 0 à 1)" in text


def test_part2_charts_carry_demo_mark_above_data(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = cmp.check_parameters("93")
    etab, _ = cmp.load_establishments(p, out_dir=tmp_path)
    summ = cmp.unit_summary(etab, p, reference={"ess_share_establishments_pct": 7.2})
    comp = cmp.family_composition(etab, p)
    for fig in (cmp.ranked_bars(summ, p, {"ess_share_establishments_pct": 7.2}), cmp.family_chart(comp, p),
                cmp.share_density_scatter(summ, p)):
        ax = fig.axes[0]
        marks = [t for t in ax.texts if "DÉMONSTRATION" in t.get_text()]
        assert len(marks) == 1
        fig.canvas.draw()
        mark_box = marks[0].get_window_extent()
        # the mark sits above every bar / point (free band at the top of the axes)
        data_top = max(a.get_window_extent().y1 for a in ax.patches) if ax.patches else \
            ax.transData.transform(ax.collections[0].get_offsets()).max(axis=0)[1]
        assert mark_box.y0 > data_top - 1
        plt.close(fig)
