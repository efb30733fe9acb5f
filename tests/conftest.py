"""pytest set-up for tests/: the notebooks under tests/notebooks are runner fixtures, not nbval targets."""

# Notebooks under tests/notebooks are fixtures for the runner tests (one fails on purpose).
collect_ignore_glob = ["notebooks/*.ipynb", "fixtures/**/*.ipynb"]
