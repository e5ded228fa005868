"""experiments/README.md says what the runner does (which runs are reused, and why)."""

from __future__ import annotations

import re
from pathlib import Path

from edusim.experiment.plan import OUTSIDE_THE_MODEL

README = Path(__file__).resolve().parents[2] / "experiments" / "README.md"


def test_the_readme_names_what_the_model_fingerprint_leaves_out():
    text = README.read_text(encoding="utf-8")
    section = re.search(r"### Which runs are reused\n(.*?)\n##", text, re.S)
    assert section is not None, "experiments/README.md lost its section on reused runs"
    body = " ".join(section.group(1).split())
    assert "fingerprint of the model's source code" in body
    left_out = body.split("except", 1)[1].split(". ", 1)[0]
    named = {name.rstrip("/") for name in re.findall(r"`([^`]+)`", left_out)}
    assert named == set(OUTSIDE_THE_MODEL)
    # one statement only: code changes do change the task hashes
    assert not re.search(r"does not change the hash|do not change the hash", text)
