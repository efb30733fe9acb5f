"""Build hook: ship the repository's data/ directory inside the wheel as esstools/data.

Everything else is declared in pyproject.toml. An editable install (`make`) reads data/ in
place; a wheel carries a copy, found by ``esstools.paths.data_dir()``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_SUFFIXES = {".csv", ".json", ".yml", ".yaml", ".md", ".xlsx"}


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "data"
        target = Path(self.build_lib) / "esstools" / "data"
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix in DATA_SUFFIXES:
                dest = target / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildPyWithData})
