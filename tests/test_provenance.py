"""Provenance of results: the commit and code hashes every manifest records."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

import edusim
from edusim import provenance
from edusim.experiment.plan import model_fingerprint
from edusim.results import run_scenario, write_run


def test_the_manifest_records_version_commit_and_code_hashes(demo_path, tmp_path):
    write_run(run_scenario(demo_path, 3, years=1), tmp_path / "run")
    code = json.loads((tmp_path / "run" / "manifest.json").read_text())["code"]
    assert code["edusim_version"] == edusim.__version__
    assert code["code_hash"] == provenance.code_hash()
    assert code["model_hash"] == provenance.model_hash() == model_fingerprint()
    if shutil.which("git") and (provenance.PACKAGE_DIR.parents[1] / ".git").exists():
        head = subprocess.run(
            ["git", "-C", str(provenance.PACKAGE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert code["commit"] == head
        assert code["from"] == "git checkout"
        assert isinstance(code["dirty"], bool)


def test_the_code_hash_covers_every_file_and_the_model_hash_only_the_model(tmp_path):
    copy = tmp_path / "edusim"
    shutil.copytree(provenance.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before_code = provenance.source_hash(copy)
    before_model = provenance.source_hash(copy, provenance.OUTSIDE_THE_MODEL)
    assert before_code == provenance.code_hash()
    report = copy / "report" / "build.py"
    report.write_text(report.read_text() + "\n# a comment\n")
    assert provenance.source_hash(copy) != before_code
    assert provenance.source_hash(copy, provenance.OUTSIDE_THE_MODEL) == before_model
    model = copy / "model.py"
    model.write_text(model.read_text() + "\n# a comment\n")
    assert provenance.source_hash(copy, provenance.OUTSIDE_THE_MODEL) != before_model


@pytest.mark.parametrize(
    ("version", "commit"),
    [
        ("0.1.1.dev85+g53dbb4266.d20261127", "53dbb4266"),
        ("0.2.0.dev3+gabcdef1", "abcdef1"),
        ("0.2.0", None),
        ("0.1.0", None),
    ],
)
def test_an_installed_build_names_its_commit_through_its_version(version, commit):
    assert provenance.commit_from_version(version) == commit
