"""The `esstools` command line: list, fetch delegation, error exit codes."""

from esstools import cli


def test_list_prints_every_notebook_with_its_parameters(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "notebooks/01_territorial_comparison.ipynb" in out
    assert 'departement = "93"' in out
    # the assessment is listed last: it reads the others' results
    assert out.strip().splitlines()[-1].startswith("    ") and out.index("00_roadmap_assessment") > out.index("03_siae_impact")


def test_fetch_is_delegated_with_its_own_options(capsys):
    assert cli.main(["fetch", "no-such-source"]) == 1
    err = capsys.readouterr().err
    assert "Unknown source 'no-such-source'; available sources are:" in err and "sirene-etablissements" in err
    assert cli.main(["fetch", "list"]) == 0
    assert "sirene-unites-legales" in capsys.readouterr().out


def test_run_with_unknown_parameter_exits_2_with_a_french_error(capsys):
    code = cli.main(["run", "notebooks/01_territorial_comparison.ipynb", "-p", "departemnt", "92"])
    assert code == 2
    err = capsys.readouterr().err
    assert "esstools: erreur" in err and "departemnt" in err and "its parameters are: departement" in err
