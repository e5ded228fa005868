"""The model fingerprint that decides whether a stored run may be reused: it must change
when the model's code changes and stay the same when only plotting or reporting does."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

import edusim
from edusim.experiment import plan

PACKAGE = Path(edusim.__file__).resolve().parent


@pytest.fixture
def copied_fingerprint(tmp_path, monkeypatch):
    """`model_fingerprint` of a private copy of the package (the function hashes the tree it
    is loaded from), so that the test can edit files without touching the real package."""
    copy = tmp_path / "edusim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    spec = importlib.util.spec_from_file_location("copied_plan", copy / "experiment" / "plan.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "copied_plan", module)  # dataclasses look it up
    spec.loader.exec_module(module)

    def fingerprint() -> str:
        module.model_fingerprint.cache_clear()  # cached once per process in normal use
        return module.model_fingerprint()

    return copy, fingerprint


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_the_copy_fingerprints_like_the_package(copied_fingerprint):
    _, fingerprint = copied_fingerprint
    assert fingerprint() == plan.model_fingerprint()
    assert len(fingerprint()) == plan.KEY_LENGTH


@pytest.mark.parametrize(
    "edited",
    ["plots/style.py", "report/build.py", "experiment/runner.py", "cli/run.py"],
)
def test_edits_outside_the_model_keep_the_fingerprint(copied_fingerprint, edited):
    copy, fingerprint = copied_fingerprint
    before = fingerprint()
    _append(copy / edited, "\n# a comment added by the test\n")
    assert fingerprint() == before


@pytest.mark.parametrize(
    "edited",
    ["phases/intake.py", "policy/funding.py", "metrics/housing.py", "randomness.py", "model.py"],
)
def test_edits_to_the_model_change_the_fingerprint(copied_fingerprint, edited):
    copy, fingerprint = copied_fingerprint
    before = fingerprint()
    _append(copy / edited, "\n# a comment added by the test\n")
    assert fingerprint() != before


def test_a_new_model_module_changes_the_fingerprint(copied_fingerprint):
    copy, fingerprint = copied_fingerprint
    before = fingerprint()
    (copy / "processes" / "new_rule.py").write_text("RULE = 1\n", encoding="utf-8")
    assert fingerprint() != before
