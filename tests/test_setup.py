"""The test set-up itself: reproducible property tests, the README's test command is what CI
runs and tests the code in src/, no test writes reference images."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

import edusim

ROOT = Path(__file__).resolve().parents[1]


def _readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Run the tests", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    return block.strip()


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci", reason="another profile chosen"
)
def test_property_tests_are_derandomized_without_a_database_or_deadline():
    assert settings.default.derandomize is True
    assert settings.default.database is None
    assert settings.default.deadline is None


def test_ci_runs_the_readmes_test_command_verbatim():
    command = _readme_test_command()
    assert command.splitlines() == [command]  # one line
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_readmes_test_command_installs_the_package_editable():
    assert re.search(r"pip install -e \"\.\[test\]\"", _readme_test_command())
    # and this very run imports the package from the working tree, not a stale copy
    assert Path(edusim.__file__).resolve().is_relative_to(ROOT / "src")


def test_hypothesis_files_stay_out_of_the_repository():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".hypothesis/" in ignored


def test_no_test_writes_reference_images():
    """References change only through tests/data/update_reference_images.py."""
    for path in (ROOT / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "update_reference_images.py" or path == Path(__file__):
            continue
        assert "UPDATE_REFERENCE" not in text, path
