"""Build step that ships the repository's scenarios inside the package.

The scenario files live once, in `scenarios/` at the top of the repository (README
commands and tests name them there). Building a wheel copies them into
`edusim/scenarios/`, where `edusim.scenario.library` finds them by name after
`pip install`. Everything else about the package is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithScenarios(build_py):
    """build_py, then the scenario YAML files (and their CSV school lists) into the
    built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads scenarios/ in place
            return
        target = Path(self.build_lib) / "edusim" / "scenarios"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in ("*.yaml", "*.csv"):  # scenarios and the school lists they name
            for source in sorted((ROOT / "scenarios").glob(pattern)):
                self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithScenarios})
