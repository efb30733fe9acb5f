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


def test_configuration_error_is_one_line_with_file_and_line(tmp_path, capsys):
    cfg = tmp_path / "reports.yml"
    cfg.write_text("jobs: deux\nruns:\n  - notebook: notebooks/01_territorial_comparison.ipynb\n", encoding="utf-8")
    assert cli.main(["run", "--config", str(cfg), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == f"esstools: erreur : Configuration file '{cfg}', line 1: 'jobs' must be a whole number ≥ 1; got 'deux'.\n"
    assert not (tmp_path / "out").exists()


def test_run_options_are_checked_by_the_parser(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--timeout", "0"])
    assert exc.value.code == 2
    assert "expected a positive number of seconds, got '0'" in capsys.readouterr().err
    args = cli.build_parser().parse_args(["run", "--timeout", "90", "--force", "--pdf"])
    assert (args.timeout, args.force, args.pdf) == (90.0, True, True)
    assert cli.build_parser().parse_args(["run", "--no-pdf"]).pdf is False
    assert cli.build_parser().parse_args(["run"]).pdf is None
