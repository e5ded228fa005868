"""`edusim check` end to end on the demo city (2 replications, 3 school years)."""

from __future__ import annotations

import pandas as pd

from edusim.cli import main
from edusim.validation.patterns import PATTERNS

ARGS = ["check", "scenarios/demo.yaml", "--reps", "2", "--years", "3", "--workers", "1"]


def test_check_writes_a_verdict_per_pattern_and_resumes(tmp_path, capsys):
    out = tmp_path / "check"
    assert main([*ARGS, "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "validation.csv")
    assert list(table["pattern"]) == [pattern.name for pattern in PATTERNS]
    text = (out / "validation.md").read_text(encoding="utf-8")
    assert "2 paired replications, 3 school years" in text
    for pattern in PATTERNS:
        assert f"**{pattern.name}**" in text  # its source is listed
    # too short for the trend patterns: said, not judged
    assert "needs 6 intakes, the run has 3" in text
    runs = (out / "manifest.jsonl").read_text(encoding="utf-8").count('"ok"')
    assert runs == 2 * 2  # catchment and zones arms (the demo city has no groups)
    capsys.readouterr()
    assert main([*ARGS, "--out", str(out), "--quiet"]) == 0  # resumes: nothing reruns
    assert (out / "manifest.jsonl").read_text(encoding="utf-8").count('"ok"') == runs
    assert pd.read_csv(out / "validation.csv").equals(table)


def test_check_refuses_a_folder_that_is_not_its_own(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main([*ARGS, "--out", str(tmp_path), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "already exists and is not empty" in error and "Traceback" not in error
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
