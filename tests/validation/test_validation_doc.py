"""docs/validation.md is `edusim check` of the demo city with the current model."""

from __future__ import annotations

import re
from pathlib import Path

from edusim.experiment.plan import model_fingerprint
from edusim.validation.patterns import PATTERNS

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


def test_the_validation_document_was_written_with_the_current_model():
    text = DOC.read_text(encoding="utf-8")
    recorded = re.search(r"model fingerprint `([0-9a-f]+)`", text)
    assert recorded is not None, "docs/validation.md names no model fingerprint"
    assert recorded.group(1) == model_fingerprint(), (
        "the model changed since docs/validation.md was written: run "
        "`python tools/update_validation.py` and read the diff"
    )


def test_the_validation_document_lists_every_pattern():
    text = DOC.read_text(encoding="utf-8")
    missing = [pattern.name for pattern in PATTERNS if f"| {pattern.name} |" not in text]
    assert missing == []
